"""UCDP Georeferenced Event Dataset (GED) CSV files, told by their columns.

Mapping (UCDP GED codebook -> event): ``id`` -> the uid; ``date_start``/``date_end``
-> the span; ``latitude``/``longitude`` with ``where_description`` (or
``where_coordinates``) -> the place; ``country`` -> its country; ``side_a``/``side_b``
-> actors; ``type_of_violence`` (1 state-based, 2 non-state, 3 one-sided violence) ->
the category (military) and, with ``best`` (the best estimate of deaths), the title;
``source_headline`` -> the excerpt, shown as a headline; ``source_office``
(``;``-separated) -> the cited sources. Every other column (``conflict_name``,
``deaths_civilians``, ``where_prec``, ...) is kept as an attribute.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop_app.ingest.interpret import Layout

REQUIRED = frozenset(
    {"id", "type_of_violence", "side_a", "side_b", "date_start", "latitude", "longitude"}
)
_VIOLENCE = {"1": "State-based violence", "2": "Non-state violence", "3": "One-sided violence"}


def is_ucdp(header: list[str]) -> bool:
    return {h.strip().lower() for h in header} >= REQUIRED


def _title(get: Callable[[str], str]) -> str:
    kind = _VIOLENCE.get(get("type_of_violence"), "Violence")
    where = get("where_description") or get("where_coordinates") or get("country")
    title = f"{kind} in {where}" if where else kind
    best = get("best")
    if best and best != "0":
        title += f" ({best} killed)"
    return title


LAYOUT = Layout(
    name="UCDP GED",
    roles={
        "id": "id",
        "date": "date_start",
        "end": "date_end",
        "lat": "latitude",
        "lon": "longitude",
        "place": "where_description",
        "country": "country",
        "text": "source_headline",
        "category": "type_of_violence",
        "title": "",
        "year": "year",
    },
    many={"actors": ("side_a", "side_b"), "source": ("source_office",)},
    title=_title,
    category=lambda value: "military" if value in _VIOLENCE else "other",
)
