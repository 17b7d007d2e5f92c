"""``event-atlas fields``: the fields a dataset brought and the store keeps, and the values
of one, to filter by with ``events --attribute NAME=VALUE``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import click

from desktop_app.cli.options import DB_OPTION, open_store_or_fail
from desktop_app.core.text import terminal_text
from desktop_app.store import queries


@click.command(
    "fields",
    epilog="""Examples:

\b
  event-atlas fields                    every kept field, with how many events have it
  event-atlas fields fatalities         its values, the most frequent first
  event-atlas fields admin1 --limit 20 --format json
  event-atlas events --attribute admin1=Kharkiv""",
)
@click.argument("name", required=False)
@DB_OPTION
@click.option("--limit", type=click.IntRange(1), default=200, show_default=True,
              help="At most this many, the most frequent first.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
def fields_command(db_path: Path | None, name: str | None, limit: int, fmt: str) -> None:
    """List the kept fields of the store's events (without NAME) or the values of the
    field NAME, each with how many events have it, the most frequent first."""
    with open_store_or_fail(db_path) as store:
        try:
            if name is None:
                rows = queries.named_counts(store.db.conn, "attributes", limit)
            else:
                rows = queries.attribute_values(store.db.conn, name, limit)
        except sqlite3.DatabaseError as exc:
            message = f"{store.path}: the fields could not be read ({exc})"
            raise click.ClickException(message) from None
    key = "field" if name is None else "value"
    if fmt == "json":
        click.echo(
            json.dumps([{key: v, "events": n} for v, n in rows], ensure_ascii=False, indent=2)
        )
        return
    for value, count in rows:
        # Values come from files: their control characters must not drive the terminal.
        click.echo(terminal_text(f"{count:>9,}  {value}"))
    if name is None:
        click.echo(f"{len(rows)} fields")
    elif rows:
        click.echo(f"{len(rows)} values of {terminal_text(name)}")
    else:
        raise click.ClickException(f"no event has a kept field {name!r}")
