"""The map page's scaffold, rendered by folium once and kept in the user's cache folder.

The scaffold is what folium renders (Leaflet's map, its base layers, the scripts that
start our event layer). It holds no event data and no text from a store: those go into
the page afterwards as data blocks (:mod:`desktop_app.mapgen.embed`). So a start whose
scaffold is already kept needs no folium at all, and folium with branca, jinja2 and
requests is a good part of a start's imports.

A kept scaffold is found by a key made of everything its rendering depends on (see
:func:`desktop_app.mapgen.page.scaffold_key_parts`); a file that does not match its own
checksum (cut short, damaged) is never used: it is rendered again and replaced.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path

from desktop_app.files import ExportError, atomic_output

#: The first line of a kept scaffold; the rest of the file is the page it checks.
_HEADER = "<!-- event-atlas page scaffold sha256:{digest} -->\n"
_HEADER_START = _HEADER.split("{", 1)[0]

log = logging.getLogger(__name__)


def scaffold_key(parts: dict) -> str:
    """The name of the kept scaffold rendered from ``parts`` (JSON-able values)."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scaffold_path(folder: Path, parts: dict) -> Path:
    """Where the scaffold rendered from ``parts`` is kept in ``folder``."""
    return folder / f"scaffold-{scaffold_key(parts)}.html"


def read_kept(path: Path) -> str | None:
    """The scaffold kept at ``path``, or None if there is none or it is not whole."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    first, newline, body = data.partition(b"\n")
    header = first.decode("ascii", "replace") + "\n"
    if not newline or not header.startswith(_HEADER_START):
        return None
    digest = hashlib.sha256(body).hexdigest()
    if header != _HEADER.format(digest=digest):
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def keep(path: Path, page: str) -> None:
    """Keep ``page`` at ``path``, whole or not at all (written aside, then renamed)."""
    body = page.encode("utf-8")
    data = _HEADER.format(digest=hashlib.sha256(body).hexdigest()).encode("ascii") + body
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(path) as temporary:
            temporary.write_bytes(data)
    except (OSError, ExportError):
        # A cache that cannot be written (full disk, read-only folder) only costs the
        # next start a render.
        log.debug("the page scaffold cannot be kept at %s", path, exc_info=True)


def kept_scaffold(folder: Path, parts: dict, render: Callable[[], str]) -> str:
    """The scaffold of ``parts`` from ``folder``, or ``render()`` kept there when it has
    none (or a damaged one)."""
    path = scaffold_path(folder, parts)
    page = read_kept(path)
    if page is None:
        page = render()
        keep(path, page)
    return page
