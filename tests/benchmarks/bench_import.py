"""Import and article-extraction speed on generated ACLED-style CSV with coordinates
(1,000,000 rows; 100,000 with ``quick``): ``import_rows_per_s``, the row-by-row import
(``import_file``) into a fresh store in the benchmark's own process; then a fresh process
importing the same file into a new store as ``import --db NEW.db`` does (two stages),
:data:`STAGED_RUNS` times in turn: ``import_usable_s_1m`` / ``import_usable_rows_per_s_1m``
until the first stage is committed and the store opens with every event in its columns
(the median run; ``import_usable_s_fastest_1m`` and ``_slowest_`` the spread, which
follows the shared disk and cores), ``import_complete_s_1m`` until the process ends with
the indexes, cited outlets and text index made (the median), and
``import_peak_rss_mb_1m``, the highest peak memory of those processes; after each of
them, the plain alternative in the same run: the ``sqlite3`` shell's ``.import`` of the
file into a new database (``import_sqlite_cli_s_1m``, the median, when the shell is
installed) and ``import_usable_over_sqlite_cli_1m``, the first stage's median over it;
``article_extract_s_10k``, the time to extract candidate events from a 10,000-word
article. Run by tests/benchmarks/run.py through :func:`measure`, or alone:
``python tests/benchmarks/bench_import.py [--quick]`` (``--staged``: only the imports
into a new store, each in a fresh process).
"""

from __future__ import annotations

import compileall
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: How many times the import into a new store is timed: one run's time varies by a
#: second or more on a shared machine, the median of several much less.
STAGED_RUNS = 5
HEADER = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
    "inter2", "interaction", "civilian_targeting", "iso", "region", "country", "admin1",
    "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source",
    "source_scale", "notes", "fatalities", "tags", "timestamp",
]  # fmt: skip
TYPES = [
    ("Battles", "Armed clash"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Protests", "Peaceful protest"),
    ("Violence against civilians", "Attack"),
    ("Strategic developments", "Agreement"),
]
PLACES = [
    ("Kharkiv", 49.9935, 36.2304, "Kharkiv"),
    ("Krasnopillia", 50.7746, 35.2597, "Sumy"),
    ("Tokmak", 47.2552, 35.7124, "Zaporizhia"),
    ("Kherson", 46.6354, 32.6169, "Kherson"),
    ("Pisky", 48.0669, 37.6664, "Donetsk"),
    ("Stanytsia Luhanska", 48.6543, 39.4794, "Luhansk"),
]


def write_acled_csv(path: Path, rows: int, seed: int = 5) -> None:
    """A synthetic ACLED export: realistic columns and notes, ~2,000 distinct places."""
    rng = random.Random(seed)
    first = date(2018, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            day = first + timedelta(days=rng.randrange(2500))
            kind, sub = rng.choice(TYPES)
            name, lat, lon, admin1 = rng.choice(PLACES)
            jitter = rng.randrange(350)
            lat, lon = lat + jitter * 0.001, lon - jitter * 0.001
            notes = (
                f"On {day:%d %B %Y}, forces of one side shelled positions near {name} "
                f"({admin1} region) with artillery and mortars. Casualties unknown. [{i}]"
            )
            writer.writerow(
                [
                    f"UKR{i}", day.isoformat(), day.year, rng.choice("1112"), "Political violence",
                    kind, sub, "Military Forces of Russia (2000-)", "", 8,
                    "Military Forces of Ukraine (2019-)", "", 1, 18, "", 804, "Europe", "Ukraine",
                    admin1, "", "", f"{name}-{jitter}", f"{lat:.4f}", f"{lon:.4f}",
                    rng.choice("12"), "Ukrinform; Suspilne Media", "National", notes,
                    rng.choice("0001"), "", 1708472503,
                ]
            )  # fmt: skip


def article_of(words: int) -> str:
    """A long article made by repeating the seed article's paragraphs to ``words`` words."""
    seed = (
        Path(__file__).resolve().parents[2] / "data" / "seed" / "negotiations-without-illusions.txt"
    )
    paragraphs = [p for p in seed.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    out, count = [], 0
    while count < words:
        for paragraph in paragraphs:
            out.append(paragraph)
            count += len(paragraph.split())
            if count >= words:
                break
    return "\n\n".join(out)


def imported_in_a_process(csv_path: Path, db_path: Path) -> dict[str, float]:
    """A fresh process importing ``csv_path`` into the new store ``db_path`` as the
    ``import --db`` command does: ``usable_s`` from process start until the first stage
    is committed (the store opens with every event in its columns, checked in the
    process at that moment: ``rows``), ``complete_s`` from process start to its end (the
    second stage done; the time of that check left out), and ``peak_mb``, the peak
    resident memory of that process itself.

    The peak is the kernel's high-water mark of the process's own memory (``VmHWM``),
    read just before it exits: ``getrusage``'s ``ru_maxrss`` survives ``exec`` on Linux,
    so in a child of this (large) benchmark process it would report the parent's peak.
    """
    code = (
        "import sys, time\n"
        "from desktop_app.ingest.pipeline import import_new_store\n"
        "from desktop_app.store.event_store import EventStore\n"
        "checked = 0.0\n"
        "def usable(report):\n"
        "    global checked\n"
        "    at = time.time()\n"
        "    print('usable', at, flush=True)\n"
        "    with EventStore(sys.argv[2], resume_indexing=False) as store:\n"
        "        print('rows', len(store.arrays()), flush=True)\n"
        "    checked = time.time() - at\n"
        "import_new_store(sys.argv[1], sys.argv[2], on_error='abort', on_usable=usable)\n"
        "print('checked', checked)\n"
        "status = open('/proc/self/status').read().split('\\n')\n"
        "print('peak', next(l for l in status if l.startswith('VmHWM:')).split()[1])\n"
    )
    # Compiled first, as an installed app is (pip compiles it as it installs): with
    # PYTHONDONTWRITEBYTECODE set, the import would compile every module it loads.
    if not compileall.compile_dir(ROOT / "desktop_app", quiet=1):
        raise RuntimeError("the app's modules did not compile: the import would compile them")
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-c", code, str(csv_path), str(db_path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    ended = time.time()
    said = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())
    return {
        "usable_s": float(said["usable"]) - started,
        "complete_s": ended - started - float(said["checked"]),
        "rows": float(said["rows"]),
        "peak_mb": float(said["peak"]) / 1024,
    }


def sqlite_cli_import_s(csv_path: Path, db_path: Path) -> float | None:
    """The plain alternative: the ``sqlite3`` command-line shell's ``.import`` of the same
    file into a new database (journal and sync off, no index, every field as text), from
    process start to its end (its writes not yet on disk: the first stage's are); None
    without the shell."""
    shell = shutil.which("sqlite3")
    if shell is None:
        return None
    script = (
        "PRAGMA journal_mode=OFF;\nPRAGMA synchronous=OFF;\n.mode csv\n"
        f".import '{csv_path}' events\n"
    )
    started = time.time()
    subprocess.run([shell, str(db_path)], input=script, capture_output=True, text=True, check=True)
    took = time.time() - started
    # The shell leaves its writes to the kernel: written out now, not during the next run.
    os.sync()
    return took


def staged_metrics(csv_path: Path, folder: Path, rows: int, size: str, runs: int) -> dict:
    """The import of ``csv_path`` (``rows`` rows) into a new store in ``folder``, ``runs``
    times in turn, each into a store of its own removed after it: the median times, the
    spread of the first stage and the highest peak, keyed for ``size`` (e.g. ``1m``);
    after each, the ``sqlite3`` shell's ``.import`` of the file (the median of those, and
    the first stage's median over it)."""
    found, shell = [], []
    for k in range(runs):
        db = folder / f"new-{k}.db"
        staged = imported_in_a_process(csv_path, db)
        assert staged["rows"] == rows, staged
        found.append(staged)
        plain = sqlite_cli_import_s(csv_path, folder / f"plain-{k}.db")
        if plain is not None:
            shell.append(plain)
        for path in [*folder.glob(f"{db.name}*"), *folder.glob(f"plain-{k}.db*")]:
            path.unlink()
    usable = sorted(run["usable_s"] for run in found)
    median = statistics.median(usable)
    if shell:
        baseline = {
            f"import_sqlite_cli_s_{size}": statistics.median(shell),
            f"import_usable_over_sqlite_cli_{size}": median / statistics.median(shell),
        }
    else:
        baseline = {}
    # A new store is written in two stages: usable (its events on the map and the
    # timeline) when the first is committed, complete when the indexes, the cited
    # outlets' links and the text index are made.
    return {
        f"import_usable_s_{size}": median,
        f"import_usable_rows_per_s_{size}": rows / median,
        f"import_usable_s_fastest_{size}": usable[0],
        f"import_usable_s_slowest_{size}": usable[-1],
        f"import_complete_s_{size}": statistics.median(run["complete_s"] for run in found),
        f"import_peak_rss_mb_{size}": max(run["peak_mb"] for run in found),
        f"import_staged_runs_{size}": float(runs),
        **baseline,
    }


def measure(quick: bool) -> dict[str, float]:
    """Import speed, peak memory at two sizes (bounded memory), article extraction time."""
    from desktop_app.ingest.article import extract_candidates
    from desktop_app.ingest.pipeline import import_file
    from desktop_app.store.event_store import EventStore

    rows = 100_000 if quick else 1_000_000
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "acled.csv"
        write_acled_csv(csv_path, rows)
        with EventStore(Path(folder) / "atlas.db") as store:
            started = time.perf_counter()
            report = import_file(csv_path, store, on_error="abort")
            elapsed = time.perf_counter() - started
            assert report.added == rows, report
        results["import_rows_per_s"] = rows / elapsed
        small = Path(folder) / "small.csv"
        write_acled_csv(small, rows // 10)
        smaller = imported_in_a_process(small, Path(folder) / "small.db")
        results[f"import_peak_rss_mb_{rows // 10 // 1000}k"] = smaller["peak_mb"]
        size = "1m" if rows == 1_000_000 else f"{rows // 1000}k"
        results.update(staged_metrics(csv_path, Path(folder), rows, size, STAGED_RUNS))
        results[f"import_peak_rss_mb_{rows // 1000}k"] = results[f"import_peak_rss_mb_{size}"]
    text = article_of(10_000)
    extract_candidates(text, published="2025-06-02")  # loads the gazetteer once
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        extract_candidates(text, published="2025-06-02")
        runs.append(time.perf_counter() - started)
    results["article_extract_s_10k"] = min(runs)
    return results


if __name__ == "__main__":
    if "--staged" in sys.argv[1:]:
        # Only the import into a new store, in a fresh process (the 1M keys).
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "acled.csv"
            quick = "--quick" in sys.argv[1:]
            count = 100_000 if quick else 1_000_000
            write_acled_csv(path, count)
            size = "100k" if quick else "1m"
            print(staged_metrics(path, Path(folder), count, size, 3 if quick else STAGED_RUNS))
    else:
        print(measure(quick="--quick" in sys.argv[1:]))
