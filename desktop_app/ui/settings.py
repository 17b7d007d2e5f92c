"""Settings: every preference declared once with its default, UI state kept apart.

The file lives in the user config folder (or ``EVENT_ATLAS_CONFIG_DIR``), as an INI file
so it is readable and tests can keep their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings

from desktop_app.paths import user_config_dir


@dataclass(frozen=True)
class Option:
    """One setting: its key and its default."""

    key: str
    default: object


# Preferences the user chooses.
ONLINE_LAYER = Option("map/online_layer", "")
# The local MBTiles file shown as the base layer; empty when another base layer is chosen.
MBTILES_FILE = Option("map/mbtiles_file", "")
FADE_BY_AGE = Option("map/fade_by_age", True)
# Online geocoding sends unknown place names to OpenStreetMap Nominatim: off until asked.
ONLINE_GEOCODING = Option("geo/online_geocoding", False)
GEOCODER_CONTACT = Option("geo/nominatim_contact", "")
IMPORT_ON_ERROR = Option("import/on_error", "skip")

# State of the interface, restored on the next start.
GEOMETRY = Option("ui/geometry", QByteArray())
DOCK_STATE = Option("ui/dock_state", QByteArray())
TIME_WINDOW = Option("ui/time_window", None)
MAP_VIEW = Option("ui/map_view", None)
LAST_STORE = Option("ui/last_store", "")
IMPORT_FOLDER = Option("ui/import_folder", "")


class Settings:
    """Reads and writes :class:`Option` values in the app's settings file."""

    def __init__(self) -> None:
        path = user_config_dir() / "settings.ini"
        self._qsettings = QSettings(str(path), QSettings.Format.IniFormat)

    def get(self, option: Option):
        value = self._qsettings.value(option.key, option.default)
        if isinstance(option.default, bool) and isinstance(value, str):
            return value.lower() == "true"
        return value

    def set(self, option: Option, value: object) -> None:
        self._qsettings.setValue(option.key, value)

    def sync(self) -> None:
        self._qsettings.sync()
