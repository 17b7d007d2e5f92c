"""``event-atlas history``: what was imported, edited, merged, deleted and undone."""

from __future__ import annotations

import json
from pathlib import Path

import click

from desktop_app.cli.options import DB_OPTION, open_store_or_fail
from desktop_app.core.text import terminal_text
from desktop_app.store.history import HistoryEntry


def entry_lines(entry: HistoryEntry) -> list[str]:
    """One history row as lines of text: when, what, which event, then what changed."""
    head = f"{entry.at}  {entry.kind}"
    if entry.event_id is not None:
        head += f"  event {entry.event_id}"
    if entry.file_name is not None:
        head += f"  {entry.file_name} ({entry.file_size:,} bytes, sha256 {entry.file_sha256})"
    lines = [head]
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    for key in dict.fromkeys([*before, *after]):
        old = _value(before[key]) if key in before else None
        new = _value(after[key]) if key in after else None
        if old is not None and new is not None:
            lines.append(f"    {key}: {old} → {new}")
        elif new is not None:
            lines.append(f"    {key}: {new}")
        else:
            lines.append(f"    {key}: was {old}")
    return [terminal_text(line) for line in lines]


def _value(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@click.command(
    "history",
    epilog="""Examples:

\b
  event-atlas history
  event-atlas history --event 16 --db talks.db""",
)
@DB_OPTION
@click.option("--event", "event_id", type=int, metavar="ID", help="Only the changes of this event.")
def history_command(db_path: Path | None, event_id: int | None) -> None:
    """Print the store's history: every import, edit, merge, delete and undo, oldest first."""
    with open_store_or_fail(db_path) as store:
        entries = store.history(event_id)
    if not entries:
        click.echo(f"No changes of event {event_id}." if event_id else "No changes recorded.")
        return
    for entry in entries:
        for line in entry_lines(entry):
            click.echo(line)
