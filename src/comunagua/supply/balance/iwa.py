"""The IWA/AWWA standard water balance for a span of months, with its uncertainty.

Pure: no Django here, Decimal in and out, rounding through `comunagua.lib.money` (which imports
no Django): volumes to the litre (0.001 m³), money to the centavo. docs/supply.md explains the
method for a committee; in short:

    system input     = own sources / (1 - source-meter error %) + bulk imports - exports
    authorized       = billed metered + billed unmetered + unbilled metered + unbilled unmetered
    apparent losses  = unauthorized % * system input
                       + billed metered * e / (100 - e)     (customer meters under-register e %)
                       + data-handling error % * billed metered
    real losses      = system input - authorized - apparent losses          (the remainder)
    non-revenue water = system input - billed authorized

Uncertainty: each `Estimate` carries a ± margin at 95 % confidence. The margins are independent,
so an output's margin is the root-sum-of-squares of what each input's margin moves it by (first-
order propagation, as the AWWA Free Water Audit Software and the IWA "95 % confidence limits"
method do). Real losses take the remainder, so every other input's margin widens their range.

Infrastructure Leakage Index = current real losses / unavoidable real losses, with
UARL (litres/day) = (18 * Lm + 0.8 * Nc + 25 * Lp) * P, only where the formula is valid
(at least 3 000 connections, 20 connections per km of mains, 25 m of pressure).
"""

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from decimal import Decimal

from comunagua.lib.money import MoneyError, as_decimal, cents, round_to_unit

ZERO = Decimal(0)
HUNDRED = Decimal(100)
LITRES_PER_M3 = Decimal(1000)
LITRE = Decimal("0.001")  # volumes in m³ to the litre
PERCENT_UNIT = Decimal("0.01")
PER_CONNECTION_UNIT = Decimal("0.1")  # litres per connection per day
ILI_UNIT = Decimal("0.01")

# Where the UARL formula is valid (docs/supply.md cites the sources).
ILI_MIN_CONNECTIONS = 3000
ILI_MIN_DENSITY_PER_KM = Decimal(20)
ILI_MIN_PRESSURE_M = Decimal(25)

# A percentage estimate whose range reaches this far is a broken meter or a typo, not an estimate.
PERCENT_LIMIT = Decimal(50)


class BalanceError(ValueError):
    """Inputs that cannot make a water balance (negative volume, no days, no system input)."""


class NoInflowError(BalanceError):
    """No water entered the network in the span: nothing to balance (not a typing error)."""


@dataclass(frozen=True)
class Estimate:
    """A value with its ± margin at 95 % confidence, in the value's unit (m³, or percentage
    points for a percentage)."""

    value: Decimal
    margin: Decimal = ZERO

    @classmethod
    def exact(cls, value: Decimal | int | str) -> "Estimate":
        """A value known exactly (margin 0)."""
        return cls(as_decimal(value), ZERO)


# The documented defaults (docs/supply.md, "Water balance: method", gives their sources).
DEFAULT_SOURCE_METER_ERROR = Estimate(ZERO, Decimal(2))
DEFAULT_UNAUTHORIZED = Estimate(Decimal("0.25"), Decimal("0.25"))
DEFAULT_CUSTOMER_METER_UNDER_REGISTRATION = Estimate(Decimal(2), Decimal(2))
DEFAULT_DATA_HANDLING_ERROR = Estimate(ZERO, Decimal("0.25"))


@dataclass(frozen=True, kw_only=True)
class BalanceInputs:
    """Everything the balance needs; volumes in m³ over the span of `days` days.

    Percentages are percentage points (2 means 2 %). Defaults (docs/supply.md gives sources):
    source meters 0 ± 2 %, unauthorized consumption 0.25 ± 0.25 % of system input, customer
    meters under-register 2 ± 2 %, data-handling errors 0 ± 0.25 % of billed metered.
    `network_length_km` / `average_pressure_m` None (or 0) mean "not known": no ILI.
    `private_pipe_length_km` (Lp) is the pipe between the property line and the customer meters,
    in total; 0 when the meters stand at the property line, as in most committees.
    """

    own_sources_m3: Decimal
    source_meter_error_pct: Estimate = DEFAULT_SOURCE_METER_ERROR  # + = meters under-register
    bulk_import_m3: Decimal
    water_exported_m3: Decimal = ZERO
    billed_metered_m3: Decimal
    billed_unmetered_m3: Decimal
    unbilled_metered_m3: Decimal
    unbilled_unmetered_m3: Estimate
    unauthorized_pct: Estimate = DEFAULT_UNAUTHORIZED
    customer_meter_under_registration_pct: Estimate = DEFAULT_CUSTOMER_METER_UNDER_REGISTRATION
    data_handling_error_pct: Estimate = DEFAULT_DATA_HANDLING_ERROR
    connections: int
    days: int
    network_length_km: Decimal | None
    average_pressure_m: Decimal | None
    production_cost_per_m3: Decimal
    average_tariff_per_m3: Decimal
    private_pipe_length_km: Decimal = ZERO


@dataclass(frozen=True)
class Quantity:
    """A result with its 95 % range: low ≤ value ≤ high."""

    value: Decimal
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class WaterBalance:
    """The balance's table. Volumes in m³ over the span; money in the committee's currency.

    The values of billed authorized + unbilled authorized + apparent losses + real losses
    equal system input exactly."""

    system_input_m3: Quantity
    billed_metered_m3: Quantity
    billed_unmetered_m3: Quantity
    billed_authorized_m3: Quantity
    unbilled_metered_m3: Quantity
    unbilled_unmetered_m3: Quantity
    unbilled_authorized_m3: Quantity
    authorized_consumption_m3: Quantity
    unauthorized_m3: Quantity
    meter_under_registration_m3: Quantity
    data_handling_errors_m3: Quantity
    apparent_losses_m3: Quantity
    real_losses_m3: Quantity
    water_losses_m3: Quantity
    revenue_water_m3: Quantity
    non_revenue_water_m3: Quantity
    nrw_percent: Quantity
    nrw_litres_per_connection_day: Quantity
    real_losses_litres_per_connection_day: Quantity
    real_losses_cost: Quantity
    apparent_losses_cost: Quantity
    ili: Decimal | None
    ili_low: Decimal | None
    ili_high: Decimal | None
    # "ok", or why there is none: "too_few_connections", "missing_inputs" (no length or no
    # pressure), "too_low_density" (connections per km of mains), "too_low_pressure".
    ili_status: str
    ili_note: str  # why there is no ILI, in plain English; "" when there is one
    uarl_m3: Decimal | None  # unavoidable real losses over the span, when the ILI is valid
    connections_per_km: Decimal | None = None  # to the tenth, when the network length is known


# The inputs that carry a margin, by their field name in BalanceInputs.
_UNCERTAIN = (
    "source_meter_error_pct",
    "unbilled_unmetered_m3",
    "unauthorized_pct",
    "customer_meter_under_registration_pct",
    "data_handling_error_pct",
)


def water_balance(inputs: BalanceInputs) -> WaterBalance:
    """The standard balance of `inputs`; real losses take the remainder, so the components'
    values add up exactly to the system input. Raises BalanceError on impossible inputs
    (a negative volume, a percentage range beyond ±50 %, no days, no connections, a system input
    that is not positive)."""
    inputs = _normalised(inputs)
    centre = {name: getattr(inputs, name).value for name in _UNCERTAIN}
    shown = _shown(inputs, _raw(inputs, centre))
    margins = _margins(inputs, centre)
    ili, ili_low, ili_high, status, note, uarl = _ili(inputs, shown, margins)

    def quantity(name: str, places: Callable[[Decimal], Decimal]) -> Quantity:
        value = places(shown[name])
        margin = margins[name]
        low = places(value - margin)
        if value >= 0:  # none of these can really be negative; the range says "perhaps none"
            low = max(low, places(ZERO))
        return Quantity(value, low, places(value + margin))

    volume_names = [
        f.name for f in fields(WaterBalance) if f.name.endswith("_m3") and f.name != "uarl_m3"
    ]
    result = {name: quantity(name, _litres) for name in volume_names}
    result["nrw_percent"] = quantity("nrw_percent", _percent)
    for name in ("nrw_litres_per_connection_day", "real_losses_litres_per_connection_day"):
        result[name] = quantity(name, _per_connection)
    for name in ("real_losses_cost", "apparent_losses_cost"):
        result[name] = quantity(name, cents)
    return WaterBalance(
        **result,
        ili=ili,
        ili_low=ili_low,
        ili_high=ili_high,
        ili_status=status,
        ili_note=note,
        uarl_m3=uarl,
        connections_per_km=(
            round_to_unit(Decimal(inputs.connections) / inputs.network_length_km, Decimal("0.1"))
            if inputs.network_length_km
            else None
        ),
    )


# --- rounding ------------------------------------------------------------------------------


def _litres(value: Decimal) -> Decimal:
    return round_to_unit(value, LITRE)


def _percent(value: Decimal) -> Decimal:
    return round_to_unit(value, PERCENT_UNIT)


def _per_connection(value: Decimal) -> Decimal:
    return round_to_unit(value, PER_CONNECTION_UNIT)


# --- the arithmetic ------------------------------------------------------------------------


def _raw(inputs: BalanceInputs, point: dict[str, Decimal]) -> dict[str, Decimal]:
    """The balance, unrounded, with the uncertain inputs at `point` (the others as given)."""
    source_error = point["source_meter_error_pct"]
    under_registration = point["customer_meter_under_registration_pct"]
    billed_metered = inputs.billed_metered_m3
    system_input = (
        inputs.own_sources_m3 * HUNDRED / (HUNDRED - source_error)
        + inputs.bulk_import_m3
        - inputs.water_exported_m3
    )
    if system_input <= 0:
        raise NoInflowError("system input volume must be positive")
    unauthorized = system_input * point["unauthorized_pct"] / HUNDRED
    meter_under_registration = billed_metered * under_registration / (HUNDRED - under_registration)
    data_handling = billed_metered * point["data_handling_error_pct"] / HUNDRED
    values = {
        "system_input_m3": system_input,
        "billed_metered_m3": billed_metered,
        "billed_unmetered_m3": inputs.billed_unmetered_m3,
        "unbilled_metered_m3": inputs.unbilled_metered_m3,
        "unbilled_unmetered_m3": point["unbilled_unmetered_m3"],
        "unauthorized_m3": unauthorized,
        "meter_under_registration_m3": meter_under_registration,
        "data_handling_errors_m3": data_handling,
    }
    return _derive(inputs, values)


def _derive(inputs: BalanceInputs, v: dict[str, Decimal]) -> dict[str, Decimal]:
    """Totals, the remainder and the indicators from the components in `v`."""
    v = dict(v)
    v["billed_authorized_m3"] = v["billed_metered_m3"] + v["billed_unmetered_m3"]
    v["unbilled_authorized_m3"] = v["unbilled_metered_m3"] + v["unbilled_unmetered_m3"]
    v["authorized_consumption_m3"] = v["billed_authorized_m3"] + v["unbilled_authorized_m3"]
    v["apparent_losses_m3"] = (
        v["unauthorized_m3"] + v["meter_under_registration_m3"] + v["data_handling_errors_m3"]
    )
    v["real_losses_m3"] = (
        v["system_input_m3"] - v["authorized_consumption_m3"] - v["apparent_losses_m3"]
    )
    v["water_losses_m3"] = v["apparent_losses_m3"] + v["real_losses_m3"]
    v["revenue_water_m3"] = v["billed_authorized_m3"]
    v["non_revenue_water_m3"] = v["system_input_m3"] - v["revenue_water_m3"]
    v["nrw_percent"] = v["non_revenue_water_m3"] * HUNDRED / v["system_input_m3"]
    connection_days = inputs.connections * inputs.days
    v["nrw_litres_per_connection_day"] = v["non_revenue_water_m3"] * LITRES_PER_M3 / connection_days
    v["real_losses_litres_per_connection_day"] = (
        v["real_losses_m3"] * LITRES_PER_M3 / connection_days
    )
    v["real_losses_cost"] = v["real_losses_m3"] * inputs.production_cost_per_m3
    v["apparent_losses_cost"] = v["apparent_losses_m3"] * inputs.average_tariff_per_m3
    return v


_COMPONENTS = (
    "system_input_m3",
    "billed_metered_m3",
    "billed_unmetered_m3",
    "unbilled_metered_m3",
    "unbilled_unmetered_m3",
    "unauthorized_m3",
    "meter_under_registration_m3",
    "data_handling_errors_m3",
)


def _shown(inputs: BalanceInputs, raw: dict[str, Decimal]) -> dict[str, Decimal]:
    """The figures as shown: each component rounded to the litre first, then every total, the
    remainder and the indicators computed from the rounded components — so the table adds up
    exactly and the indicators agree with the volumes beside them."""
    return _derive(inputs, {name: _litres(raw[name]) for name in _COMPONENTS})


def _margins(inputs: BalanceInputs, centre: dict[str, Decimal]) -> dict[str, Decimal]:
    """Each output's ± margin: root-sum-of-squares of what each input's margin moves it by.

    An input's effect is the half-difference of the output with that input at value + margin
    and at value - margin (a central difference, exact for the linear parts of the balance and
    first-order for the source-meter correction and the under-registration factor)."""
    squares: dict[str, Decimal] = {}
    for name in _UNCERTAIN:
        margin = getattr(inputs, name).margin
        if not margin:
            continue
        up = _raw(inputs, centre | {name: centre[name] + margin})
        down = _raw(inputs, centre | {name: centre[name] - margin})
        for key, value in up.items():
            effect = (value - down[key]) / 2
            squares[key] = squares.get(key, ZERO) + effect * effect
    names = _raw(inputs, centre).keys()
    return {key: squares.get(key, ZERO).sqrt() for key in names}


# --- the Infrastructure Leakage Index --------------------------------------------------------


def _ili(inputs: BalanceInputs, shown: dict[str, Decimal], margins: dict[str, Decimal]):
    """(ili, low, high, status, note, uarl_m3) — the ILI only where the formula is valid."""
    connections = inputs.connections
    length = inputs.network_length_km
    pressure = inputs.average_pressure_m
    if connections < ILI_MIN_CONNECTIONS:
        note = (
            f"No ILI: the system has {connections} connections; the formula for unavoidable "
            f"losses is only valid from {ILI_MIN_CONNECTIONS} connections. Compare litres lost "
            "per connection per day instead."
        )
        return None, None, None, "too_few_connections", note, None
    if not length or not pressure:
        note = (
            "No ILI: the network length and the average pressure are both needed to compute "
            "the unavoidable losses."
        )
        return None, None, None, "missing_inputs", note, None
    density = connections / length
    if density < ILI_MIN_DENSITY_PER_KM:
        note = (
            f"No ILI: the network has {density:.1f} connections per km of mains; the formula "
            f"for unavoidable losses is only valid from {ILI_MIN_DENSITY_PER_KM} per km."
        )
        return None, None, None, "too_low_density", note, None
    if pressure < ILI_MIN_PRESSURE_M:
        note = (
            f"No ILI: the average pressure is {pressure} m; the formula for unavoidable losses "
            f"is only valid from {ILI_MIN_PRESSURE_M} m."
        )
        return None, None, None, "too_low_pressure", note, None
    uarl_litres_per_day = (
        Decimal(18) * length
        + Decimal("0.8") * connections
        + Decimal(25) * inputs.private_pipe_length_km
    ) * pressure
    uarl_m3 = uarl_litres_per_day * inputs.days / LITRES_PER_M3

    def index(real_m3: Decimal) -> Decimal:
        return round_to_unit(real_m3 / uarl_m3, ILI_UNIT)

    real = shown["real_losses_m3"]
    margin = margins["real_losses_m3"]
    low = index(real - margin)
    if real >= 0:
        low = max(low, ZERO.quantize(ILI_UNIT))
    return index(real), low, index(real + margin), "ok", "", _litres(uarl_m3)


# --- checking the inputs ---------------------------------------------------------------------


def _normalised(inputs: BalanceInputs) -> BalanceInputs:
    """A copy with every number as a Decimal (floats refused), checked for impossible values."""
    changes: dict[str, object] = {}
    try:
        for f in fields(BalanceInputs):
            value = getattr(inputs, f.name)
            if isinstance(value, Estimate):
                value = Estimate(as_decimal(value.value), as_decimal(value.margin))
                if value.margin < 0:
                    raise BalanceError(f"{f.name}: the margin cannot be negative")
            elif f.name in ("connections", "days"):
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise BalanceError(f"{f.name}: must be a whole number of at least 1")
            elif value is not None:
                value = as_decimal(value)
                if value < 0:
                    raise BalanceError(f"{f.name}: cannot be negative")
            changes[f.name] = value
    except MoneyError as exc:
        raise BalanceError(f"{f.name}: {exc}") from exc
    inputs = replace(inputs, **changes)
    if inputs.unbilled_unmetered_m3.value < 0:
        raise BalanceError("unbilled_unmetered_m3: cannot be negative")
    for name in _UNCERTAIN:
        if name.endswith("_pct") and not percentage_in_range(getattr(inputs, name)):
            raise BalanceError(f"{name}: the range must stay within ±{PERCENT_LIMIT} %")
    return inputs


def percentage_in_range(estimate: Estimate) -> bool:
    """Whether a percentage estimate's range (value ± margin) stays within ±PERCENT_LIMIT
    points: beyond that it is a broken meter or a typo, not an estimate. The balance refuses
    such inputs and the settings service refuses to save them: one rule, here."""
    return (
        estimate.value + estimate.margin <= PERCENT_LIMIT
        and estimate.value - estimate.margin >= -PERCENT_LIMIT
    )
