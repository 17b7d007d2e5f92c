"""Settings: every preference declared once with its type and default, UI state kept apart.

The file lives in the user config folder (or ``EVENT_ATLAS_CONFIG_DIR``), as an INI file
so it is readable and tests can keep their own. An INI file keeps text only, and people
edit it by hand: each kind of :class:`Option` turns what the file holds back into its
type, and a value it cannot read into its default, so :meth:`Settings.get` always
returns the option's type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

from desktop_app.mapgen.page import MARK_STYLES
from desktop_app.paths import user_config_dir

T = TypeVar("T")


@dataclass(frozen=True)
class Option(Generic[T]):
    """One setting: its key in the file and its default.

    Subclasses say how a value is read from the file (:meth:`read`) and written to it
    (:meth:`write`).
    """

    key: str
    default: T

    def read(self, stored: object) -> T:
        """The value of ``stored`` (what the file holds, never None), or the default."""
        raise NotImplementedError

    def write(self, value: T) -> object:
        """What the file keeps for ``value``."""
        return value


@dataclass(frozen=True)
class TextOption(Option[str]):
    """A line of text: a name, a path, a key."""

    default: str = ""

    def read(self, stored: object) -> str:
        if isinstance(stored, str):
            return stored
        if isinstance(stored, list):
            # An unquoted comma in a hand-edited file makes QSettings read a list.
            return ", ".join(str(part) for part in stored)
        return self.default

    def write(self, value: str) -> object:
        return str(value)


@dataclass(frozen=True)
class ChoiceOption(TextOption):
    """One of a few words; any other word reads as the default."""

    choices: tuple[str, ...] = ()

    def read(self, stored: object) -> str:
        value = super().read(stored)
        return value if value in self.choices else self.default

    def write(self, value: str) -> object:
        if value not in self.choices:
            raise ValueError(f"{self.key}: {value!r} is not one of {', '.join(self.choices)}")
        return value


@dataclass(frozen=True)
class BoolOption(Option[bool]):
    """On or off (the file says ``true`` or ``false``)."""

    default: bool = False

    def read(self, stored: object) -> bool:
        if isinstance(stored, bool):
            return stored
        if isinstance(stored, str) and stored.strip().lower() in ("true", "false"):
            return stored.strip().lower() == "true"
        return self.default

    def write(self, value: bool) -> object:
        return bool(value)


@dataclass(frozen=True)
class BytesOption(Option[QByteArray]):
    """Bytes Qt saves and restores itself (window geometry, dock layout)."""

    default: QByteArray = field(default_factory=QByteArray)

    def read(self, stored: object) -> QByteArray:
        return QByteArray(stored) if isinstance(stored, QByteArray) else QByteArray()

    def write(self, value: QByteArray) -> object:
        return QByteArray(value)


@dataclass(frozen=True)
class NumbersOption(Option[list[float] | None]):
    """A fixed count of finite numbers, or None (nothing remembered yet)."""

    default: list[float] | None = None
    count: int = 2

    def read(self, stored: object) -> list[float] | None:
        if not isinstance(stored, list | tuple) or len(stored) != self.count:
            return None
        try:
            numbers = [float(part) for part in stored]
        except (TypeError, ValueError):
            return None
        return numbers if all(math.isfinite(n) for n in numbers) else None

    def write(self, value: list[float] | None) -> object:
        if value is None:
            return None
        numbers = [float(part) for part in value]
        if len(numbers) != self.count:
            raise ValueError(f"{self.key}: {self.count} numbers expected, not {len(numbers)}")
        return numbers


@dataclass(frozen=True)
class TextListOption(Option[list[str]]):
    """Lines of text in order (paths, names), at most ``limit`` of them, none empty."""

    default: list[str] = field(default_factory=list)
    limit: int = 8

    def read(self, stored: object) -> list[str]:
        # QSettings gives back a list of one as a plain string.
        items = [stored] if isinstance(stored, str) else stored
        if not isinstance(items, list | tuple):
            return []
        return [str(item) for item in items if str(item)][: self.limit]

    def write(self, value: list[str]) -> object:
        items = [str(item) for item in value if str(item)][: self.limit]
        return items or None


# Preferences the user chooses.
ONLINE_LAYER = TextOption("map/online_layer")
# The local MBTiles file shown as the base layer; empty when another base layer is chosen.
MBTILES_FILE = TextOption("map/mbtiles_file")
FADE_BY_AGE = BoolOption("map/fade_by_age", True)
MARK_STYLE = ChoiceOption("map/mark_style", "auto", choices=MARK_STYLES)
PLACE_UNCERTAINTY = BoolOption("map/place_uncertainty", True)
# Online geocoding sends unknown place names to OpenStreetMap Nominatim: off until asked.
ONLINE_GEOCODING = BoolOption("geo/online_geocoding", False)
GEOCODER_CONTACT = TextOption("geo/nominatim_contact")
IMPORT_ON_ERROR = ChoiceOption("import/on_error", "skip", choices=("skip", "abort"))

# State of the interface, restored on the next start.
GEOMETRY = BytesOption("ui/geometry")
DOCK_STATE = BytesOption("ui/dock_state")
# [start, end] in days since 1970-01-01.
TIME_WINDOW = NumbersOption("ui/time_window", count=2)
# [latitude, longitude, zoom].
MAP_VIEW = NumbersOption("ui/map_view", count=3)
LAST_STORE = TextOption("ui/last_store")
IMPORT_FOLDER = TextOption("ui/import_folder")
# The folder the last export went to, where the next one starts.
EXPORT_FOLDER = TextOption("ui/export_folder")
# File ▸ Recent stores, the latest first.
RECENT_STORES = TextListOption("ui/recent_stores", limit=8)


class Settings:
    """Reads and writes :class:`Option` values in the app's settings file."""

    def __init__(self) -> None:
        path = user_config_dir() / "settings.ini"
        self._qsettings = QSettings(str(path), QSettings.Format.IniFormat)

    def get(self, option: Option[T]) -> T:
        """The option's value, of its type: its default when the file has none, or one
        that cannot be read."""
        stored = self._qsettings.value(option.key)
        return option.default if stored is None else option.read(stored)

    def set(self, option: Option[T], value: T) -> None:
        stored = option.write(value)
        if stored is None:
            self._qsettings.remove(option.key)
        else:
            self._qsettings.setValue(option.key, stored)

    def sync(self) -> None:
        self._qsettings.sync()
