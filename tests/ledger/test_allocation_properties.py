"""Allocation, pure: a payment is split without losing or inventing a centavo, never settles a
debt beyond what is left of it, pays the oldest first, and leaves an advance only when every
debt is settled."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from comunagua.ledger.books.allocation import Due, allocate
from tests.properties import pure

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)


@st.composite
def debts(draw, min_count=0):
    count = draw(st.integers(min_value=min_count, max_value=12))
    start = date(2025, 1, 20)
    return [
        Due(n, start + timedelta(days=draw(st.integers(0, 400))), draw(money)) for n in range(count)
    ]


@pure
@given(st.decimals(min_value=0, max_value=Decimal("20000"), places=2), debts())
def test_the_shares_and_the_advance_add_up_to_the_payment(amount, dues):
    shares, advance = allocate(amount, dues)
    assert sum((s for _k, s in shares), Decimal(0)) + advance == amount
    assert advance >= 0
    open_by_key = {d.key: d.open for d in dues}
    assert all(0 < share <= open_by_key[key] for key, share in shares)
    assert len({key for key, _s in shares}) == len(shares)


@pure
@given(st.decimals(min_value=0, max_value=Decimal("20000"), places=2), debts())
def test_an_advance_is_left_only_when_every_debt_is_settled(amount, dues):
    shares, advance = allocate(amount, dues)
    if advance > 0:
        assert dict(shares) == {d.key: d.open for d in dues}


@pure
@given(st.decimals(min_value=0, max_value=Decimal("20000"), places=2), debts())
def test_no_debt_is_touched_while_an_older_one_is_still_open(amount, dues):
    shares, _advance = allocate(amount, dues)
    paid = dict(shares)
    for older in dues:
        for newer in dues:
            if newer.key in paid and older.due_on < newer.due_on:
                assert paid.get(older.key) == older.open


@pure
@given(money, debts(min_count=1), st.data())
def test_chosen_debts_are_settled_before_older_ones(amount, dues, data):
    chosen = data.draw(st.lists(st.sampled_from([d.key for d in dues]), unique=True, min_size=1))
    shares, _advance = allocate(amount, dues, chosen=chosen)
    paid = dict(shares)
    by_key = {d.key: d for d in dues}
    # Walk the chosen in order: a later chosen debt is touched only once the earlier is settled.
    for earlier, later in itertools.pairwise(chosen):
        if later in paid:
            assert paid.get(earlier) == by_key[earlier].open
    # A debt that was not chosen is touched only once every chosen one is settled.
    if any(key not in chosen for key in paid):
        assert all(paid.get(key) == by_key[key].open for key in chosen)


def test_a_negative_payment_or_an_unknown_chosen_debt_is_refused():
    import pytest

    due = Due(1, date(2025, 1, 20), Decimal("10.00"))
    with pytest.raises(ValueError):
        allocate(Decimal("-1"), [due])
    with pytest.raises(KeyError):
        allocate(Decimal("5"), [due], chosen=[2])
