"""What the operator typed for a day, as the log's services take it: the form builds a LogEntry,
operator_log_enter and operator_log_correct check and store it."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from comunagua.registry.models import Sector

from ..models import ProductionMeter, Tank

ZERO = Decimal(0)
HOURS_A_DAY = Decimal(24)


# The figures of a day's log besides the meters, as the log's fields name them.
LOG_NUMBERS = (
    "pump_hours",
    "energy_kwh",
    "chlorine_kg",
    "flushing_m3",
    "public_use_m3",
    "own_use_m3",
    "tanker_m3",
)


@dataclass(frozen=True)
class InterruptionInput:
    cause: str
    hours: object
    sectors: tuple[Sector, ...] = ()
    households: object = 0
    description: str = ""


@dataclass(frozen=True)
class LogEntry:
    """What the operator typed for a day. Numbers as Decimal or text-free values the form
    parsed; `readings` {ProductionMeter: value}; `tank_levels` {Tank: %}; `supply_hours`
    {Sector: hours}."""

    day: date
    readings: Mapping[ProductionMeter, object] = field(default_factory=dict)
    pump_hours: object = ZERO
    energy_kwh: object = ZERO
    chlorine_kg: object = ZERO
    tank_levels: Mapping[Tank, object] = field(default_factory=dict)
    supply_hours: Mapping[Sector, object] = field(default_factory=dict)
    flushing_m3: object = ZERO
    public_use_m3: object = ZERO
    own_use_m3: object = ZERO
    tanker_m3: object = ZERO
    interruption: InterruptionInput | None = None
    note: str = ""
