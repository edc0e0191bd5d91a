"""The two demo committees and the demo logins.

"María Auxiliadora" is modelled on a hillside committee in the south of Cochabamba: a well, a
tank on the hill, a few hundred metered households. "Villa Pagador Alto" is a smaller neighbour
for the federation views. Both are synthetic: no real committee's data is used.
"""

import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from comunagua.tenancy.models import Committee, RoleAssignment
from comunagua.tenancy.roles import Role

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
