"""``event-atlas duplicates``: the pairs of events that are probably one, to review."""

from __future__ import annotations

import json
from pathlib import Path

import click

from desktop_app.cli.options import DB_OPTION, open_store_or_fail
from desktop_app.core.duplicates import DuplicateRules
from desktop_app.core.text import terminal_text
from desktop_app.store.errors import StoreError

_DEFAULTS = DuplicateRules()


@click.command(
    "duplicates",
    epilog="""\b
Examples:
  event-atlas duplicates                       pairs to review, best first
  event-atlas duplicates --days 2 --km 50      look further apart
  event-atlas duplicates --min-score 65        more pairs, more of them wrong
  event-atlas duplicates --distinct 12 40      events 12 and 40 are two events
  event-atlas duplicates --format json""",
)
@DB_OPTION
@click.option("--days", type=click.FloatRange(0, 366), default=_DEFAULTS.max_days,
              show_default=True, help="The most two start dates may differ.")  # fmt: skip
@click.option("--km", type=click.FloatRange(0, 20_000), default=_DEFAULTS.max_km,
              show_default=True, help="The most two places may be apart.")  # fmt: skip
@click.option("--min-score", type=click.FloatRange(0, 100), default=_DEFAULTS.min_score,
              show_default=True, help="Least likeness of the texts, 0-100.")  # fmt: skip
@click.option("--distinct", "distinct", type=int, nargs=2, metavar="ID ID",
              help="Mark two events as different: the pair is no longer offered.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
def duplicates_command(
    db_path: Path | None,
    days: float,
    km: float,
    min_score: float,
    distinct: tuple[int, int] | None,
    fmt: str,
) -> None:
    """List events that are probably the same event told twice.

    Events close in time and place whose titles and excerpts are alike are paired and
    scored (100: the same words). A pair marked distinct is no longer offered.
    """
    with open_store_or_fail(db_path) as store:
        try:
            if distinct:
                store.mark_distinct(*distinct)
                click.echo(f"Events {distinct[0]} and {distinct[1]} are marked distinct.")
                return
            found = store.probable_duplicates(DuplicateRules(days, km, min_score))
            events = {e.id: e for e in store.events(sorted({i for d in found for i in
                                                             (d.first, d.second)}))}  # fmt: skip
        except StoreError as exc:
            raise click.ClickException(str(exc)) from None
    if fmt == "json":
        records = [
            {
                "first": d.first,
                "second": d.second,
                "score": d.score,
                "title_score": d.title_score,
                "excerpt_score": d.excerpt_score,
                "days_apart": d.days_apart,
                "km_apart": d.km_apart,
            }
            for d in found
        ]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    for d in found:
        apart = f"{d.days_apart:g} d" + (f", {d.km_apart:g} km" if d.km_apart is not None else "")
        click.echo(f"{d.score:5.1f}  ({apart})")
        for event_id in (d.first, d.second):
            event = events[event_id]
            place = event.place.name if event.place else "—"
            # Titles come from files: their control characters must not drive the terminal.
            click.echo(terminal_text(f"  {event_id:>7}  {event.start:<10}  {place[:24]:<24}  "
                                     f"{event.title}"))  # fmt: skip
    click.echo(f"{len(found)} probable duplicate pairs")
