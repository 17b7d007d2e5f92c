"""Outlets by one name each, so that "The Guardian", "Guardian" and theguardian.com count
as one outlet when an event's corroboration is counted.

The names come from a table in ``data/outlets/outlets.json`` (and a file of the same
shape in the user's config folder, whose entries are added): each outlet's name, the
other names it goes by, and its web addresses. A name the table does not know still
loses a leading "The", its case and its punctuation, so small spelling differences do
not count as a second outlet.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from desktop_app.paths import data_dir, user_config_dir

_SHIPPED = "outlets/outlets.json"
_USER_FILE = "outlets.json"
# One label of a host name; the last one (the top-level domain) is letters only.
_LABEL = re.compile(r"[a-z0-9-]+")


class OutletNames:
    """Looks up an outlet's one name from any of the names or addresses it goes by.

    Parameters
    ----------
    tables
        JSON tables (``{"outlets": [{"name", "aliases", "domains"}]}``), later ones
        adding to and overriding earlier ones.
    """

    def __init__(self, tables: Iterable[dict]) -> None:
        self._by_key: dict[str, str] = {}
        self._by_domain: dict[str, str] = {}
        tables = list(tables)
        #: Changes whenever the tables do: a store keeps the one its outlets were named by.
        self.fingerprint = hashlib.sha256(
            json.dumps(tables, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()[:16]
        for table in tables:
            for entry in table.get("outlets", ()):
                name = str(entry["name"])
                for alias in (name, *entry.get("aliases", ())):
                    self._by_key[_key(str(alias))] = name
                for domain in entry.get("domains", ()):
                    self._by_domain[str(domain).lower().removeprefix("www.")] = name

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> OutletNames:
        """The tables in ``paths`` that exist, in order."""
        tables = []
        for path in paths:
            if path.is_file():
                tables.append(json.loads(path.read_text(encoding="utf-8")))
        return cls(tables)

    def name(self, outlet: str) -> str:
        """The outlet's one name: from the table when it knows the name or address,
        else the name as written, its spaces tidied."""
        written = " ".join(outlet.split())
        host = _host(written)
        if host:
            parts = host.split(".")
            # edition.cnn.com is cnn.com; bbc.co.uk is itself.
            for start in range(len(parts) - 1):
                found = self._by_domain.get(".".join(parts[start:]))
                if found:
                    return found
            return host
        return self._by_key.get(_key(written), written)

    def independent(self, outlets: Iterable[str]) -> tuple[str, ...]:
        """The distinct outlets among ``outlets``, by their one name, in first-seen order."""
        seen: dict[str, str] = {}
        for outlet in outlets:
            if outlet and outlet.strip():
                name = self.name(outlet)
                seen.setdefault(_key(name), name)
        return tuple(seen.values())


def _host(text: str) -> str | None:
    """The host of a web address, with or without its scheme ("https://www.reuters.com/x",
    "bbc.co.uk"), without "www."; None for a text that is not one."""
    if " " in text or "." not in text:
        return None
    try:
        host = urlsplit(text if "://" in text else "//" + text).hostname
    except ValueError:
        return None
    if not host:
        return None
    labels = host.removeprefix("www.").split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    if not (labels[-1].isalpha() and len(labels[-1]) >= 2):
        return None  # "3.5" or "St. Petersburg" is no address
    return ".".join(labels)


def outlet_key(name: str) -> str:
    """What two spellings of one outlet share (see :meth:`OutletNames.independent`): the
    store counts independent outlets by it too."""
    return _key(name)


def _key(name: str) -> str:
    """A name without case, accents' compatibility forms, punctuation or a leading
    "The": what two spellings of one outlet share."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    words = text.split()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    return " ".join(words)


@cache
def outlet_names() -> OutletNames:
    """The app's table: the shipped one, with the user's own added."""
    return OutletNames.from_files([data_dir() / _SHIPPED, user_config_dir() / _USER_FILE])


def corroboration(outlets: Iterable[str]) -> int:
    """How many independent outlets an event cites."""
    return len(outlet_names().independent(outlets))
