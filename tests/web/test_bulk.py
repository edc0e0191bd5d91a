"""insert_rows: many rows from tuples, COPY on PostgreSQL, executemany elsewhere, on a real
database (both legs run these tests), inside the caller's transaction."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from comunagua.billing.models import Bill, BillingRun
from comunagua.billing.services import BILL_FIELDS
from comunagua.registry.models import Holding
from comunagua.web.bulk import insert_rows
from tests.actors import add_connection, make_committee, make_tariff

D = Decimal

FIELDS = BILL_FIELDS  # the columns run_create writes
# Strings COPY's text format must escape: tab, newline, backslash, quotes, and non-ASCII.
AWKWARD = 'Fuga\tfrente a la casa\nN° 12 \\ "Doña" m³ \\N'
LINES = [
    {"code": "fixed", "amount": "18.00", "m3": None, "price": None},
    {"code": "block", "amount": "27.50", "m3": "12.500", "price": "2.20", "note": AWKWARD},
    {"nested": {"list": [1, 2.5, True, None], "empty": {}}},
]


@pytest.fixture
def world(db):
    """A committee with a run and two connections (the second without a holder)."""
    with scopes_disabled():
        committee = make_committee()
        tariff = make_tariff(committee)
        run = BillingRun.objects.create(
            committee=committee,
            period=date(2025, 3, 1),
            tariff=tariff,
            issued_on=date(2025, 4, 5),
            due_on=date(2025, 4, 20),
        )
        first = add_connection(committee, "1")
        second = add_connection(committee, "2")
        member = Holding.objects.get(connection=first).member_id
    return committee, run, first, second, member


def rows_for(world) -> list[tuple]:
    committee, run, first, second, member = world
    common = (date(2025, 3, 1), date(2025, 4, 5), date(2025, 4, 20))
    return [
        (
            *(committee.pk, run.pk, first.pk, member, 1, *common, "residential", True),
            *(D("12.500"), D("1234.567"), D("1247.067"), False, 41, LINES),
            *(D("45.30"), D("-12.05"), D("33.25")),
        ),
        (  # the largest amounts the columns hold, every nullable column null, empty lines
            *(committee.pk, run.pk, second.pk, None, 2**40, *common, AWKWARD[:20], False),
            *(D("999999999.999"), None, None, True, None, []),
            *(D("9999999999.99"), D("0.00"), D("9999999999.99")),
        ),
    ]


def stored(run) -> list[tuple]:
    with scopes_disabled():
        return list(Bill.objects.filter(run=run).order_by("number").values_list(*FIELDS))


def test_the_rows_read_back_are_the_rows_given(world):
    rows = rows_for(world)
    with transaction.atomic():
        insert_rows(Bill, FIELDS, rows)
    found = stored(world[1])
    assert found == rows
    # Decimals come back exact, to the column's places, not as floats.
    assert [str(r[10]) for r in found] == ["12.500", "999999999.999"]
    assert [str(r[16]) for r in found] == ["45.30", "9999999999.99"]
    assert found[0][15][1]["note"] == AWKWARD


def test_the_rows_are_stored_as_the_orm_stores_them(world):
    """The same values through insert_rows and through the model read back alike, ids aside."""
    run = world[1]
    row = rows_for(world)[0]
    insert_rows(Bill, FIELDS, [row])
    with scopes_disabled():
        copied = Bill.objects.get(run=run, number=1)
        Bill.objects.filter(pk=copied.pk)._raw_delete(Bill.objects.db)
        Bill.objects.create(**dict(zip(FIELDS, row, strict=True)))
        saved = Bill.objects.get(run=run, number=1)
    assert saved.pk != copied.pk
    for field in Bill._meta.concrete_fields:
        if not field.primary_key:
            assert getattr(saved, field.attname) == getattr(copied, field.attname), field.name


def test_foreign_keys_can_be_named_by_field_or_column(world):
    committee, run, first, second, member = world
    insert_rows(Bill, ["committee", "run", "connection", "member", *FIELDS[4:]], rows_for(world))
    with scopes_disabled():
        bills = list(Bill.objects.filter(run=run).order_by("number"))
    assert [(b.committee, b.run, b.connection, b.member_id) for b in bills] == [
        (committee, run, first, member),
        (committee, run, second, None),
    ]


def test_left_out_fields_get_their_defaults(world):
    committee, run, *_ = world
    before = timezone.now()
    insert_rows(
        BillingRun,
        ["committee_id", "period", "tariff_id", "issued_on", "due_on"],
        [(committee.pk, date(2025, 4, 1), run.tariff_id, date(2025, 5, 5), date(2025, 5, 20))],
    )
    with scopes_disabled():
        added = BillingRun.objects.get(committee=committee, period=date(2025, 4, 1))
    assert added.bill_count == 0  # default
    assert added.created_by_id is None
    assert before <= added.created_at <= timezone.now()  # auto_now_add


def test_no_rows_insert_nothing(world):
    insert_rows(Bill, FIELDS, [])
    assert stored(world[1]) == []


def test_an_exception_after_the_insert_takes_the_rows_back(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        insert_rows(Bill, FIELDS, rows_for(world))
        assert len(stored(world[1])) == 2  # written, in this transaction
        raise RuntimeError("power cut")
    assert stored(world[1]) == []


@pytest.mark.django_db(transaction=True)
def test_an_exception_takes_the_rows_back_in_an_outermost_transaction(world):
    """No test transaction around it: a real BEGIN, COPY and ROLLBACK."""
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError), transaction.atomic():
        insert_rows(Bill, FIELDS, rows_for(world))
        raise RuntimeError("power cut")
    assert stored(world[1]) == []
    insert_rows(Bill, FIELDS, rows_for(world))  # and outside any, a transaction of its own
    assert stored(world[1]) == rows_for(world)


def test_a_bad_row_inserts_nothing(world):
    good, short = rows_for(world)[0], rows_for(world)[1][:-1]
    with pytest.raises(ValueError, match="values for"), transaction.atomic():
        insert_rows(Bill, FIELDS, [good, short])
    assert stored(world[1]) == []


def test_a_row_the_database_refuses_raises_as_django_raises_it(world):
    first, second = rows_for(world)
    twice = (*second[:4], first[4], *second[5:])  # the first one's number again
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Bill, FIELDS, [first, twice])
    assert stored(world[1]) == []


def test_fields_must_be_columns_named_once(world):
    with pytest.raises(ValueError, match="twice"):
        insert_rows(Bill, ["connection", "connection_id"], [])
    with pytest.raises(ValueError, match="not a column"):
        insert_rows(Bill, ["credit_notes"], [])
