"""Energy and cost per m³: a span's production (from the log) and bills, as month figures, and
what producing its water cost against what the households paid per m³.

Pure: no Django here, Decimal in and out. Money stays unrounded: the balance rounds the cost of
the losses once, and pages and the command round what they show.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

ZERO = Decimal(0)


@dataclass
class Produced:
    """A month of the operator's log."""

    own_m3: Decimal = ZERO  # meters on own wells
    bulk_m3: Decimal = ZERO  # meters on bulk supplies and tankers, plus tanker purchases
    unbilled_m3: Decimal = ZERO
    energy_kwh: Decimal = ZERO
    chlorine_kg: Decimal = ZERO
    pump_hours: Decimal = ZERO
    purchased_cost: Decimal = ZERO
    logs: int = 0

    @property
    def input_m3(self) -> Decimal:
        return self.own_m3 + self.bulk_m3


@dataclass
class Billed:
    metered_m3: Decimal = ZERO
    unmetered_m3: Decimal = ZERO
    water_charges: Decimal = ZERO  # the water lines, net of credit notes; unrounded
    bills: int = 0

    @property
    def m3(self) -> Decimal:
        return self.metered_m3 + self.unmetered_m3


class CostSettings(Protocol):
    """The committee's costs of production (supply.models.BalanceSettings has them)."""

    energy_price_per_kwh: Decimal
    chlorine_cost_per_kg: Decimal
    maintenance_per_month: Decimal
    allowance_per_month: Decimal


@dataclass(frozen=True)
class Costs:
    """What producing the span's water cost, and what the households paid per m³ of water.

    Money here is unrounded: the balance rounds the cost of the losses once, and pages and the
    command round what they show."""

    months: int
    produced_m3: Decimal
    energy_kwh: Decimal
    energy_cost: Decimal
    chlorine_kg: Decimal
    chemicals_cost: Decimal
    maintenance: Decimal
    allowance: Decimal
    purchased_cost: Decimal
    total: Decimal
    per_m3: Decimal | None  # production cost per m³ produced
    kwh_per_m3: Decimal | None
    billed_m3: Decimal
    water_charges: Decimal
    tariff_per_m3: Decimal | None  # the bills' water charges (net of credit notes) over their m³

    @property
    def margin_per_m3(self) -> Decimal | None:
        if self.per_m3 is None or self.tariff_per_m3 is None:
            return None
        return self.tariff_per_m3 - self.per_m3


def costs_of(
    produced: list[Produced], billed: list[Billed], settings: CostSettings, months: int
) -> Costs:
    """What the months cost to produce (energy, chlorine, maintenance, allowances, bought water)
    and per m³, against what their bills charged for water per m³."""
    volume = sum((p.input_m3 for p in produced), ZERO)
    own = sum((p.own_m3 for p in produced), ZERO)  # the pumps' energy lifts only this water
    kwh = sum((p.energy_kwh for p in produced), ZERO)
    chlorine = sum((p.chlorine_kg for p in produced), ZERO)
    energy_cost = kwh * settings.energy_price_per_kwh
    chemicals_cost = chlorine * settings.chlorine_cost_per_kg
    maintenance = settings.maintenance_per_month * months
    allowance = settings.allowance_per_month * months
    purchased = sum((p.purchased_cost for p in produced), ZERO)
    total = energy_cost + chemicals_cost + maintenance + allowance + purchased
    billed_m3 = sum((b.m3 for b in billed), ZERO)
    water_charges = sum((b.water_charges for b in billed), ZERO)
    return Costs(
        months=months,
        produced_m3=volume,
        energy_kwh=kwh,
        energy_cost=energy_cost,
        chlorine_kg=chlorine,
        chemicals_cost=chemicals_cost,
        maintenance=maintenance,
        allowance=allowance,
        purchased_cost=purchased,
        total=total,
        per_m3=total / volume if volume > 0 else None,
        kwh_per_m3=kwh / own if own > 0 else None,
        billed_m3=billed_m3,
        water_charges=water_charges,
        tariff_per_m3=water_charges / billed_m3 if billed_m3 > 0 else None,
    )
