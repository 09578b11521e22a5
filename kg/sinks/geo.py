"""Administrative codes and coordinates of place names, from cpca's adcode table.

cpca ships `resources/adcodes.csv` (adcode, name, longitude, latitude) for every province,
prefecture and county; `kg.link.places.Gazetteer` reads the names and codes, this adds the
coordinates for the exports. A name that the table holds more than once (吉林: the province and
the city) gets nothing: a wrong code is worse than none.

    >>> place_codes(["洮南市"])["洮南市"].adcode
    '220881000000'
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

from kg.link.places import Gazetteer


@dataclass(frozen=True)
class PlaceCode:
    adcode: str
    longitude: float | None
    latitude: float | None


def _coordinates() -> dict[str, tuple[float | None, float | None]]:
    text = resources.files("cpca").joinpath("resources/adcodes.csv").read_text(encoding="utf-8")
    out = {}
    for row in csv.DictReader(io.StringIO(text)):
        try:
            out[row["adcode"]] = (float(row["longitude"]), float(row["latitude"]))
        except (KeyError, TypeError, ValueError):
            out[row["adcode"]] = (None, None)
    return out


def place_codes(names) -> dict[str, PlaceCode]:
    """{name: PlaceCode} for the names (full or short) that name exactly one division."""
    gaz = Gazetteer()
    coords = _coordinates()
    out = {}
    for name in set(names):
        cands = gaz.lookup(name)
        if len(cands) == 1:
            lon, lat = coords.get(cands[0].adcode, (None, None))
            out[name] = PlaceCode(cands[0].adcode, lon, lat)
    return out
