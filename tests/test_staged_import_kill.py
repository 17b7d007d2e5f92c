"""A staged import killed (SIGKILL) at any moment leaves no store, the empty store that
was there, or the new usable one whose second stage resumes when it is next opened:
never a mix. Each test runs the real import command in a process of its own and kills
it at one point."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.ingest.pipeline import import_file
from desktop_app.store.event_store import EventStore
from tests.test_staged_import import acled_rows, store_contents, write_csv

# The child holds still at its point (the parent kills it there): after writing its
# first block, just before the rename, or inside the second stage's transaction.
CHILD = """
import os, sys, time
from desktop_app.store import bulk_writer, event_store
point = sys.argv[3]
if point == "parse":
    add = bulk_writer.StagedWriter.add
    def held_add(self, block):
        add(self, block)
        print("block written", flush=True)
        time.sleep(120)
    bulk_writer.StagedWriter.add = held_add
elif point == "rename":
    rename = os.replace
    def held_rename(a, b):
        print("renaming", flush=True)
        time.sleep(120)
        rename(a, b)
    os.replace = held_rename
elif point == "index":
    finish = event_store.finish_staged
    def held_finish(conn):
        def trace(sql):
            if sql.startswith("CREATE"):
                print("indexing", flush=True)
                time.sleep(120)
        conn.set_trace_callback(trace)
        return finish(conn)
    event_store.finish_staged = held_finish
from desktop_app.ingest.command import run_import
sys.exit(run_import(sys.argv[1], sys.argv[2], echo=lambda line: print(line, flush=True)))
"""
MARKS = {"parse": "block written", "rename": "renaming", "index": "indexing"}
# The import command in a process of its own, as a user runs it.
COMMAND = """
import sys
from desktop_app.ingest.command import run_import
sys.exit(run_import(sys.argv[1], sys.argv[2], echo=lambda line: print(line, flush=True),
                    usable_first=sys.argv[3] == "usable-first"))
"""


def imported(csv_path: Path, db: Path, usable_first: bool = False) -> tuple[int, list[str]]:
    """The exit status and the lines of ``import`` run in a fresh process."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", COMMAND, str(csv_path), str(db),
         "usable-first" if usable_first else "wait"],
        capture_output=True, text=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    return done.returncode, done.stdout.splitlines()


def killed_at(point: str, csv_path: Path, db: Path) -> list[str]:
    """The lines the import printed before it was killed at ``point``."""
    root = Path(__file__).resolve().parents[1]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(csv_path), str(db), point],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    said = []
    try:
        for line in child.stdout:
            said.append(line.strip())
            if line.strip() == MARKS[point]:
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        child.wait(timeout=120)
    assert child.returncode == -signal.SIGKILL, (said, child.stderr.read())
    return said


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    # Several blocks, so that the kill during parsing comes before the end of the file.
    folder = tmp_path_factory.mktemp("kill")
    return write_csv(folder / "acled.csv", acled_rows(30_000))


@pytest.mark.parametrize("point", ["parse", "rename"])
@pytest.mark.parametrize("before", ["no store", "an empty store"])
def test_killed_before_the_rename_leaves_the_store_as_it_was(tmp_path, big_csv, point, before):
    db = tmp_path / "new.db"
    if before == "an empty store":
        EventStore(db).close()
        made = db.read_bytes()
    said = killed_at(point, big_csv, db)
    assert not any(line.startswith("usable") for line in said)
    if before == "no store":
        assert not db.exists()
    else:
        assert db.read_bytes() == made
    assert (tmp_path / "new.db.importing").exists()  # what is left over is not the store
    # The next import makes the store, and removes what was left over.
    assert imported(big_csv, db)[0] == 0
    assert not (tmp_path / "new.db.importing").exists()
    with EventStore(db) as store:
        assert store.count() > 25_000 and not store.indexing_pending


def test_killed_in_the_second_stage_the_store_is_usable_and_resumes(tmp_path, big_csv):
    db = tmp_path / "new.db"
    said = killed_at("index", big_csv, db)
    assert said[-3].startswith("usable: ") and said[-2:] == ["indexing…", "indexing"]
    with EventStore(db, resume_indexing=False) as store:
        assert store.indexing_pending
        assert len(store.arrays()) == store.count() > 25_000
    # Opening it resumes the second stage in the background.
    with EventStore(db) as store:
        store._indexing.join()
        assert not store.indexing_pending
    with EventStore(tmp_path / "rowwise.db") as store:
        import_file(big_csv, store)
    found, expected = store_contents(db), store_contents(tmp_path / "rowwise.db")
    # The history of the import is the same; its time is not.
    assert found == expected


def test_the_command_says_when_the_store_is_usable_and_when_complete(tmp_path):
    path = write_csv(tmp_path / "acled.csv", acled_rows(3000))
    code, said = imported(path, tmp_path / "new.db")
    assert code == 0
    usable = next(i for i, line in enumerate(said) if line.startswith("usable: "))
    complete = next(i for i, line in enumerate(said) if line.startswith("complete: "))
    assert usable < complete
    with EventStore(tmp_path / "new.db", resume_indexing=False) as store:
        assert not store.indexing_pending


def test_usable_first_leaves_the_second_stage_to_the_next_opening(tmp_path):
    path = write_csv(tmp_path / "acled.csv", acled_rows(3000))
    code, said = imported(path, tmp_path / "new.db", usable_first=True)
    assert code == 0
    assert not any(line.startswith("complete: ") for line in said)
    with EventStore(tmp_path / "new.db", resume_indexing=False) as store:
        assert store.indexing_pending
        store.finish_indexing()
        assert store.search("kharkiv", 10)
