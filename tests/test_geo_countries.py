"""Country names to codes from the gazetteer's countries alone (an ACLED import's
``country`` column), as the whole gazetteer answers them."""

from __future__ import annotations

import subprocess
import sys

from desktop_app.geo.gazetteer import Gazetteer, _read_countries, country_code
from desktop_app.geo.names import name_key
from desktop_app.paths import data_dir


def _first_country(gazetteer: Gazetteer, name: str) -> str | None:
    found = [e for e in gazetteer.lookup(name) if e.kind == "country"]
    return found[0].country if found else None


def test_every_name_the_gazetteer_knows_gives_its_country() -> None:
    folder = data_dir() / "gazetteer"
    whole = Gazetteer.load(folder)
    countries = _read_countries(folder)
    odd = ["", " ", "ukraine", "UKRAINE ", "Côte d’Ivoire", "Kyiv", "Georgia", "Congo",
           "Republic of the Congo", "x" * 5000, "Україна", "Atlantis", "\u00a0Ukraine"]  # fmt: skip
    for name in [*whole._index, *odd]:
        found = countries.get(name_key(name), ())
        assert (found[0].country if found else None) == _first_country(whole, name), name
    assert country_code("Ukraine") == "UA"
    assert country_code("Kyiv") is None  # a city, not a country


def test_a_country_is_found_without_loading_the_cities() -> None:
    code = (
        "from desktop_app.geo import gazetteer\n"
        "print(gazetteer.country_code('Ukraine'), gazetteer._default is None)\n"
    )
    said = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert said.stdout.split() == ["UA", "True"]
