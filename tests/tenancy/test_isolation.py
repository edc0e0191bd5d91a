"""One committee never sees another's records: every URL that takes an id answers 404 when
the id belongs to another committee, and a committee's slug is 404 to outsiders."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scope, scopes_disabled

from comunagua.billing import services as billing
from comunagua.ledger import bank
from comunagua.ledger import services as ledger
from comunagua.lib.periods import Period
from comunagua.metering import services as metering
from comunagua.metering.models import Route
from comunagua.registry import services
from comunagua.registry.models import Holding, RegistryImport
from comunagua.supply import services as supply
from comunagua.tariffs import services as tariff_services
from comunagua.tenancy.roles import Role
from tests.conftest import add_connection, make_user


def _committee_patterns(resolver=None, prefix=""):
    """Every named URL under /<committee>/, from the real URL configuration."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _committee_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            full = prefix + str(entry.pattern)
            if full.startswith("<slug:committee>/"):
                yield entry.name, full


# How to find another committee's object for each kind of id a URL takes.
ID_KIND = {
    "member-detail": "member",
    "member-edit": "member",
    "connection-detail": "connection",
    "connection-edit": "connection",
    "connection-transfer": "connection",
    "connection-meter": "connection",
    "import-preview": "import",
    "round-detail": "round",
    "round-close": "round",
    "route-entry": "round",
    "reading-review": "reading",
    "tariff-detail": "tariff",
    "tariff-edit": "tariff",
    "run-detail": "run",
    "run-print": "run",
    "run-print-pdf": "run",
    "bill-detail": "bill",
    "bill-pdf": "bill",
    "credit-note": "bill",
    "statement": "connection",
    "cash-account": "connection",
    "receipt": "payment",
    "receipt-pdf": "payment",
    "receipt-reverse": "payment",
    "session-report": "session",
    "session-close": "session",
    "books-account": "account",
    "bank-statement": "bank_statement",
    "bank-line": "bank_line",
    "bank-line-ignore": "bank_line",
    "arrears-household": "connection",
    "arrears-notice": "connection",
    "arrears-notice-print": "connection",
    "arrears-disconnect": "connection",
    "arrears-reconnect": "connection",
    "arrears-plan": "connection",
    "supply-log-detail": "operator_log",
    "supply-well": "well",
    "supply-source-edit": "well",
    "supply-incident": "incident",
    "supply-incident-letter": "incident",
    "supply-incident-letter-pdf": "incident",
    "supply-incident-photo": "incident_photo",
}
# URLs that take a second id besides pk: {name: {kwarg: kind}}, also another committee's.
MORE_IDS = {"route-entry": {"route": "route"}}
# URLs without an id that take another argument (a month): {name: kwargs}.
NOT_IDS = {
    "report-month": {"period": "2025-03"},
    "report-pdf": {"period": "2025-03"},
    "report-publish": {"period": "2025-03"},
}


@pytest.fixture
def foreign_ids(other_committee):
    connection = add_connection(other_committee, "900")
    with scope(committee=other_committee):
        batch = services.registry_import_upload(
            committee=other_committee, by=None, filename="x.csv", content=b"a"
        )
    with scopes_disabled():
        member_id = Holding.objects.get(connection=connection).member_id
    with scope(committee=other_committee):
        (route,) = metering.routes_from_sectors(committee=other_committee) or [
            Route.objects.create(committee=other_committee, name="R")
        ]
        reading_round = metering.round_open(
            committee=other_committee, period=Period(2025, 3), by=None
        )
        reading = metering.reading_enter(
            round=reading_round, connection=connection, value=Decimal(5), by=None
        )
        tariff = tariff_services.tariff_create(
            committee=other_committee,
            by=None,
            effective_from=date(2016, 1, 1),
            toml_text=Path("docs/examples/tarifa-2016.toml").read_text(),
        )
        metering.round_close(round=reading_round, by=None)
        run = billing.billing_run(committee=other_committee, period=Period(2025, 3), by=None)
        bill = run.bills.get()
        cashier = make_user(other_committee, Role.CASHIER)
        till = ledger.session_open(committee=other_committee, cashier=cashier)
        payment = ledger.payment_take(
            committee=other_committee,
            connection_id=connection.pk,
            amount=Decimal("10"),
            method="cash",
            by=cashier,
            session=till,
        )
        account = ledger.accounts_by_role(other_committee)["cash"]
        statement = bank.statement_import(
            committee=other_committee,
            content=b"Fecha;Glosa;Monto\n01/03/2025;DEPOSITO;10,00\n",
            filename="extracto.csv",
            by=None,
        )
        bank_line = statement.lines.get()
        well = supply.source_save(
            committee=other_committee, by=None, name="Pozo", kind="well", depth_m=Decimal(90)
        )
        well_meter = supply.meter_save(
            committee=other_committee,
            by=None,
            name="Medidor",
            source=well,
            installed_on=date(2025, 1, 1),
            initial_reading=Decimal(0),
        )
        operator_log = supply.operator_log_enter(
            committee=other_committee,
            entry=supply.LogEntry(day=date(2025, 3, 1), readings={well_meter: Decimal(30)}),
            by=None,
        )
        incident = supply.incident_report(
            committee=other_committee,
            by=None,
            kind="spill",
            happened_on=date(2025, 3, 1),
            location="Quebrada",
            description="Aceite",
            photo_path="fotos/aceite.jpg",
        )
        photo = incident.photos.get()
    return {
        "operator_log": operator_log.pk,
        "well": well.pk,
        "incident": incident.pk,
        "incident_photo": photo.pk,
        "bank_statement": statement.pk,
        "bank_line": bank_line.pk,
        "run": run.pk,
        "bill": bill.pk,
        "tariff": tariff.pk,
        "connection": connection.pk,
        "member": member_id,
        "import": batch.pk,
        "round": reading_round.pk,
        "route": route.pk,
        "reading": reading.pk,
        "payment": payment.pk,
        "session": till.pk,
        "account": account.pk,
    }


def test_every_url_with_an_id_is_listed_in_this_test():
    with_ids = {name for name, path in _committee_patterns() if "<int:pk>" in path}
    assert with_ids == set(ID_KIND), "a new URL takes an id: add it to ID_KIND"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ID_KIND))
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_committees_id_is_not_found(board_client, committee, foreign_ids, name, method):
    more = {kwarg: foreign_ids[kind] for kwarg, kind in MORE_IDS.get(name, {}).items()}
    url = reverse(
        name, kwargs={"committee": committee.slug, "pk": foreign_ids[ID_KIND[name]], **more}
    )
    response = getattr(board_client, method)(url, {"first_names": "X", "serial": "Y"})
    assert response.status_code == 404


# The reader app's service worker and manifest hold no data and need no login, so that a phone
# can update them after its session has expired (tests/metering/test_reader_app.py).
PUBLIC = {"reader-sw", "reader-manifest"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", sorted({n for n, p in _committee_patterns() if "<int:pk>" not in p} - PUBLIC)
)
def test_a_committee_page_is_not_found_for_someone_from_another_committee(
    board_client, other_committee, name
):
    kwargs = {"committee": other_committee.slug, **NOT_IDS.get(name, {})}
    response = board_client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_post_to_another_committees_record_changes_nothing(
    board_client, committee, other_committee, foreign_ids
):
    url = reverse("member-edit", kwargs={"committee": committee.slug, "pk": foreign_ids["member"]})
    board_client.post(
        url, {"first_names": "Cambiado", "last_names": "X", "household_size": 2, "status": "active"}
    )
    with scopes_disabled():
        from comunagua.registry.models import Member

        assert Member.objects.get(pk=foreign_ids["member"]).first_names == "Rosa"
        assert RegistryImport.objects.get(pk=foreign_ids["import"]).status == "preview"


@pytest.mark.django_db
def test_a_query_outside_any_committee_scope_fails_loudly(committee):
    from django_scopes.exceptions import ScopeError

    from comunagua.registry.models import Connection

    with pytest.raises(ScopeError):
        list(Connection.objects.all())
