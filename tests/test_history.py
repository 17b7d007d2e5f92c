"""The store's history: a row for every import, edit, add, delete, merge and undo, written
in the change's own transaction, and ``event-atlas history`` printing it."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest
from click.testing import CliRunner

from desktop_app.cli import main
from desktop_app.core.event import Event
from desktop_app.ingest.pipeline import import_file
from desktop_app.store.event_store import EventStore, StoreError


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_an_import_records_its_file(tmp_path):
    data = tmp_path / "incidents.csv"
    data.write_text("date,title,lat,lon\n2025-06-01,First,50.1,30.2\n2025-06-02,Second,49,31\n")
    with EventStore(tmp_path / "s.db") as store:
        import_file(data, store)
        (entry,) = store.history()
    assert entry.kind == "import"
    assert entry.file_name == "incidents.csv"
    assert entry.file_size == data.stat().st_size
    assert entry.file_sha256 == hashlib.sha256(data.read_bytes()).hexdigest()
    assert entry.after == {"added": 2, "replaced": 0}
    assert entry.at.endswith("Z") and entry.at[:4].isdigit()


def test_every_kind_of_change_and_its_undo_is_a_row(seed_store):
    event = seed_store.event(16)
    edit = seed_store.update_event(dataclasses.replace(event, title="A new title"))
    seed_store.restore_events(edit.before, "undo edit")
    add = seed_store.add_event(Event(uid="manual-9", title="Added", start="2025-06-01"))
    seed_store.delete_events([3])
    seed_store.merge_events(20, 21)
    kinds = [(h.kind, h.event_id) for h in seed_store.history()]
    new_id = add.event_ids[0]
    assert kinds == [
        ("edit", 16),
        ("undo edit", 16),
        ("add", new_id),
        ("delete", 3),
        ("merge", 20),
        ("merge", 21),
    ]
    first, undo = seed_store.history(16)
    assert first.before == {"title": event.title} and first.after == {"title": "A new title"}
    assert undo.before == {"title": "A new title"} and undo.after == {"title": event.title}
    assert first.event_uid == event.uid
    (deleted,) = seed_store.history(3)
    assert deleted.after is None and deleted.before["start"]
    assert seed_store.history(21)[0].after is None


def test_a_failed_change_leaves_no_history(seed_store):
    count = seed_store.count()
    with pytest.raises(StoreError):
        seed_store.add_event(Event(uid="manual-bad", title="Bad", start="2025-13-45"))
    assert seed_store.history() == []
    assert seed_store.count() == count


def test_the_history_command_prints_changes_as_safe_text(seed_db):
    with EventStore(seed_db) as store:
        event = store.event(16)
        store.update_event(dataclasses.replace(event, title="Evil \x1b[31mred\x9b2J"))
        store.delete_events([3])
    result = run("history", "--db", str(seed_db))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "edit  event 16" in lines[0]
    old = json.dumps(event.title, ensure_ascii=False)
    # JSON writes C0 controls as escapes; a C1 control (CSI) is replaced for the terminal.
    assert lines[1] == f'    title: {old} → "Evil \\u001b[31mred\ufffd2J"'
    assert "\x1b" not in result.output and "\x9b" not in result.output
    assert any("delete  event 3" in line for line in lines)
    only = run("history", "--event", "3", "--db", str(seed_db)).output.splitlines()
    assert "delete  event 3" in only[0]
    assert not any("event 16" in line for line in only)
    assert run("history", "--event", "5", "--db", str(seed_db)).output == "No changes of event 5.\n"
