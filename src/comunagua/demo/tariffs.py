"""The tariff of each demo committee: the example "Tarifa 2016" (docs/examples/tarifa-2016.toml),
with prices for institutions and public taps too, in force long before the first demo month."""

from datetime import date

from comunagua.tariffs import services
from comunagua.tariffs.models import Tariff

from .context import DemoContext

EFFECTIVE_FROM = date(2016, 1, 1)

TOML = """\
# Tarifa de ejemplo de un comité de agua (ver docs/tariffs.md).
name = "Tarifa 2016"
currency = "BOB"
rounding = "0.10"

[[category]]
code = "residential"
fixed_charge = "18.00"
minimum_m3 = "0"
sewer_percent = "0"
blocks = [
  { up_to_m3 = "10", price = "2.00" },
  { up_to_m3 = "20", price = "3.00" },
  { price = "5.00" },
]

[[category]]
code = "social"
fixed_charge = "9.00"
blocks = [
  { up_to_m3 = "10", price = "2.00" },
  { up_to_m3 = "20", price = "3.00" },
  { price = "5.00" },
]

[[category]]
code = "commercial"
fixed_charge = "30.00"
minimum_m3 = "5"
sewer_percent = "30"
blocks = [
  { up_to_m3 = "10", price = "3.50" },
  { up_to_m3 = "30", price = "5.00" },
  { price = "8.00" },
]

[[category]]
code = "institutional"     # escuela, posta, sede, capilla
fixed_charge = "20.00"
blocks = [
  { up_to_m3 = "30", price = "2.00" },
  { price = "3.00" },
]

[[category]]
code = "public_tap"        # pileta pública: el comité paga el agua al precio base
fixed_charge = "0.00"
blocks = [
  { price = "2.00" },
]

[[charge]]
code = "late_fine"
name = "Multa por mora"
amount = "5.00"

[[charge]]
code = "reconnection"
name = "Reconexión"
amount = "50.00"

[[charge]]
code = "assembly_fine"
name = "Multa por falta a asamblea"
amount = "20.00"
"""


def generate(ctx: DemoContext) -> dict:
    tariff = services.tariff_create(
        committee=ctx.committee,
        by=ctx.users.get("tesorera"),
        effective_from=EFFECTIVE_FROM,
        toml_text=TOML,
        notes="Aprobada en asamblea (demo).",
    )
    ctx.results["tariff"] = tariff
    return {"tariffs": Tariff.objects.filter(committee=ctx.committee).count()}
