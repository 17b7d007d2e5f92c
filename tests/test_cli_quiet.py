"""A terminal shows our output only: no Qt or Chromium chatter, and an error is one line."""

from __future__ import annotations

import os
import subprocess
import sys

from desktop_app.ui.app import missing_libraries, window_libraries_problem


def event_atlas(*args, env=None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "QTWEBENGINE_CHROMIUM_FLAGS"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )


def test_a_snapshot_prints_one_line_and_nothing_on_stderr(seed_db, tmp_path):
    run = event_atlas("--db", seed_db, "snapshot", "-o", tmp_path / "s.png", "--size", "320x200")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines() == [f"wrote {tmp_path / 's.png'} (320x200)"]
    assert run.stderr == ""


def test_a_failing_export_is_one_line_on_stderr(seed_db, tmp_path):
    run = event_atlas("--db", seed_db, "snapshot", "-o", tmp_path / "s.png", "--select", 99999)
    assert run.returncode != 0
    assert run.stderr.strip().splitlines() == ["Error: there is no event with id 99999"]


def test_missing_window_libraries_are_named_by_their_package(monkeypatch):
    assert missing_libraries([("libc.so.6", "libc6"), ("libnot-there.so.9", "not-there9")]) == [
        "not-there9"
    ]
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert window_libraries_problem() is None  # offscreen needs no X11 libraries
