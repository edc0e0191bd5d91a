"""The register of each demo committee: sectors, members, lots, connections, holdings, meters.

The bulk of the register (years of connections) is written with `bulk_create_with_history`, each
history record dated when the thing happened; the few later events (a cut, a meter replacement, a
transfer of rights) go through the registry services, as the office would record them, and their
history records are then dated on the day of the event.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from comunagua.metering.meters import services as meter_services
from comunagua.registry import services
from comunagua.registry.models import Connection, Holding, Lot, Member, Meter, Sector

from . import names
from .committees import MAIN_SLUG, SECOND_SLUG
from .context import HISTORY_END, DemoContext

Category = Connection.Category
Status = Connection.Status

# People per household, 1 to 10: mean about 4.5, as on Cochabamba's hillsides.
HOUSEHOLD_WEIGHTS = [7, 11, 17, 19, 17, 12, 8, 5, 3, 1]
# Monthly use per person, m³ (little water, much of it carried and reused).
M3_PER_PERSON_MONTH = 2.1

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
REPLACEMENT_REASONS = [
    "Medidor trabado: no registra consumo",
    "Esfera empañada, no se puede leer",
    "Fuga en el cuerpo del medidor",
    "Medidor dañado por helada",
]
CUT_NOTES = "Corte por mora: tres avisos impagos."
DISCONNECT_NOTES = "Lote deshabitado: acometida retirada a pedido del socio."
SOCIAL_NOTES = "Adulta/o mayor: tarifa social aprobada en asamblea."


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


REGISTRY = {
    MAIN_SLUG: RegistrySpec(
        connections=372,
        members=330,
        founded=date(2010, 3, 14),
        inaugurated=date(2010, 8, 15),
        founders_share=0.5,
        recent_share=0.05,
        sectors=(
            SectorSpec("Sector A - Bajo", 0.20, date(2010, 8, 15), -17.4125, -66.1270, 0.30),
            SectorSpec("Sector B - Plaza", 0.19, date(2010, 8, 15), -17.4155, -66.1300, 0.20),
            SectorSpec("Sector C - Escuela", 0.18, date(2010, 8, 15), -17.4180, -66.1265, 0.05),
            SectorSpec("Sector D - Medio", 0.17, date(2012, 5, 1), -17.4215, -66.1310, 0.0),
            SectorSpec("Sector E - Tanque", 0.14, date(2015, 3, 1), -17.4250, -66.1285, 0.0),
            SectorSpec("Sector F - Alto", 0.12, date(2018, 9, 1), -17.4290, -66.1330, 0.0),
        ),
        institutions=(
            ("OTB", "María Auxiliadora (sede social)", 0),
            ("Posta de Salud", "Zona Sur Alta", 1),
            ("Unidad Educativa", "Villa Esperanza Sur", 2),
            ("Capilla", "San José Obrero", 3),
        ),
        public_taps=(("Plaza del Sector B", 1), ("Cancha del Sector E", 4)),
        commercial=9,
        social=12,
        replacements=3,
        transfers=2,
        suspended=5,
        disconnected=3,
    ),
    SECOND_SLUG: RegistrySpec(
        connections=82,
        members=74,
        founded=date(2015, 6, 7),
        inaugurated=date(2016, 2, 20),
        founders_share=0.6,
        recent_share=0.06,
        sectors=(
            SectorSpec("Sector 1 - Entrada", 0.45, date(2016, 2, 20), -17.3975, -66.0955, 0.10),
            SectorSpec("Sector 2 - Cancha", 0.35, date(2016, 2, 20), -17.4000, -66.0980, 0.0),
            SectorSpec("Sector 3 - Cumbre", 0.20, date(2019, 5, 1), -17.4030, -66.1000, 0.0),
        ),
        institutions=(("Unidad Educativa", "Villa Pagador Alto", 1),),
        public_taps=(("Cancha del Sector 2", 1),),
        commercial=3,
        social=4,
        replacements=1,
        transfers=1,
        suspended=2,
        disconnected=1,
    ),
}


@dataclass
class MemberDraft:
    gender: str
    first_names: str
    last_names: str
    household_size: int
    joined_on: date
    notes: str = ""
    id_document: str = ""
    phone: str = ""
    connections: int = 0
    obj: Member | None = None


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


def generate(ctx: DemoContext) -> dict:
    spec = REGISTRY.get(ctx.committee.slug)
    if spec is None:
        return {}
    rng = ctx.rng("registry")
    committee = ctx.committee

    sectors = Sector.objects.bulk_create(
        [
            Sector(committee=committee, name=s.name, position=i + 1)
            for i, s in enumerate(spec.sectors)
        ]
    )
    slots = _slots(ctx, spec, rng)
    members = _members(ctx, spec, rng, slots)
    lots = _lots(spec, rng, slots)
    for slot in slots:
        sector = spec.sectors[slot.sector]
        slot.has_sewer = slot.kind != "tap" and rng.random() < sector.sewer
    socio = _link_member_logins(ctx, rng, slots)

    # The register as it stands before the recent events, with history dated as it happened.
    member_objs = [
        Member(
            committee=committee,
            code=f"{i:04d}",
            first_names=m.first_names,
            last_names=m.last_names,
            id_document=m.id_document,
            phone=m.phone,
            gender=m.gender,
            household_size=m.household_size,
            joined_on=m.joined_on,
            notes=m.notes,
            user=socio.get(id(m)),
        )
        for i, m in enumerate(members, start=1)
    ]
    for draft, obj in zip(members, member_objs, strict=True):
        obj._history_date = ctx.at(draft.joined_on, 9)
    member_objs = bulk_create_with_history(member_objs, Member)
    for draft, obj in zip(members, member_objs, strict=True):
        draft.obj = obj

    lot_objs = []
    for lot in lots:
        obj = Lot(
            committee=committee,
            sector=sectors[lot.sector],
            address=lot.address,
            reference=lot.reference,
            latitude=lot.latitude,
            longitude=lot.longitude,
        )
        obj._history_date = ctx.at(lot.first_connected, 10)
        lot_objs.append(obj)
    lot_objs = bulk_create_with_history(lot_objs, Lot)
    for draft, obj in zip(lots, lot_objs, strict=True):
        draft.obj = obj

    connection_objs = []
    for number, slot in enumerate(slots, start=1):
        obj = Connection(
            committee=committee,
            number=f"{number:04d}",
            lot=slot.lot.obj,
            category=slot.category,
            has_sewer=slot.has_sewer,
            status=Status.ACTIVE,
            connected_on=slot.connected_on,
            notes=slot.notes,
        )
        obj._history_date = ctx.at(slot.connected_on, 10, 30)
        connection_objs.append(obj)
    connection_objs = bulk_create_with_history(connection_objs, Connection)
    for slot, obj in zip(slots, connection_objs, strict=True):
        slot.obj = obj

    holding_objs = []
    for slot in slots:
        if slot.member is None:
            continue
        obj = Holding(
            committee=committee,
            connection=slot.obj,
            member=slot.member.obj,
            started_on=slot.connected_on,
        )
        obj._history_date = ctx.at(slot.connected_on, 11)
        holding_objs.append(obj)
    bulk_create_with_history(holding_objs, Holding)

    serials: set[str] = set()
    meter_objs = []
    for slot in slots:
        digits = 5
        if slot.kind == "institution":
            digits = 6
        elif slot.connected_on.year < 2013 and rng.random() < 0.12:
            digits = 4
        brand, serial = _meter_serial(rng, slot.connected_on, serials)
        obj = Meter(
            committee=committee,
            connection=slot.obj,
            serial=serial,
            brand=brand,
            digits=digits,
            installed_on=slot.connected_on,
            initial_reading=Decimal(0),
        )
        obj._history_date = ctx.at(slot.connected_on, 11, 30)
        meter_objs.append(obj)
    meter_objs = bulk_create_with_history(meter_objs, Meter)
    for slot, obj in zip(slots, meter_objs, strict=True):
        slot.meter = obj

    _events(ctx, spec, rng, slots, serials)

    ctx.results["registry"] = {"sectors": sectors}
    return {
        "sectors": len(sectors),
        "members": Member.objects.filter(committee=committee).count(),
        "lots": Lot.objects.filter(committee=committee).count(),
        "connections": Connection.objects.filter(committee=committee).count(),
        "holdings": Holding.objects.filter(committee=committee).count(),
        "meters": Meter.objects.filter(committee=committee).count(),
    }


# --- The shape of the register --------------------------------------------------------------


def _slots(ctx: DemoContext, spec: RegistrySpec, rng) -> list[Slot]:
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


def _members(ctx: DemoContext, spec: RegistrySpec, rng, slots: list[Slot]) -> list[MemberDraft]:
    """Members for every connection but the public taps; some hold two connections."""
    held = [s for s in slots if s.kind != "tap"]
    pairs = len(held) - spec.members
    old = [s for s in slots if s.kind == "ordinary" and not s.recent]

    # A shop on the household's own lot, or a second house for a grown child, held by the
    # same member: the later connection follows the holder of an earlier one.
    secondaries: list[Slot] = [s for s in old if s.category == Category.COMMERCIAL]
    rng.shuffle(secondaries)
    secondaries = secondaries[: max(0, min(len(secondaries) * 2 // 3, pairs))]
    rest = [s for s in old if s.category == Category.RESIDENTIAL]
    secondaries += rng.sample(rest, pairs - len(secondaries))
    taken: set[int] = {id(s) for s in secondaries}
    position = {id(s): i for i, s in enumerate(slots)}
    for slot in secondaries:
        same_lot = slot.category == Category.COMMERCIAL or rng.random() < 0.5
        candidates = [
            p
            for p in old
            if id(p) not in taken
            and p.category == Category.RESIDENTIAL
            and position[id(p)] < position[id(slot)]
            and (p.sector == slot.sector or not same_lot)
        ]
        if not candidates:  # the earliest connections of a sector: a shop on its own lot
            continue
        primary = rng.choice(candidates)
        taken.add(id(primary))
        slot.holder_of = primary
        slot.same_lot = same_lot

    holders = [s for s in held if s.holder_of is None]
    persons = [s for s in holders if s.kind == "ordinary"]
    women = round(len(persons) * 0.5)
    genders = ["F"] * women + ["M"] * (len(persons) - women)
    rng.shuffle(genders)
    gender_of = {id(s): g for s, g in zip(persons, genders, strict=True)}

    members: list[MemberDraft] = []
    for slot in holders:
        if slot.kind == "institution":
            member = MemberDraft(
                gender="",
                first_names=slot.label[0],
                last_names=slot.label[1],
                household_size=1,
                joined_on=slot.connected_on,
                notes="Institución: la representa su director/a o responsable.",
            )
        else:
            gender = gender_of[id(slot)]
            founder = slot.connected_on <= spec.inaugurated + timedelta(days=75)
            member = MemberDraft(
                gender=gender,
                first_names=names.first_names(rng, gender),
                last_names=names.last_names(rng),
                household_size=rng.choices(range(1, 11), HOUSEHOLD_WEIGHTS)[0],
                joined_on=spec.founded if founder else slot.connected_on,
            )
        slot.member = member
        members.append(member)
    for slot in held:
        if slot.holder_of is not None:
            slot.member = slot.holder_of.member
        slot.member.connections += 1

    singles = [
        s
        for s in held
        if s.kind == "ordinary"
        and s.category == Category.RESIDENTIAL
        and s.member.connections == 1
        and s.member.household_size <= 2
    ]
    for slot in rng.sample(singles, min(spec.social, len(singles))):
        slot.category = Category.SOCIAL
        slot.member.notes = SOCIAL_NOTES

    # Members are numbered in the order they joined; CI numbers and phones are made up.
    members.sort(key=lambda m: m.joined_on)
    documents: set[str] = set()
    for member in members:
        if member.gender == "":
            member.id_document, member.phone = "", ""
            continue
        document = f"{rng.randint(2_000_000, 9_999_999)} CB"
        while document in documents:
            document = f"{rng.randint(2_000_000, 9_999_999)} CB"
        documents.add(document)
        member.id_document = document
        member.phone = f"7{rng.randint(0, 9_999_999):07d}" if rng.random() < 0.8 else ""
    return members


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


def _lots(spec: RegistrySpec, rng, slots: list[Slot]) -> list["LotDraft"]:
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


def _meter_serial(rng, installed_on: date, serials: set[str]) -> tuple[str, str]:
    brand, prefix = rng.choice(OLD_BRANDS if installed_on.year < 2016 else NEW_BRANDS)
    serial = f"{prefix}{installed_on.year % 100:02d}{rng.randint(0, 999_999):06d}"
    while serial in serials:
        serial = f"{prefix}{installed_on.year % 100:02d}{rng.randint(0, 999_999):06d}"
    serials.add(serial)
    return brand, serial


def _link_member_logins(ctx: DemoContext, rng, slots: list[Slot]) -> dict[int, object]:
    """Give each member login (`socio`) a household: a woman holding one home connection,
    connected for years, so her bills and payments have a history to show."""
    links: dict[int, object] = {}
    candidates = [
        s
        for s in slots
        if s.kind == "ordinary"
        and s.category == Category.RESIDENTIAL
        and not s.recent
        and s.connected_on.year < 2018
        and s.member.connections == 1
        and s.member.gender == "F"
        and 3 <= s.member.household_size <= 6
    ]
    for user in ctx.member_logins:
        slot = rng.choice([s for s in candidates if not s.used])
        slot.used = True
        member = slot.member
        links[id(member)] = user
        user.first_name = member.first_names.split()[0]
        user.last_name = member.last_names
        user.save(update_fields=["first_name", "last_name"])
    return links


# --- Events recorded through the services ------------------------------------------------------


def _events(ctx: DemoContext, spec: RegistrySpec, rng, slots: list[Slot], serials) -> None:
    by = ctx.users.get("tesorera")
    board = ctx.users.get("directiva")
    events = []

    def pick(condition):
        candidates = [s for s in slots if not s.used and condition(s)]
        slot = rng.choice(candidates)
        slot.used = True
        return slot

    def household(s):
        return s.kind == "ordinary" and s.category != Category.COMMERCIAL and not s.recent

    for _ in range(spec.disconnected):
        day = date(rng.randint(2019, 2023), rng.randint(1, 12), rng.randint(1, 28))
        slot = pick(lambda s, day=day: household(s) and s.connected_on < day - timedelta(1000))
        events.append((day, "disconnect", slot))
    for _ in range(spec.replacements):
        months_back = rng.randint(2, 20)
        day = ctx.recent_day(rng, months_back)
        slot = pick(lambda s, day=day: s.kind != "tap" and s.connected_on < day - timedelta(700))
        events.append((day, "replace", slot))
    for _ in range(spec.transfers):
        day = ctx.recent_day(rng, rng.randint(3, 18))
        slot = pick(
            lambda s: household(s) and s.member.connections == 1 and s.connected_on.year < 2020
        )
        events.append((day, "transfer", slot))
    for _ in range(spec.suspended):
        day = ctx.recent_day(rng, rng.randint(1, 4))
        slot = pick(lambda s, day=day: household(s) and s.connected_on < day)
        events.append((day, "suspend", slot))

    events.sort(key=lambda e: (e[0], e[2].obj.number))
    transfers = 0
    for index, (day, kind, slot) in enumerate(events):
        if kind == "disconnect":
            services.connection_update(
                connection=slot.obj, by=board, status=Status.DISCONNECTED, notes=DISCONNECT_NOTES
            )
        elif kind == "suspend":
            services.connection_update(
                connection=slot.obj, by=by, status=Status.SUSPENDED, notes=CUT_NOTES
            )
        elif kind == "replace":
            _replace_meter(ctx, rng, slot, day, serials)
        elif kind == "transfer":
            _transfer(ctx, rng, slot, day, inherits=transfers % 2 == 0)
            transfers += 1
        _backdate(ctx, ctx.at(day, 15, index % 60))


def _replace_meter(ctx: DemoContext, rng, slot: Slot, day: date, serials) -> None:
    old = slot.meter
    months = (day - old.installed_on).days / 30.4
    people = slot.member.household_size if slot.member else 8
    rate = people * M3_PER_PERSON_MONTH * rng.uniform(0.8, 1.2)
    if slot.kind == "institution":
        rate = rng.uniform(25, 60)
    final = Decimal(f"{months * rate:.3f}") % old.capacity
    brand, serial = _meter_serial(rng, day, serials)
    slot.meter = meter_services.meter_replace(
        connection=slot.obj,
        by=ctx.users.get("operador"),
        removed_on=day,
        final_reading=final,
        serial=serial,
        brand=brand,
        digits=old.digits if old.digits >= 5 else 5,
        reason=rng.choice(REPLACEMENT_REASONS),
    )


def _transfer(ctx: DemoContext, rng, slot: Slot, day: date, inherits: bool) -> None:
    """A death passes the connection to a son or daughter; a sale, to the buyer of the lot."""
    by = ctx.users.get("tesorera")
    old = slot.member.obj
    gender = rng.choice(["F", "M"])
    last_names = (
        names.child_last_names(rng, old.last_names, old.gender)
        if inherits
        else names.last_names(rng)
    )
    code = Member.objects.filter(committee=ctx.committee).count() + 1
    document = f"{rng.randint(2_000_000, 9_999_999)} CB"
    while Member.objects.filter(committee=ctx.committee, id_document=document).exists():
        document = f"{rng.randint(2_000_000, 9_999_999)} CB"
    new = services.member_create(
        committee=ctx.committee,
        by=by,
        code=f"{code:04d}",
        first_names=names.first_names(rng, gender),
        last_names=last_names,
        id_document=document,
        phone=f"7{rng.randint(0, 9_999_999):07d}",
        gender=gender,
        household_size=rng.choices(range(1, 11), HOUSEHOLD_WEIGHTS)[0],
        joined_on=day,
    )
    reason = (
        "Sucesión: fallecimiento del titular, pasa a su hijo/a"
        if inherits
        else "Compraventa del lote"
    )
    services.connection_transfer(connection=slot.obj, by=by, member=new, on=day, reason=reason)
    status = Member.Status.DECEASED if inherits else Member.Status.WITHDRAWN
    services.member_update(member=old, by=by, status=status)


HISTORY_MODELS = [Member, Lot, Connection, Holding, Meter]


def _backdate(ctx: DemoContext, when) -> None:
    """Date the history records an event just wrote on the day the event happened."""
    for model in HISTORY_MODELS:
        model.history.filter(
            committee_id=ctx.committee.pk, history_date__gte=ctx.started_at
        ).update(history_date=when)
