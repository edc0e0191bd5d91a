"""The well and the aquifer: specific capacity, the static level's trend, the intake projection.

Pure: no Django here, Decimal in and out; floats only inside the statistical fit.

The static level's trend is an ordinary least-squares fit of the depth to water on time plus one
annual harmonic (a sine and a cosine of the time of year), because levels in the Andean valleys
rise in the rainy season and fall in the dry one, and a straight line through a seasonal series
mistakes a partial season for a trend. Monthly levels are autocorrelated (one dry month follows
another), so plain OLS standard errors are too narrow; the slope's 95 % interval is widened by
the effective sample size of AR(1) residuals, n (1 - r1) / (1 + r1), with Student t quantiles on
its degrees of freedom (Santer et al. 2000, the usual correction for trends in geophysical
series). On synthetic wells like ours this interval holds the true slope close to 95 % of the
time, where Newey-West (HAC) standard errors held it only 60-90 % of the time at 2-5 years of
monthly data. docs/supply.md ("Aquifer trend: method") says why this model and not pastas.

statsmodels (and with it numpy) is imported when a trend is first fitted, not when this module is
imported, so pages that never fit a trend do not pay for it.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from comunagua.lib.money import as_decimal, round_to_unit

MIN_OBSERVATIONS = 8
# Twelve monthly readings span 334 days: "about a year" is enough to tell a season from a trend.
MIN_SPAN_DAYS = 330
DAYS_PER_YEAR = 365.25
CONFIDENCE = 0.95
EXACT_FIT_M = 1e-6  # residuals smaller than this (a thousandth of a millimetre) are rounding
MILLIMETRE = Decimal("0.001")
CAPACITY_UNIT = Decimal("0.001")  # m³/h per metre

METHOD = (
    "OLS of depth on time with an annual harmonic; 95 % interval of the slope widened for the "
    "residuals' lag-1 autocorrelation ({r1:.2f}: effective sample size {effective_n:.1f}, "
    "Santer et al. 2000), Student t with {df:.1f} degrees of freedom"
)


class NotEnoughData(ValueError):
    """Too few observations, or too short a span, to separate a trend from the seasons."""


@dataclass(frozen=True)
class Observation:
    """Depth to water below the wellhead on a day, in metres (bigger = deeper)."""

    on: date
    depth_m: Decimal


@dataclass(frozen=True)
class Trend:
    """The static level's trend. A positive slope means the water goes deeper every year.

    slope_low..slope_high is the slope's 95 % interval; seasonal_amplitude_m is how far the
    season takes the level above and below the trend line (half the seasonal swing).
    `level_on(day)` is the trend line (without the season) at a day, for charts."""

    slope_m_per_year: Decimal
    slope_low: Decimal
    slope_high: Decimal
    seasonal_amplitude_m: Decimal
    n: int
    method: str
    origin: date  # the first observation: the trend line's time zero
    intercept_m: Decimal  # the trend line's depth at `origin`
    # The unrounded fit behind the figures, so a projection does not fit the series again.
    fit: "_Fit | None" = field(default=None, repr=False, compare=False)

    def level_on(self, day: date) -> Decimal:
        years = Decimal((day - self.origin).days) / Decimal(str(DAYS_PER_YEAR))
        return round_to_unit(self.intercept_m + self.slope_m_per_year * years, MILLIMETRE)


@dataclass(frozen=True)
class Projection:
    """When the pumping level at the season's deepest reaches the pump intake.

    status "crossing": `likely` is the date at the fitted trend, `earliest` at the fast end of
    the slope's 95 % interval, `latest` at the slow end (None when the slow end never gets
    there within the horizon). "no_crossing": the fitted trend does not get there within the
    horizon (`earliest` may still be a date: the fast end of the interval cannot rule it out).
    "not_enough_data": too few static levels to fit a trend."""

    status: str  # "crossing", "no_crossing", "not_enough_data"
    earliest: date | None
    likely: date | None
    latest: date | None


def specific_capacity(flow_m3h: Decimal, static_m: Decimal, pumping_m: Decimal) -> Decimal | None:
    """m³/h per metre of drawdown (pumping level minus static level); None when the drawdown is
    not positive (a reading mistake, or the pump was off)."""
    flow = as_decimal(flow_m3h)
    if flow < 0:
        raise ValueError("flow cannot be negative")
    drawdown = as_decimal(pumping_m) - as_decimal(static_m)
    if drawdown <= 0:
        return None
    return round_to_unit(flow / drawdown, CAPACITY_UNIT)


def level_trend(observations: list[Observation]) -> Trend:
    """The static level's trend in m/year with its 95 % interval and the seasonal amplitude.

    Raises NotEnoughData with fewer than 8 observations or a span under 330 days."""
    fit = _fit(observations)
    return Trend(
        slope_m_per_year=_metres(fit.slope),
        slope_low=_metres(fit.slope_low),
        slope_high=_metres(fit.slope_high),
        seasonal_amplitude_m=_metres(fit.amplitude),
        n=fit.n,
        method=METHOD.format(r1=fit.r1, effective_n=fit.effective_n, df=fit.effective_n - 4),
        origin=fit.origin,
        intercept_m=_metres(fit.intercept),
        fit=fit,
    )


def intake_projection(
    static: list[Observation],
    drawdown_m: Decimal,
    pump_intake_m: Decimal,
    today: date,
    horizon_years: int = 30,
    *,
    trend: Trend | None = None,
) -> Projection:
    """When, at the static level's current trend, the pumping level (static level + drawdown)
    at the season's deepest reaches the pump intake (depth below the wellhead).

    The trend line's depth today plus the seasonal amplitude plus the drawdown is the deepest
    the pumping level gets this year; it reaches the intake after (intake - that) / slope
    years. If it already does, every date is today. Dates beyond `horizon_years` are None.
    Pass the `trend` already fitted from `static` (level_trend) to reuse its fit."""
    if trend is not None and trend.fit is not None:
        fit = trend.fit
    else:
        try:
            fit = _fit(static)
        except NotEnoughData:
            return Projection("not_enough_data", None, None, None)
    threshold = float(as_decimal(pump_intake_m) - as_decimal(drawdown_m)) - fit.amplitude
    years_now = (today - fit.origin).days / DAYS_PER_YEAR
    gap = threshold - (fit.intercept + fit.slope * years_now)
    if gap <= 0:
        return Projection("crossing", today, today, today)

    def reached(slope: float) -> date | None:
        if slope <= 0 or gap / slope > horizon_years:
            return None
        return today + timedelta(days=round(gap / slope * DAYS_PER_YEAR))

    likely = reached(fit.slope)
    earliest = reached(fit.slope_high)
    if likely is None:
        return Projection("no_crossing", earliest, None, None)
    return Projection("crossing", earliest, likely, reached(fit.slope_low))


# --- the fit -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fit:
    origin: date
    n: int
    r1: float  # lag-1 autocorrelation of the residuals
    effective_n: float
    intercept: float
    slope: float
    slope_low: float
    slope_high: float
    amplitude: float


def _metres(value: float) -> Decimal:
    metres = round_to_unit(Decimal(value), MILLIMETRE)
    return metres if metres else abs(metres)  # "0.000", never "-0.000"


def _fit(observations: list[Observation]) -> _Fit:
    ordered = sorted(observations, key=lambda o: o.on)
    if len(ordered) < MIN_OBSERVATIONS:
        raise NotEnoughData(f"{len(ordered)} observations; at least {MIN_OBSERVATIONS} are needed")
    span = (ordered[-1].on - ordered[0].on).days
    if span < MIN_SPAN_DAYS:
        raise NotEnoughData(f"the observations span {span} days; about a year is needed")

    # Heavy imports, only when a trend is fitted.
    import numpy as np
    import statsmodels.api as sm
    from scipy import stats

    origin = ordered[0].on
    years = np.array([(o.on - origin).days / DAYS_PER_YEAR for o in ordered])
    depth = np.array([float(as_decimal(o.depth_m)) for o in ordered])
    angle = 2 * np.pi * years  # one cycle a year; the phase is free through sin and cos
    design = np.column_stack([np.ones_like(years), years, np.sin(angle), np.cos(angle)])
    n, k = design.shape
    result = sm.OLS(depth, design).fit()
    intercept, slope, sine, cosine = (float(p) for p in result.params)

    # Santer et al. (2000): residuals that follow each other (lag-1 autocorrelation r1) carry
    # less information than n independent ones; the effective sample size is
    # n (1 - r1) / (1 + r1). Negative r1 is taken as 0, so the interval is never narrowed.
    # Residuals far below the millimetre the levels are written in are rounding noise of a
    # perfect fit: their "autocorrelation" means nothing.
    residuals = result.resid
    energy = float(residuals @ residuals)
    exact_fit = math.sqrt(energy / n) < EXACT_FIT_M
    r1 = 0.0 if exact_fit else float(residuals[:-1] @ residuals[1:]) / energy
    r1 = min(max(r1, 0.0), 1.0)
    effective_n = n * (1 - r1) / (1 + r1)
    df = effective_n - k
    if df < 1:
        raise NotEnoughData(
            "the levels follow each other too closely to tell a trend from chance yet"
        )
    standard_error = float(result.bse[1]) * math.sqrt((n - k) / df)
    half_width = float(stats.t.ppf(0.5 + CONFIDENCE / 2, df)) * standard_error
    return _Fit(
        origin=origin,
        n=n,
        r1=r1,
        effective_n=effective_n,
        intercept=intercept,
        slope=slope,
        slope_low=slope - half_width,
        slope_high=slope + half_width,
        amplitude=math.hypot(sine, cosine),
    )
