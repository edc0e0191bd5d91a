"""The connections of a demo register, drawn before anything is written: each one's sector,
date and category, its lot and address (streets, house numbers, blocks), and its meter's serial
number. The committees' registers are described by a RegistrySpec (registry.REGISTRY)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from comunagua.registry.models import Connection, Lot, Meter

from . import names
from .context import HISTORY_END, DemoContext
from .people import MemberDraft

Category = Connection.Category

OLD_BRANDS = [("Elster", "EL"), ("Itron", "IT"), ("Sensus", "SN")]
NEW_BRANDS = [("Zenner", "ZN"), ("Arad", "AR"), ("Itron", "IT")]

SHOPS = [
    "Tienda de barrio",
    "Pensión (almuerzos)",
    "Lavandería",
    "Panadería",
    "Taller de costura",
    "Venta de refrescos y helados",
    "Peluquería",
    "Taller mecánico",
    "Cabinas y fotocopias",
]


@dataclass(frozen=True)
class SectorSpec:
    name: str
    weight: float  # share of the ordinary connections
    opened: date  # when the network reached it
    lat: float
    lon: float
    sewer: float  # share of its connections with sewer


@dataclass(frozen=True)
class RegistrySpec:
    connections: int
    members: int  # before transfers bring in new holders
    founded: date  # the founding assembly
    inaugurated: date  # the day water first ran
    founders_share: float  # of the connections in the first sectors, those made at once
    recent_share: float  # of the connections, those made in the last two years
    sectors: tuple[SectorSpec, ...]
    institutions: tuple[tuple[str, str, int], ...]  # (first_names, last_names, sector)
    public_taps: tuple[tuple[str, int], ...]  # (place, sector)
    commercial: int
    social: int
    replacements: int
    transfers: int
    suspended: int
    disconnected: int


@dataclass
class LotDraft:
    sector: int
    address: str
    reference: str
    latitude: Decimal
    longitude: Decimal
    first_connected: date | None = None
    obj: Lot | None = None


@dataclass
class Slot:
    """One connection to be: where, since when, what kind, who holds it."""

    sector: int
    connected_on: date
    category: str = Category.RESIDENTIAL
    kind: str = "ordinary"  # ordinary / institution / tap
    recent: bool = False
    label: tuple = ()
    holder_of: "Slot | None" = None  # the slot whose holder also holds this one
    same_lot: bool = False
    member: MemberDraft | None = None
    lot: LotDraft | None = None
    notes: str = ""
    has_sewer: bool = False
    used: bool = False  # already picked for an event
    obj: Connection | None = None
    meter: Meter | None = None  # the meter in service


def draw_slots(ctx: DemoContext, spec: RegistrySpec, rng) -> list[Slot]:
    """Every connection with its sector, date and category, numbered in order of connection."""
    first_sectors = [i for i, s in enumerate(spec.sectors) if s.opened <= spec.inaugurated]
    top = len(spec.sectors) - 1
    slots: list[Slot] = []
    for first_names, last_names, sector in spec.institutions:
        day = spec.inaugurated + timedelta(days=rng.randint(0, 60))
        slots.append(
            Slot(
                sector=sector,
                connected_on=max(day, spec.sectors[sector].opened),
                category=Category.INSTITUTIONAL,
                kind="institution",
                label=(first_names, last_names),
            )
        )
    for place, sector in spec.public_taps:
        slots.append(
            Slot(
                sector=sector,
                connected_on=max(spec.inaugurated, spec.sectors[sector].opened),
                category=Category.PUBLIC_TAP,
                kind="tap",
                label=(place,),
                notes=f"Pileta pública, {place}: a cargo del comité.",
            )
        )
    ordinary = spec.connections - len(slots)
    recent = round(spec.connections * spec.recent_share)
    weights = [s.weight for s in spec.sectors]
    for i in range(ordinary):
        if i < recent:
            # The network keeps climbing: new households are mostly in the top sectors.
            sector = top if rng.random() < 0.7 else max(top - 1, 0)
            day = ctx.recent_day(rng, rng.randint(1, 23))
            slots.append(Slot(sector=sector, connected_on=day, recent=True))
            continue
        sector = rng.choices(range(len(spec.sectors)), weights)[0]
        opened = max(spec.sectors[sector].opened, spec.inaugurated)
        if sector in first_sectors and rng.random() < spec.founders_share:
            day = spec.inaugurated + timedelta(days=rng.randint(0, 75))
        else:
            span = (HISTORY_END - opened).days
            day = opened + timedelta(days=int(span * rng.random() ** 1.15))
        slots.append(Slot(sector=sector, connected_on=day))
    # Order of connection gives the connection numbers; ties are broken by the draw order.
    slots = [s for _, s in sorted(enumerate(slots), key=lambda p: (p[1].connected_on, p[0]))]

    old = [s for s in slots if s.kind == "ordinary" and not s.recent]
    for slot in rng.sample(old, spec.commercial):
        slot.category = Category.COMMERCIAL
        slot.notes = rng.choice(SHOPS)
    return slots


class _StreetBook:
    """House numbers along each street of a sector, and blocks (manzanas) of about 12 lots."""

    def __init__(self, rng, spec: RegistrySpec):
        pool = list(names.STREETS)
        rng.shuffle(pool)
        per_sector = max(3, min(5, len(pool) // len(spec.sectors)))
        self.streets = [
            pool[i * per_sector : (i + 1) * per_sector] for i in range(len(spec.sectors))
        ]
        self.numbers = {street: rng.randint(100, 600) for street in pool}
        self.block = 0
        self.lots_in_block = {i: 99 for i in range(len(spec.sectors))}
        self.block_of = {i: 0 for i in range(len(spec.sectors))}

    def address(self, rng, sector: int) -> tuple[str, str]:
        street = rng.choice(self.streets[sector])
        self.numbers[street] += rng.randint(2, 24)
        number = "s/n" if rng.random() < 0.15 else f"Nº {self.numbers[street]}"
        if self.lots_in_block[sector] >= rng.randint(8, 14):
            self.block += 1
            self.block_of[sector] = self.block
            self.lots_in_block[sector] = 0
        self.lots_in_block[sector] += 1
        reference = f"Mz. {self.block_of[sector]} Lote {self.lots_in_block[sector]}"
        return f"{street} {number}", reference


def draw_lots(spec: RegistrySpec, rng, slots: list[Slot]) -> list[LotDraft]:
    book = _StreetBook(rng, spec)
    lots: list[LotDraft] = []
    for slot in slots:
        if slot.same_lot and slot.holder_of is not None:
            slot.lot = slot.holder_of.lot
            continue
        sector = spec.sectors[slot.sector]
        if slot.kind == "tap":
            address, reference = f"Pileta pública, {slot.label[0]}", ""
        elif slot.kind == "institution":
            a, b = book.streets[slot.sector][:2]
            address, reference = f"{a} esq. {b.split(' ', 1)[1]}", ""
        else:
            address, reference = book.address(rng, slot.sector)
        lot = LotDraft(
            sector=slot.sector,
            address=address,
            reference=reference,
            latitude=Decimal(f"{sector.lat + rng.gauss(0, 0.0010):.6f}"),
            longitude=Decimal(f"{sector.lon + rng.gauss(0, 0.0012):.6f}"),
            first_connected=slot.connected_on,
        )
        slot.lot = lot
        lots.append(lot)
    return lots


def meter_serial(rng, installed_on: date, serials: set[str]) -> tuple[str, str]:
    brand, prefix = rng.choice(OLD_BRANDS if installed_on.year < 2016 else NEW_BRANDS)
    serial = f"{prefix}{installed_on.year % 100:02d}{rng.randint(0, 999_999):06d}"
    while serial in serials:
        serial = f"{prefix}{installed_on.year % 100:02d}{rng.randint(0, 999_999):06d}"
    serials.add(serial)
    return brand, serial
