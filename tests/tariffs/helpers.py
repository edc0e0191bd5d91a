"""Tariffs the tests price with, written as the issue writes them."""

from pathlib import Path

from comunagua.tariffs import engine

EXAMPLE_FILE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "tarifa-2016.toml"

# The tariff of the issue, word for word.
TARIFA_2016 = """\
name = "Tarifa 2016"
currency = "BOB"
rounding = "0.10"          # the bill total is rounded half-up to this unit; lines to 0.01
[[category]]
code = "residential"
fixed_charge = "18.00"     # per month, whatever the consumption
minimum_m3 = "0"           # volume covered by the fixed charge (consumo mínimo)
sewer_percent = "0"        # sewer charge, percent of the water charges, for connections with sewer
blocks = [                 # increasing blocks over the whole month's consumption
  { up_to_m3 = "10", price = "2.00" },
  { up_to_m3 = "20", price = "3.00" },
  { price = "5.00" },      # the last block has no upper bound
]
"""


def tariff_data(**changes) -> dict:
    """The issue's tariff as data, one residential category, with top-level keys changed."""
    data = engine.to_data(engine.from_toml(TARIFA_2016))
    data.update(changes)
    return data


def residential(**changes) -> engine.Tariff:
    """The issue's tariff with the residential category's fields changed."""
    data = tariff_data()
    data["category"][0].update(changes)
    return engine.parse(data)
