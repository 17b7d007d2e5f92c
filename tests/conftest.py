"""Shared fixtures: real stores on disk, the real map page in offscreen QtWebEngine."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.widget_lifetimes import pytest_runtest_call, pytest_runtest_teardown  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    # Before any Qt import: no display here, and Chromium needs its sandbox off as root.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--no-sandbox" not in flags:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()
    # One web cache for the session (the web profile is shared by every view in a process).
    cache = tempfile.mkdtemp(prefix="event-atlas-test-cache-")
    atexit.register(shutil.rmtree, cache, ignore_errors=True)
    os.environ["EVENT_ATLAS_CACHE_DIR"] = cache
    try:
        from desktop_app.ui.map.scheme import register_scheme
    except ImportError:  # Qt is not installed: only the Qt-free tests can run
        return
    register_scheme()


@pytest.fixture(autouse=True)
def _own_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """Keep every test away from the developer's real store and settings."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("EVENT_ATLAS_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("EVENT_ATLAS_CONFIG_DIR", str(home / "config"))
    monkeypatch.delenv("EVENT_ATLAS_DB", raising=False)


@pytest.fixture
def fixtures_dir() -> Path:
    """The third-party conformance files; tests that need them skip when they are absent."""
    if not FIXTURES.is_dir():
        pytest.skip("../shared/fixtures is not present")
    return FIXTURES


@pytest.fixture(scope="session")
def _seed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from desktop_app.ingest.bundled import load_bundled
    from desktop_app.store.event_store import EventStore

    path = tmp_path_factory.mktemp("seed") / "seed.db"
    with EventStore(path) as store:
        load_bundled(store)
    return path


@pytest.fixture
def seed_db(tmp_path: Path, _seed_template: Path) -> Path:
    """A fresh copy of a store holding the bundled dataset."""
    path = tmp_path / "seed.db"
    shutil.copy(_seed_template, path)
    return path


@pytest.fixture
def seed_store(seed_db: Path):
    from desktop_app.store.event_store import EventStore

    store = EventStore(seed_db)
    yield store
    store.close()


@pytest.fixture(scope="session", autouse=True)
def _delete_pages_before_profile():
    """Web pages must be deleted before the shared web profile when the session ends."""
    yield
    try:
        from PySide6.QtCore import QCoreApplication, QEvent
        from PySide6.QtWidgets import QApplication
    except ImportError:
        return
    app = QApplication.instance()
    if app is not None:
        for widget in app.topLevelWidgets():
            widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
