"""Typed settings: each option read back as its type from the INI file, hand edits and
all, and its default when the file says something it cannot read."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray

from desktop_app.paths import user_config_dir
from desktop_app.ui import settings as opt
from desktop_app.ui.settings import Option, Settings

DECLARED = [value for value in vars(opt).values() if isinstance(value, Option)]


def write_file(text: str) -> None:
    folder = user_config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.ini").write_text(text, encoding="utf-8")


def test_every_option_is_declared_once_and_starts_at_its_default():
    keys = [option.key for option in DECLARED]
    assert len(keys) == len(set(keys)) >= 12
    settings = Settings()
    for option in DECLARED:
        value = settings.get(option)
        assert value == option.default, option.key
        assert type(value) is type(option.default), option.key


def test_values_come_back_as_their_type_from_the_file():
    write_file(
        "[map]\nfade_by_age=false\nonline_layer=CartoDB.Positron\n"
        "[geo]\nonline_geocoding=true\nnominatim_contact=desk@example.org\n"
        "[import]\non_error=abort\n"
        "[ui]\ntime_window=20240, 20254.5\nmap_view=50.45, 30.52, 7\n"
        'import_folder="/home/anna/news, June"\n'
    )
    settings = Settings()
    assert settings.get(opt.FADE_BY_AGE) is False
    assert settings.get(opt.ONLINE_GEOCODING) is True
    assert settings.get(opt.ONLINE_LAYER) == "CartoDB.Positron"
    assert settings.get(opt.GEOCODER_CONTACT) == "desk@example.org"
    assert settings.get(opt.IMPORT_ON_ERROR) == "abort"
    assert settings.get(opt.TIME_WINDOW) == [20240.0, 20254.5]
    assert settings.get(opt.MAP_VIEW) == [50.45, 30.52, 7.0]
    assert settings.get(opt.IMPORT_FOLDER) == "/home/anna/news, June"


def test_what_cannot_be_read_reads_as_the_default():
    write_file(
        "[map]\nfade_by_age=maybe\n"
        "[geo]\nonline_geocoding=1\n"
        "[import]\non_error=ignore\n"
        "[ui]\ntime_window=20240\nmap_view=north, 30.52, 7\nimport_folder=/home/anna/a, b\n"
        "geometry=not bytes\n"
    )
    settings = Settings()
    assert settings.get(opt.FADE_BY_AGE) is True
    assert settings.get(opt.ONLINE_GEOCODING) is False
    assert settings.get(opt.IMPORT_ON_ERROR) == "skip"
    assert settings.get(opt.TIME_WINDOW) is None
    assert settings.get(opt.MAP_VIEW) is None
    # Written by hand without quotes: still the text the user meant.
    assert settings.get(opt.IMPORT_FOLDER) == "/home/anna/a, b"
    assert settings.get(opt.GEOMETRY) == QByteArray()


def test_set_writes_what_get_reads_and_refuses_the_wrong_shape():
    settings = Settings()
    settings.set(opt.TIME_WINDOW, [20240, 20250])
    settings.set(opt.GEOMETRY, QByteArray(b"\x01\x02\x03"))
    settings.set(opt.FADE_BY_AGE, False)
    settings.set(opt.IMPORT_ON_ERROR, "abort")
    settings.sync()
    path = user_config_dir() / "settings.ini"
    assert "on_error=abort" in path.read_text(encoding="utf-8")
    assert settings.get(opt.TIME_WINDOW) == [20240.0, 20250.0]
    assert settings.get(opt.GEOMETRY) == QByteArray(b"\x01\x02\x03")
    assert settings.get(opt.FADE_BY_AGE) is False
    with pytest.raises(ValueError, match="on_error"):
        settings.set(opt.IMPORT_ON_ERROR, "ignore")
    with pytest.raises(ValueError, match="3 numbers"):
        settings.set(opt.MAP_VIEW, [50.45, 30.52])
    settings.set(opt.TIME_WINDOW, None)
    assert settings.get(opt.TIME_WINDOW) is None
