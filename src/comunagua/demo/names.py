"""Names for synthetic people and streets.

Common Bolivian first names (Spanish, Quechua and Aymara) and surnames, and street names in the
style of Cochabamba's southern hillsides. They are combined at random (two first names, paternal
and maternal surname), so a generated person describes no one in particular.
"""

import random

WOMEN = [
    "María",
    "Rosa",
    "Juana",
    "Justina",
    "Sabina",
    "Felipa",
    "Eulogia",
    "Martha",
    "Carmen",
    "Lidia",
    "Teodora",
    "Valentina",
    "Celestina",
    "Florencia",
    "Maribel",
    "Ximena",
    "Elena",
    "Luisa",
    "Antonia",
    "Gregoria",
    "Petrona",
    "Victoria",
    "Basilia",
    "Hilda",
    "Norma",
    "Gladys",
    "Marlene",
    "Roxana",
    "Miriam",
    "Patricia",
    "Silvia",
    "Sonia",
    "Delia",
    "Francisca",
    "Isabel",
    "Lourdes",
    "Mercedes",
    "Cristina",
    "Jhenny",
    "Yola",
    "Paola",
    "Daniela",
    "Wara",
    "Sisa",
    "Killa",
    "Nayra",
    "Ayma",
    "Tika",
]

MEN = [
    "Juan",
    "José",
    "Mario",
    "Freddy",
    "Wilson",
    "Rubén",
    "Eduardo",
    "Marcelo",
    "Teófilo",
    "Gregorio",
    "Víctor",
    "Germán",
    "Efraín",
    "Celestino",
    "Hilarión",
    "Rolando",
    "Franz",
    "Limbert",
    "Edwin",
    "Wilfredo",
    "Ronald",
    "Grover",
    "Julio",
    "Carlos",
    "Luis",
    "Pedro",
    "Pablo",
    "Santiago",
    "Fermín",
    "Simón",
    "Eusebio",
    "Florentino",
    "Nicanor",
    "Severo",
    "Daniel",
    "Miguel",
    "Hugo",
    "René",
    "Jhonny",
    "Alex",
    "Reynaldo",
    "Vladimir",
    "Amaru",
    "Inti",
    "Mallku",
    "Wayra",
]

SURNAMES = [
    "Quispe",
    "Mamani",
    "Condori",
    "Choque",
    "Flores",
    "Vargas",
    "Rojas",
    "Gutiérrez",
    "Huanca",
    "Apaza",
    "Colque",
    "Ticona",
    "Nina",
    "Coca",
    "Villca",
    "Cruz",
    "Huarachi",
    "Yupanqui",
    "Copa",
    "Laura",
    "Chambi",
    "Guarachi",
    "Poma",
    "Arispe",
    "Ayala",
    "Zurita",
    "Claros",
    "Rocha",
    "Montaño",
    "Vallejos",
    "Orellana",
    "Terceros",
    "Fernández",
    "Mercado",
    "Camacho",
    "Soliz",
    "Torrico",
    "Veizaga",
    "Coaquira",
    "Callisaya",
    "Limachi",
    "Tarqui",
    "Sirpa",
    "Alanoca",
    "Mollo",
    "Huallpa",
    "Cussi",
    "Chura",
    "Quiroga",
    "Ugarte",
    "Medrano",
    "Salazar",
    "Gonzales",
    "López",
    "Pérez",
    "Antezana",
    "Guzmán",
    "Jaldín",
    "Sejas",
    "Zambrana",
]

# Street names in the way hillside neighbourhoods name them: flowers and trees, mountains,
# dates and heroines, Quechua words. Generic on purpose: no real address is meant.
STREETS = [
    "Calle Los Claveles",
    "Calle Las Retamas",
    "Calle Los Molles",
    "Calle Las Kantutas",
    "Calle Los Ceibos",
    "Calle Las Acacias",
    "Calle Los Algarrobos",
    "Calle Tunari",
    "Calle Illimani",
    "Calle Sajama",
    "Calle Illampu",
    "Calle Huayna Potosí",
    "Calle 14 de Septiembre",
    "Calle 6 de Agosto",
    "Calle 1 de Mayo",
    "Calle Juana Azurduy",
    "Calle Bartolina Sisa",
    "Calle Túpac Katari",
    "Calle Inti Raymi",
    "Calle Pachamama",
    "Calle Tika",
    "Calle Ayni",
    "Calle Kollasuyo",
    "Calle Qhochapampa",
    "Pasaje Los Pinos",
    "Pasaje Las Violetas",
    "Pasaje Wiphala",
    "Pasaje El Mirador",
    "Pasaje Los Eucaliptos",
    "Pasaje San Isidro",
    "Av. Circunvalación Alta",
    "Av. Los Andes",
    "Av. Ecológica",
    "Camino al Tanque",
]


def first_names(rng: random.Random, gender: str) -> str:
    """One or two first names; a little more than half of people carry two."""
    pool = WOMEN if gender == "F" else MEN
    first = rng.choice(pool)
    if rng.random() < 0.55:
        second = rng.choice(pool)
        while second == first:
            second = rng.choice(pool)
        return f"{first} {second}"
    return first


def surnames(rng: random.Random) -> tuple[str, str]:
    """Paternal and maternal surname (the maternal one is sometimes not recorded)."""
    paternal = rng.choice(SURNAMES)
    maternal = rng.choice(SURNAMES) if rng.random() < 0.93 else ""
    return paternal, maternal


def last_names(rng: random.Random) -> str:
    return " ".join(part for part in surnames(rng) if part)


def child_last_names(rng: random.Random, parent_last_names: str, parent_gender: str) -> str:
    """A son's or daughter's surnames: father's first surname, then mother's first surname."""
    parent_first = parent_last_names.split()[0]
    other = rng.choice(SURNAMES)
    if parent_gender == "F":
        return f"{other} {parent_first}"
    return f"{parent_first} {other}"
