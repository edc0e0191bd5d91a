"""The register of each demo committee: sectors, members, lots, connections, holdings, meters.

What each committee's register looks like is REGISTRY; its people are drawn in people.py and its
connections, lots and meters in connections.py, before anything is written. The bulk of the
register (years of connections) is written with `bulk_create_with_history`, each history record
dated when the thing happened; the few later events (a cut, a meter replacement, a transfer of
rights) go through the services, as the office would record them, and their history records are
then dated on the day of the event.
"""

from datetime import date, timedelta
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from comunagua.metering.meters import services as meter_services
from comunagua.registry import services
from comunagua.registry.models import Connection, Holding, Lot, Member, Meter, Sector

from . import names
from .committees import MAIN_SLUG, SECOND_SLUG
from .connections import RegistrySpec, SectorSpec, Slot, draw_lots, draw_slots, meter_serial
from .context import DemoContext
from .people import HOUSEHOLD_WEIGHTS, draw_members, link_member_logins

Category = Connection.Category
Status = Connection.Status

# Monthly use per person, m³ (little water, much of it carried and reused).
M3_PER_PERSON_MONTH = 2.1

REPLACEMENT_REASONS = [
    "Medidor trabado: no registra consumo",
    "Esfera empañada, no se puede leer",
    "Fuga en el cuerpo del medidor",
    "Medidor dañado por helada",
]

CUT_NOTES = "Corte por mora: tres avisos impagos."
DISCONNECT_NOTES = "Lote deshabitado: acometida retirada a pedido del socio."


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
    slots = draw_slots(ctx, spec, rng)
    members = draw_members(ctx, spec, rng, slots)
    lots = draw_lots(spec, rng, slots)
    for slot in slots:
        sector = spec.sectors[slot.sector]
        slot.has_sewer = slot.kind != "tap" and rng.random() < sector.sewer
    socio = link_member_logins(ctx, rng, slots)

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
        brand, serial = meter_serial(rng, slot.connected_on, serials)
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
    brand, serial = meter_serial(rng, day, serials)
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
