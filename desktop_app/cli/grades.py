"""``event-atlas grade`` and ``event-atlas outlets``: grading events and outlets headless."""

from __future__ import annotations

import json
from pathlib import Path

import click

from desktop_app.cli.options import DB_OPTION, open_store_or_fail
from desktop_app.core.grading import Grade, GradeError, parse_grade
from desktop_app.core.outlets import outlet_names
from desktop_app.core.text import terminal_text
from desktop_app.store.errors import StoreError


def _grade(code: str, reason: str) -> Grade:
    if code.strip().lower() in ("none", "clear"):
        return Grade()
    try:
        return parse_grade(code, reason)
    except GradeError as exc:
        raise click.BadParameter(str(exc), param_hint="GRADE") from None


@click.command(
    "grade",
    epilog="""\b
Examples:
  event-atlas grade B2 12 14 --reason "two wire agencies report it"
  event-atlas grade A1 --outlet Reuters      every ungraded event citing Reuters
  event-atlas grade none 12                  back to the outlets' grade (or F6)
  event-atlas grade none --outlet Reuters""",
)
@DB_OPTION
@click.argument("code", metavar="GRADE")
@click.argument("ids", metavar="[ID]...", type=int, nargs=-1)
@click.option("--outlet", help="Grade this outlet (any of its names) instead of events.")
@click.option("--reason", default="", help="Why: kept with the grade and shown with it.")
def grade_command(
    db_path: Path | None, code: str, ids: tuple[int, ...], outlet: str | None, reason: str
) -> None:
    """Grade events or an outlet: source reliability A-F and information credibility
    1-6 (the Admiralty system; F6: cannot be judged), such as B2.

    An event without a grade of its own takes the best grade among the outlets it
    cites. GRADE "none" removes a grade.
    """
    grade = _grade(code, reason)
    if bool(ids) == bool(outlet):
        raise click.UsageError("name the events (their ids) or one --outlet, not both")
    with open_store_or_fail(db_path) as store:
        try:
            if outlet:
                name = store.set_outlet_grade(outlet, grade if grade.is_judged else None)
                citing = store.db.execute(
                    "SELECT count(DISTINCT es.event_id) FROM event_sources es "
                    "JOIN sources s ON s.id = es.source_id WHERE s.outlet = ?",
                    [name],
                ).fetchone()[0]
                done = (f"Outlet {name} graded {grade.code}" if grade.is_judged
                        else f"Outlet {name} has no grade now")  # fmt: skip
                click.echo(terminal_text(f"{done}; {citing} events cite it."))
                return
            found = {e.id for e in store.events(list(ids))}
            missing = sorted(set(ids) - found)
            if missing:
                raise click.ClickException(
                    f"no event {', '.join(map(str, missing))} in {store.path}; nothing graded"
                )
            store.set_grades(list(ids), grade)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"{len(ids)} events graded {grade.code}.")


@click.command("outlets")
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
def outlets_command(db_path: Path | None, fmt: str) -> None:
    """List the outlets the events cite, by one name each: how many events cite each,
    the names they are cited by, and the outlet's grade."""
    with open_store_or_fail(db_path) as store:
        grades = store.outlet_grades()
        rows = store.db.execute(
            """SELECT s.outlet, count(DISTINCT es.event_id), group_concat(DISTINCT s.name)
               FROM sources s LEFT JOIN event_sources es ON es.source_id = s.id
               GROUP BY s.outlet ORDER BY count(DISTINCT es.event_id) DESC, s.outlet"""
        ).fetchall()
    records = [
        {
            "outlet": outlet or outlet_names().name(names.split(",")[0]),
            "events": count,
            "cited_as": sorted(set(names.split(","))),
            "grade": grades[outlet].code if outlet in grades else None,
            "reason": grades[outlet].reason if outlet in grades else None,
        }
        for outlet, count, names in rows
    ]
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    for r in records:
        also = [n for n in r["cited_as"] if n != r["outlet"]]
        line = f"{r['events']:>7}  {r['grade'] or '—':<3}  {r['outlet']}"
        if also:
            line += f"  (also: {', '.join(also)})"
        click.echo(terminal_text(line))
    click.echo(f"{len(records)} outlets")
