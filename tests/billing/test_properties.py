"""Property: whatever the consumptions, a run's bills add up to the engine's quotes, and every
bill's total due is its charges plus what earlier bills left."""

from decimal import Decimal

from django_scopes import scope
from hypothesis import given
from hypothesis import strategies as st

from comunagua.billing import selectors
from comunagua.tariffs import engine
from tests.actors import APRIL, MARCH, add_connection, make_committee, make_tariff, month_read, run
from tests.properties import heavy

volumes = st.decimals(min_value=0, max_value=60, places=3, allow_nan=False, allow_infinity=False)
connections = st.lists(
    st.tuples(st.sampled_from(["residential", "commercial"]), st.booleans(), volumes, volumes),
    min_size=1,
    max_size=4,
)


@heavy
@given(connections)
def test_bills_add_up_to_the_engine_quotes_and_carry_the_balance(db, specs):
    committee = make_committee()
    tariff = make_tariff(committee)
    priced_with = tariff.engine()
    made = [
        add_connection(committee, str(n), category=category, has_sewer=sewer)
        for n, (category, sewer, _m, _a) in enumerate(specs, start=1)
    ]
    march_values = {c: spec[2] for c, spec in zip(made, specs, strict=True)}
    april_values = {c: spec[2] + spec[3] for c, spec in zip(made, specs, strict=True)}
    month_read(committee, 2025, 3, march_values)
    month_read(committee, 2025, 4, april_values)
    run(committee, MARCH)
    run(committee, APRIL)

    with scope(committee=committee):
        march = list(selectors.bills_of_period(committee=committee, period=MARCH))
        april = {
            b.connection_id: b for b in selectors.bills_of_period(committee=committee, period=APRIL)
        }
    expected = Decimal("0.00")
    for bill in march:
        quote = engine.quote(
            priced_with, category=bill.category, m3=bill.consumption_m3, sewer=bill.has_sewer
        )
        expected += quote.total
        assert bill.total_due == bill.charges_total + bill.previous_balance
        assert sum(Decimal(line["amount"]) for line in bill.lines) == bill.charges_total
        assert april[bill.connection_id].previous_balance == bill.charges_total
    assert sum(b.charges_total for b in march) == expected
    for bill in april.values():
        assert bill.total_due == bill.charges_total + bill.previous_balance
    assert sorted(b.number for b in [*march, *april.values()]) == list(range(1, 2 * len(made) + 1))
