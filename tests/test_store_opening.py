"""Opening stores that cannot be written, and refusing files that are not ours, without
leaving a trace beside them."""

from __future__ import annotations

import ctypes
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.event import Event, Place
from desktop_app.store.event_store import EventStore, StoreError


def _folder_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_read_only_store_shows_everything_and_refuses_writes(seed_db):
    with EventStore(seed_db) as writable:
        expected = writable.all_events()
    before = _folder_state(seed_db.parent)
    with EventStore(seed_db, read_only=True) as store:
        assert store.read_only
        assert store.all_events() == expected
        assert store.arrays().ids.size == len(expected)
        new = Event(uid="new", title="New", start="2025-06-02", place=Place("X", 1, 2))
        with pytest.raises(StoreError, match="this store is read-only"):
            store.add_events([new])
        with pytest.raises(StoreError, match="this store is read-only"):
            store.bulk_writer()
        with pytest.raises(StoreError, match="this store is read-only"):
            store.set_meta("title", "Renamed")
        with pytest.raises(StoreError, match="this store is read-only"):
            store.cache_geocode("nominatim", "x", None)
    assert _folder_state(seed_db.parent) == before
    with EventStore(seed_db) as store:
        assert not store.read_only


_CHILD = """
import sys
from desktop_app.store.event_store import EventStore
with EventStore(sys.argv[1]) as store:
    print(store.read_only, store.count())
"""
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def _without_root_overrides() -> None:
    """In the child before exec: give up root's power to write through permissions, so
    that a read-only file is to it what a read-only medium is to everyone."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_store_that_cannot_be_written_opens_read_only(tmp_path, seed_db):
    folder = tmp_path / "medium"
    folder.mkdir()
    path = folder / "store.db"
    shutil.copy(seed_db, path)
    with EventStore(path) as store:
        count = store.count()
    before = _folder_state(folder)
    os.chmod(path, 0o444)
    os.chmod(folder, 0o555)
    try:
        as_root = os.geteuid() == 0
        try:
            result = subprocess.run(
                [sys.executable, "-c", _CHILD, str(path)],
                preexec_fn=_without_root_overrides if as_root else None,
                capture_output=True, text=True, timeout=120,
            )  # fmt: skip
        except subprocess.SubprocessError as exc:
            pytest.skip(f"cannot give up root's file overrides here ({exc})")
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["True", str(count)]
        assert _folder_state(folder) == before
    finally:
        os.chmod(folder, 0o755)
        os.chmod(path, 0o644)


def _foreign_wal(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.close()


def _newer_store(path: Path) -> None:
    EventStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('event_atlas', 'm999_from_the_future', '2030-01-01')"
        )
    conn.close()


def _corrupt_wal(path: Path) -> None:
    _foreign_wal(path)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * 3996  # the schema page, after the header
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_foreign_wal, "not an Event Atlas store"),
        (_newer_store, "newer version"),
        (_corrupt_wal, "cannot be read"),
    ],
    ids=["foreign", "newer-schema", "corrupt"],
)
def test_refused_wal_file_leaves_its_folder_as_it_was(tmp_path, make, reason):
    path = tmp_path / "refused.db"
    make(path)
    assert path.read_bytes()[18:20] == b"\x02\x02"  # the header's mark of a WAL database
    before = _folder_state(tmp_path)
    assert list(before) == ["refused.db"]
    with pytest.raises(StoreError, match=reason):
        EventStore(path)
    assert _folder_state(tmp_path) == before


def test_refused_file_in_use_keeps_its_journal_files(tmp_path):
    path = tmp_path / "busy.db"
    _foreign_wal(path)
    other = sqlite3.connect(path)  # another program has it open: -wal and -shm exist
    other.execute("INSERT INTO recipes VALUES ('stew')")
    other.commit()
    try:
        names = sorted(p.name for p in tmp_path.iterdir())
        main = path.read_bytes()
        with pytest.raises(StoreError, match="not an Event Atlas store"):
            EventStore(path)
        assert sorted(p.name for p in tmp_path.iterdir()) == names
        assert path.read_bytes() == main
    finally:
        other.close()


def test_the_app_says_why_it_cannot_open_a_store_of_a_newer_version(qtbot, tmp_path, capsys):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop_app.ui.app import run_app

    db = tmp_path / "newer.db"
    with EventStore(db) as store:
        store.db.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('event_atlas', 'm999_from_the_future', '2030-01-01')"
        )
        store.db.conn.commit()
    shown: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            shown.append(box.text())
            box.accept()
        else:
            QTimer.singleShot(50, answer)

    QTimer.singleShot(50, answer)
    assert run_app(db) == 1
    message = f"{db}: was written by a newer version of Event Atlas"
    assert shown == [message]
    assert message in capsys.readouterr().err
