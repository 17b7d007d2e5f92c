"""Helpers for tests that kill a real import mid-way: the child process and the kill."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

#: The real import, in a child process, printing a line per chunk it writes.
IMPORT_SCRIPT = """
import sys
from desktop_app.ingest.pipeline import import_file
from desktop_app.store.event_store import EventStore

def progress(p):
    print("progress", p.records, flush=True)

with EventStore(sys.argv[2]) as store:
    import_file(sys.argv[1], store, fmt="csv", progress=progress)
print("done", flush=True)
"""


def import_killed_after(data: Path, store: Path, lines: int) -> tuple[list[str], int, str]:
    """Import ``data`` into ``store`` in a child process and ``kill -9`` it after it has
    printed ``lines`` lines; what it printed, its exit status and its stderr."""
    process = subprocess.Popen(
        [sys.executable, "-c", IMPORT_SCRIPT, str(data), str(store)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    watchdog = threading.Timer(300, process.kill)
    watchdog.start()
    try:
        seen = []
        for line in process.stdout:
            seen.append(line.strip())
            if len(seen) == lines:
                process.send_signal(signal.SIGKILL)
                break
        process.wait()
    finally:
        watchdog.cancel()
    return seen, process.returncode, process.stderr.read()


def import_whole(data: Path, store: Path) -> subprocess.CompletedProcess:
    """The same import run to its end."""
    return subprocess.run(
        [sys.executable, "-c", IMPORT_SCRIPT, str(data), str(store)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
