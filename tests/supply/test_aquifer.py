"""The well and the aquifer (supply/wells/aquifer.py): specific capacity, the static level's
trend on synthetic wells with a known trend, and the pump-intake projection. Pure: no database."""

import math
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from comunagua.supply.wells import aquifer as module
from comunagua.supply.wells.aquifer import (
    NotEnoughData,
    Observation,
    intake_projection,
    level_trend,
    specific_capacity,
)

D = Decimal
START = date(2021, 1, 15)


def well(
    *,
    slope: float,
    months: int = 48,
    amplitude: float = 1.2,
    noise: float = 0.25,
    persistence: float = 0.0,
    seed: int = 7,
    start: date = START,
    depth: float = 20.0,
) -> list[Observation]:
    """Monthly static levels: `depth` + `slope` m/year + a seasonal cycle (deepest in the dry
    season) + noise, AR(1) with `persistence` (0 = independent months)."""
    rng = random.Random(seed)
    error = rng.gauss(0, noise)
    levels = []
    for month in range(months):
        day = start + timedelta(days=round(month * 30.44))
        years = (day - start).days / 365.25
        if month:
            error = persistence * error + rng.gauss(0, noise * math.sqrt(1 - persistence**2))
        value = depth + slope * years + amplitude * math.sin(2 * math.pi * years + 0.6) + error
        levels.append(Observation(day, D(f"{value:.3f}")))
    return levels


def test_specific_capacity_is_flow_per_metre_of_drawdown():
    # 12 m3/h pumped, the level falls from 20.5 m to 35.5 m: 12 / 15 = 0.8 m3/h per metre
    assert specific_capacity(D("12"), D("20.5"), D("35.5")) == D("0.800")
    # 10 / 15 = 0.6666... -> 0.667
    assert specific_capacity(D("10"), D("20"), D("35")) == D("0.667")


@pytest.mark.parametrize("pumping", [D("20.5"), D("19")])
def test_specific_capacity_is_none_without_drawdown(pumping):
    assert specific_capacity(D("12"), D("20.5"), pumping) is None


def test_the_trend_of_a_synthetic_well_holds_the_true_slope_within_its_interval():
    levels = well(slope=0.6)

    trend = level_trend(levels)

    assert trend.slope_low <= D("0.6") <= trend.slope_high
    assert trend.slope_high - trend.slope_low < D("0.5")  # narrow enough to mean something
    assert abs(trend.seasonal_amplitude_m - D("1.2")) < D("0.2")
    assert trend.n == 48
    assert trend.slope_m_per_year == trend.slope_m_per_year.quantize(D("0.001"))
    assert "Santer" in trend.method


def test_the_stated_95_percent_interval_holds_the_true_slope_about_95_times_in_100():
    # 200 synthetic wells, 5 years of monthly levels whose errors carry over from month to
    # month (AR(1), 0.5): plain least squares would hold the true slope in ~70 % of them.
    hits = 0
    for seed in range(200):
        trend = level_trend(well(slope=0.6, months=60, persistence=0.5, seed=seed))
        hits += trend.slope_low <= D("0.6") <= trend.slope_high

    assert hits >= 180  # at least 90 %


def test_the_trend_line_gives_the_level_on_a_day_without_the_season():
    trend = level_trend(well(slope=0.6, noise=0.0))

    assert abs(trend.level_on(START) - D("20")) < D("0.01")
    assert abs(trend.level_on(date(2025, 1, 15)) - D("22.4")) < D("0.01")


def test_a_flat_well_has_no_crossing():
    levels = well(slope=0.0)

    projection = intake_projection(levels, D("10"), D("60"), today=date(2025, 1, 1))

    assert projection.status == "no_crossing"
    assert projection.likely is None and projection.latest is None


def test_a_perfectly_steady_well_has_no_crossing_and_no_earliest_date():
    levels = [Observation(START + timedelta(days=30 * m), D("20.000")) for m in range(24)]

    projection = intake_projection(levels, D("10"), D("40"), today=date(2023, 1, 1))

    assert (projection.status, projection.earliest) == ("no_crossing", None)
    assert level_trend(levels).slope_m_per_year == D("0.000")


def test_a_falling_well_reaches_the_intake_between_its_earliest_and_latest_dates():
    # 1 m deeper a year from 20 m; on 2025-01-15 (4 years on) the trend is at 24 m; at the
    # season's deepest it is 1.2 m lower, pumping draws it 10 m more: 35.2 m. The intake at
    # 45.2 m is 10 m further: about ten years at 1 m a year, early 2035.
    levels = well(slope=1.0)

    projection = intake_projection(levels, D("10"), D("45.2"), today=date(2025, 1, 15))

    assert projection.status == "crossing"
    assert projection.earliest <= projection.likely <= projection.latest
    assert projection.earliest < projection.latest
    assert abs((projection.likely - date(2035, 1, 15)).days) < 365


def test_a_well_already_at_its_intake_is_crossing_today():
    levels = well(slope=1.0)
    today = date(2025, 1, 15)

    projection = intake_projection(levels, D("10"), D("30"), today=today)

    assert (projection.status, projection.earliest, projection.likely, projection.latest) == (
        "crossing",
        today,
        today,
        today,
    )


def test_a_crossing_beyond_the_horizon_is_no_crossing():
    levels = well(slope=0.2)  # 0.2 m a year, 100 m to go: 500 years

    projection = intake_projection(levels, D("10"), D("150"), today=date(2025, 1, 15))

    assert projection.status == "no_crossing"


def test_seven_levels_are_not_enough_for_a_trend():
    with pytest.raises(NotEnoughData):
        level_trend(well(slope=1.0, months=7))


def test_less_than_a_year_of_levels_is_not_enough_for_a_trend():
    weekly = [Observation(START + timedelta(weeks=w), D("20") + D(w) / 10) for w in range(40)]

    with pytest.raises(NotEnoughData):
        level_trend(weekly)


def test_the_projection_says_not_enough_data_instead_of_raising():
    projection = intake_projection(well(slope=1.0, months=7), D("10"), D("40"), date(2025, 1, 1))

    assert (projection.status, projection.earliest, projection.likely, projection.latest) == (
        "not_enough_data",
        None,
        None,
        None,
    )


def test_a_projection_reuses_the_trend_already_fitted(monkeypatch):
    series = [
        module.Observation(date(2020, 1, 1) + timedelta(days=30 * i), D("40") + D(i) / 20)
        for i in range(30)
    ]
    trend = module.level_trend(series)
    fits = []
    real_fit = module._fit
    monkeypatch.setattr(module, "_fit", lambda obs: fits.append(1) or real_fit(obs))
    reused = module.intake_projection(series, D("5"), D("60"), date(2022, 7, 1), trend=trend)
    assert fits == []
    assert reused == module.intake_projection(series, D("5"), D("60"), date(2022, 7, 1))
