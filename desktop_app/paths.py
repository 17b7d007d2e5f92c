"""Where the app finds what it ships and where it keeps what it makes.

Shipped files live beside the package in a source checkout (``resources/``, ``data/``)
and inside it in an installed wheel (``desktop_app/_shipped/``). User files go to the
platform's data and config folders, or to the folders named by ``EVENT_ATLAS_DATA_DIR``
and ``EVENT_ATLAS_CONFIG_DIR`` (which tests use to stay away from real settings).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "event-atlas"
_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    checkout = _PACKAGE.parent / name
    return checkout if checkout.is_dir() else _PACKAGE / "_shipped" / name


def resources_dir() -> Path:
    return _shipped("resources")


def data_dir() -> Path:
    return _shipped("data")


def user_data_dir() -> Path:
    override = os.environ.get("EVENT_ATLAS_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))


def user_config_dir() -> Path:
    override = os.environ.get("EVENT_ATLAS_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME))


def user_cache_dir() -> Path:
    override = os.environ.get("EVENT_ATLAS_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME))


def default_store_path() -> Path:
    """The store the app opens when told nothing: ``EVENT_ATLAS_DB`` or the user data folder."""
    override = os.environ.get("EVENT_ATLAS_DB")
    return Path(override) if override else user_data_dir() / "events.db"
