"""The app's heap gives freed memory back to the system (glibc's arenas)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from desktop_app.ui.heap import return_freed_memory

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's arenas")

ROOT = Path(__file__).resolve().parents[1]


def anon_mb() -> float:
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss_Anon:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no Pss_Anon")


def test_memory_a_worker_freed_goes_back_to_the_system():
    kept: list[bytes] = []

    def read_like_a_worker() -> None:
        # 80 MB in small blocks, one in fifty kept: the freed ones lie between kept
        # ones, where the heap cannot shrink by itself.
        blocks = [bytes(2000) + bytes([k % 256]) for k in range(40_000)]
        kept.extend(blocks[::50])

    worker = threading.Thread(target=read_like_a_worker)
    worker.start()
    worker.join()
    before = anon_mb()
    return_freed_memory()
    assert before - anon_mb() > 40
    kept.clear()  # held until the memory was read


# A worker frees 108 MB of 2 MB blocks (keeping one in ten) after a bigger block has
# raised glibc's threshold; the process then says how much memory it holds.
_BIG_BLOCKS = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from desktop_app.ui.heap import return_big_blocks_when_freed
    if sys.argv[1] == "returned":
        return_big_blocks_when_freed()
    kept = []
    def work():
        bytearray(4 << 20)
        blocks = [bytearray(b"\\1" * (2 << 20)) for _ in range(60)]
        kept.extend(blocks[9::10])
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss_Anon:"):
            print(int(line.split()[1]) / 1024)
    """
)


def _held_mb(mode: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _BIG_BLOCKS, mode],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return float(out.stdout.split()[-1])


def test_big_blocks_go_back_to_the_system_as_soon_as_they_are_freed():
    kept = _held_mb("returned")
    assert kept < 60  # the interpreter and the 12 MB kept
    assert _held_mb("default") - kept > 60  # what the default threshold holds on to
