"""Run every benchmark, print a table and optionally write ``{metric: value}`` as JSON.

Usage::

    python tests/benchmarks/run.py [--quick] [--json FILE] [--only NAME ...]

Each ``bench_*.py`` module beside this file exposes ``measure(quick: bool) -> dict``
(``bench_table.py``: the event table over 1M events, ``table_scroll_p95_ms_1m`` and
``search_ms_1m`` among its keys).
Benchmarks are measured, never asserted: this machine is shared and noisy, so the
numbers go into the issue notes and the README, not into pass/fail tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _modules(only: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if only:
        found = [p for p in found if any(name in p.stem for name in only)]
    return found


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"benchmarks.{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, fewer repeats")
    parser.add_argument("--json", type=Path, help="write the metrics to this file")
    parser.add_argument("--only", nargs="*", default=[], help="run only these bench modules")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--no-sandbox" not in flags:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()
    sys.path.insert(0, str(ROOT))
    metrics: dict[str, float] = {}
    for path in _modules(args.only):
        started = time.perf_counter()
        print(f"-- {path.stem} ...", flush=True)
        results = _load(path).measure(args.quick)
        metrics.update(results)
        print(f"   done in {time.perf_counter() - started:.1f} s", flush=True)
    width = max((len(k) for k in metrics), default=10)
    print()
    print(f"{'metric':<{width}}  value")
    for key, value in metrics.items():
        print(
            f"{key:<{width}}  {value:,.3f}"
            if isinstance(value, float)
            else f"{key:<{width}}  {value}"
        )
    if args.json:
        args.json.write_text(json.dumps(metrics, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
