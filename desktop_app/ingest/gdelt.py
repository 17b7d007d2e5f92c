"""GDELT event exports: headerless tables told by their shape.

The GDELT Project publishes its events as tab-separated files without a header row:
57 columns (1.0, the historical backfile before April 2013), 58 (1.0 daily files, which
add ``SOURCEURL``) or 61 (2.0, which adds an ``ADM2Code`` to each of the three places).
A file is taken for one when its first row has one of those widths, a
``GLOBALEVENTID`` (a whole number) first and a ``SQLDATE`` (``YYYYMMDD``) second. The
columns then get GDELT's own names, and the interpretation layer maps them like any
header: ``ActionGeo_Lat``/``ActionGeo_Long``/``ActionGeo_FullName`` -> the place,
``Actor1Name``/``Actor2Name`` -> actors, ``EventCode`` -> the category, ``SOURCEURL`` ->
the article, ``SQLDATE`` -> the date, ``GLOBALEVENTID`` -> the id; every other column is
kept as an attribute.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_EVENT = [
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
]  # fmt: skip
_ACTOR = [
    "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
    "Religion2Code", "Type1Code", "Type2Code", "Type3Code",
]  # fmt: skip
_ACTION = [
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
    "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
]  # fmt: skip


def _geo(prefix: str, adm2: bool) -> list[str]:
    parts = ["Type", "FullName", "CountryCode", "ADM1Code"]
    parts += ["ADM2Code"] if adm2 else []
    parts += ["Lat", "Long", "FeatureID"]
    return [f"{prefix}Geo_{p}" for p in parts]


def _columns(adm2: bool, url: bool) -> list[str]:
    names = list(_EVENT)
    names += [f"Actor1{p}" for p in _ACTOR] + [f"Actor2{p}" for p in _ACTOR] + _ACTION
    for prefix in ("Actor1", "Actor2", "Action"):
        names += _geo(prefix, adm2)
    names += ["DATEADDED"] + (["SOURCEURL"] if url else [])
    return names


#: GDELT's column names by the width of a row.
COLUMNS: dict[int, list[str]] = {
    57: _columns(adm2=False, url=False),
    58: _columns(adm2=False, url=True),
    61: _columns(adm2=True, url=True),
}
_SQLDATE = re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")


def gdelt_columns(first_row: Sequence[str]) -> list[str] | None:
    """GDELT's column names when ``first_row`` is a GDELT event row, else None."""
    names = COLUMNS.get(len(first_row))
    if names is None:
        return None
    ident, day = first_row[0].strip(), first_row[1].strip()
    if ident.isdigit() and _SQLDATE.match(day):
        return names
    return None
