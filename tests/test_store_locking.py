"""A second import while another process writes: it waits, says so, and then succeeds."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading

from desktop_app.store.event_store import EventStore


def test_import_waits_for_another_writer_and_says_so(tmp_path):
    store_path = tmp_path / "store.db"
    EventStore(store_path).close()
    data = tmp_path / "events.csv"
    data.write_text(
        "date,title,lat,lon\n2025-06-01,One,50.4,30.5\n2025-06-02,Two,50.5,30.6\n",
        encoding="utf-8",
    )
    other = sqlite3.connect(store_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another import holds the write lock
    holding = True
    try:
        command = [
            sys.executable,
            "-m",
            "desktop_app",
            "import",
            str(data),
            "--db",
            str(store_path),
        ]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        # Should the import neither print nor end, the test fails instead of hanging.
        watchdog = threading.Timer(120, process.kill)
        watchdog.start()
        # The notice comes once the old way would have given up (the busy timeout):
        # from then on the lock has been held longer than that.
        notice = process.stderr.readline()
        other.execute("ROLLBACK")
        holding = False
        stdout, stderr = process.communicate(timeout=120)
        watchdog.cancel()
    finally:
        if holding:
            other.execute("ROLLBACK")
        other.close()
    assert "waiting for another import to finish" in notice, (notice, stdout, stderr)
    assert process.returncode == 0, (stdout, stderr)
    assert "imported 2 events" in stdout
    with EventStore(store_path) as store:
        assert sorted(e.title for e in store.all_events()) == ["One", "Two"]
