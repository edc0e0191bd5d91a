"""The two demo committees and the demo logins.

"María Auxiliadora" is modelled on a hillside committee in the south of Cochabamba: a well, a
tank on the hill, a few hundred metered households. "Villa Pagador Alto" is a smaller neighbour
for the federation views. Both are synthetic: no real committee's data is used.
"""

import io
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from comunagua.tenancy.models import Committee, RoleAssignment
from comunagua.tenancy.roles import Role
from comunagua.tenancy.services import committee_logo_set

from . import names

PASSWORD = "demo"
MAIN_SLUG = "maria-auxiliadora"
SECOND_SLUG = "villa-pagador-alto"


@dataclass(frozen=True)
class CommitteeSpec:
    slug: str
    name: str
    address: str
    legal_registration: str
    licence_number: str


COMMITTEES = [
    CommitteeSpec(
        slug=MAIN_SLUG,
        name="Comité de Agua María Auxiliadora (demo)",
        address="Sede social, Av. Los Andes s/n, Zona Sur, Cochabamba",
        legal_registration="Personería jurídica RAP 000/2011 (demo)",
        licence_number="Registro EPSA 0000-D (demo)",
    ),
    CommitteeSpec(
        slug=SECOND_SLUG,
        name="Comité de Agua Villa Pagador Alto (demo)",
        address="Casa comunal, Calle Illimani s/n, Zona Sudeste, Cochabamba",
        legal_registration="Personería jurídica RAP 001/2016 (demo)",
        licence_number="Registro EPSA 0001-D (demo)",
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    label: str  # the role as the command prints it, in Spanish
    gender: str
    extra: tuple[tuple[str, Role], ...] = ()  # roles in other demo committees


LOGINS = [
    DemoLogin("directiva", Role.BOARD, "Directiva", "F"),
    DemoLogin("tesorera", Role.TREASURER, "Tesorera", "F"),
    DemoLogin("cajera", Role.CASHIER, "Cajera", "F"),
    DemoLogin("lector", Role.READER, "Lector de medidores", "M"),
    DemoLogin("operador", Role.OPERATOR, "Operador", "M"),
    DemoLogin("socio", Role.MEMBER, "Socio/a (un hogar)", "F"),
    DemoLogin(
        "federacion",
        Role.FEDERATION,
        "Analista de la federación",
        "M",
        extra=((SECOND_SLUG, Role.FEDERATION),),
    ),
]
USERNAMES = [login.username for login in LOGINS]


def _logo() -> ContentFile:
    """A drawn logo for the main committee: a white drop on the water's blue."""
    picture = Image.new("RGBA", (320, 320), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((8, 8, 312, 312), fill=(11, 83, 115, 255))
    draw.polygon([(160, 52), (96, 170), (224, 170)], fill=(255, 255, 255, 255))
    draw.ellipse((94, 118, 226, 250), fill=(255, 255, 255, 255))
    draw.arc((118, 150, 202, 234), start=100, end=170, fill=(11, 83, 115, 255), width=8)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return ContentFile(out.getvalue(), name="logo.png")


def create_committees() -> dict[str, Committee]:
    committees = {}
    for spec in COMMITTEES:
        committee = Committee(
            slug=spec.slug,
            name=spec.name,
            address=spec.address,
            legal_registration=spec.legal_registration,
            licence_number=spec.licence_number,
            bill_rounding=Decimal("0.10"),
        )
        committee.full_clean()
        committee.save()
        committees[spec.slug] = committee
    # Through the board's own service, as a board would upload it (printed on bills, receipts).
    committees[MAIN_SLUG] = committee_logo_set(
        committee=committees[MAIN_SLUG], by=None, upload=_logo()
    )
    return committees


def create_users(committees: dict[str, Committee], *, seed: int) -> dict:
    """The demo logins, all with the password `demo`, each with its role in María Auxiliadora.

    One hash serves every login: hashing is slow on purpose and the password is the same.
    """
    rng = random.Random(f"{seed}:logins")
    password = make_password(PASSWORD)
    users = {}
    for login in LOGINS:
        user = get_user_model()(
            username=login.username,
            first_name=names.first_names(rng, login.gender).split()[0],
            last_name=names.last_names(rng),
            password=password,
        )
        user.full_clean(exclude=["password"])
        user.save()
        RoleAssignment.objects.create(user=user, committee=committees[MAIN_SLUG], role=login.role)
        for slug, role in login.extra:
            RoleAssignment.objects.create(user=user, committee=committees[slug], role=role)
        users[login.username] = user
    return users
