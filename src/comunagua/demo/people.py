"""The people of a demo register, drawn before anything is written: a member for every
connection but the public taps (some hold two), their households, names, documents and phones,
the households on the social tariff, and the member logins given a household."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from comunagua.registry.models import Connection, Member

from . import names
from .context import DemoContext

if TYPE_CHECKING:  # only for the annotations: connections.py imports this module
    from .connections import RegistrySpec, Slot

Category = Connection.Category

# People per household, 1 to 10: mean about 4.5, as on Cochabamba's hillsides.
HOUSEHOLD_WEIGHTS = [7, 11, 17, 19, 17, 12, 8, 5, 3, 1]

SOCIAL_NOTES = "Adulta/o mayor: tarifa social aprobada en asamblea."


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


def draw_members(
    ctx: DemoContext, spec: "RegistrySpec", rng, slots: "list[Slot]"
) -> list[MemberDraft]:
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


def link_member_logins(ctx: DemoContext, rng, slots: "list[Slot]") -> dict[int, object]:
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
