"""``event-atlas import``: everything the command does, as one plain function that the
click command in :mod:`desktop_app.cli` calls (so it is testable without click)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop_app.core.event import Event
from desktop_app.ingest.bundled import open_store
from desktop_app.ingest.delimited import parse_columns_option
from desktop_app.ingest.formats import IMPORT_FORMATS
from desktop_app.ingest.interpret import ROLES
from desktop_app.ingest.pipeline import (
    REPEATS,
    ImportAborted,
    detect_format,
    import_file,
    import_new_store,
    new_store_target,
)
from desktop_app.ingest.problems import ImportFailed
from desktop_app.ingest.reader import ReadOptions
from desktop_app.store.event_store import EventStore, StoreError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
# Bad rows printed in full; the rest are counted.
MAX_PRINTED_PROBLEMS = 50


#: Above this many new events, the duplicate search is left for the user to ask for: on a
#: million it would add seconds to every import.
DUPLICATE_SEARCH_LIMIT = 200_000


def _duplicates_line(store, before: int, added: int) -> str | None:
    """What the duplicate finder says of the events an import added (ids after
    ``before``): how many probable pairs they are in, or where to look for them."""
    if added == 0:
        return None
    if added > DUPLICATE_SEARCH_LIMIT:
        return (
            f"probable duplicates: not looked for among {added:,} new events "
            "(run: event-atlas duplicates)"
        )
    ids = range(before + 1, store.last_event_id() + 1)
    found = store.probable_duplicates(among=ids)
    if not found:
        return "probable duplicates: none with the new events"
    return (
        f"probable duplicates: {len(found)} pairs with the new events "
        "(event-atlas duplicates lists them)"
    )


def _say_usable(report, echo: Callable[[str], None], usable_first: bool) -> None:
    if not report.staged:
        return
    echo(f"usable: {report.added:,} events on the map and the timeline")
    if usable_first:
        echo(
            "indexing (text search, duplicates and cited outlets) finishes when the store "
            "is next opened"
        )
    else:
        echo("indexing…")


def run_import(
    path: str | Path,
    db_path: str | Path | None = None,
    fmt: str = "auto",
    columns: str | dict[str, str] | None = None,
    dayfirst: bool | None = None,
    on_error: str = "skip",
    assume_yes: bool = False,
    echo: Callable[[str], None] = print,
    *,
    confirm: Callable[[str], bool] | None = None,
    encoding: str | None = None,
    published: str | None = None,
    echo_error: Callable[[str], None] | None = None,
    repeats: str = "drop",
    usable_first: bool = False,
) -> int:
    """Import one file into a store and say what happened; returns the exit status.

    Parameters
    ----------
    path
        The file to import.
    db_path
        The store; None opens the user's default store (built from the bundled data the
        first time).
    fmt
        ``auto`` (from the file name and content) or one of ``csv``, ``acled``, ``geojson``,
        ``kml``, ``timelinejs``, ``timemap``, ``article`` (``--format``).
    columns
        CSV column mapping, ``"date=When,lat=Y,lon=X,title=...,text=...,place=..."`` or a
        dict role -> header (``--columns``); roles not named are detected.
    dayfirst
        True reads 02/06/2025 as 2 June (``--dayfirst``); None detects from the data.
    on_error
        ``skip``: leave bad rows out and list them; ``abort``: stop at the first bad row
        and save nothing (``--on-error``).
    assume_yes
        Save an article's candidate events without asking (``--yes``). Datasets never ask.
    echo
        Prints one line (``click.echo``).
    confirm
        Asks a yes/no question (``click.confirm``); without it, and without
        ``assume_yes``, an article's candidates are listed but not saved.
    encoding
        The text encoding, when detection gets it wrong (e.g. ``cp1251``).
    published
        An article's publication date (ISO) when the file does not give it.
    echo_error
        Prints the one line that says why an import failed (``click.echo`` to stderr);
        None prints it with ``echo``.
    repeats
        ``drop`` (report rows that repeat an earlier row exactly, and leave them out) or
        ``keep`` them as events of their own (``--repeats``).
    usable_first
        Into a new store, return once the store is usable (its events on the map and the
        timeline), leaving its indexes to be made when it is next opened
        (``--usable-first``); by default the import waits for them.

    Returns
    -------
    int
        0 on success (also when some rows were skipped), 1 when the import failed, was
        aborted or skipped every record (the store is unchanged), 2 for wrong arguments.
    """
    path = Path(path)
    if fmt not in IMPORT_FORMATS:
        echo(f"error: unknown format {fmt!r} (one of {', '.join(IMPORT_FORMATS)})")
        return EXIT_USAGE
    if on_error not in ("skip", "abort"):
        echo(f"error: --on-error must be skip or abort, not {on_error!r}")
        return EXIT_USAGE
    if repeats not in REPEATS:
        echo(f"error: --repeats must be drop or keep, not {repeats!r}")
        return EXIT_USAGE
    try:
        mapping = parse_columns_option(columns) if isinstance(columns, str) else columns
        unknown = [role for role in mapping or {} if role not in ROLES]
        if unknown:
            raise ValueError(f"unknown role {unknown[0]!r} (roles: {', '.join(ROLES)})")
    except ValueError as exc:
        echo(f"error: --columns: {exc}")
        return EXIT_USAGE
    options = ReadOptions(
        columns=dict(mapping or {}), dayfirst=dayfirst, encoding=encoding, published=published
    )

    def review(events: list[Event]) -> list[Event]:
        for note in options.notes:
            echo(note)
        echo(f"{len(events)} candidate events in {path}:")
        for event in events:
            place = event.place.name if event.place else "(no place)"
            sources = f" [{', '.join(event.sources)}]" if event.sources else ""
            echo(f"  {event.start}{'..' + event.end if event.end else ''} {place}: "
                 f"{event.title}{sources}")  # fmt: skip
        if assume_yes or (confirm is not None and confirm(f"Save {len(events)} events?")):
            return events
        echo("nothing saved (review the article in the app, or pass --yes)")
        return []

    try:
        kind = detect_format(path) if fmt == "auto" else fmt
        if db_path is not None and kind != "article" and new_store_target(db_path):
            report = import_new_store(
                path,
                db_path,
                fmt=kind,
                options=options,
                on_error=on_error,
                repeats=repeats,
                on_usable=lambda report: _say_usable(report, echo, usable_first),
                wait=not usable_first,
                new_store=True,
            )
            if report.staged and not usable_first:
                echo("complete: indexes, cited outlets and text search are ready")
            if report.staged and usable_first:
                told_twice = "probable duplicates: not looked for yet (run: event-atlas duplicates)"
            else:
                with EventStore(db_path, resume_indexing=False) as store:
                    told_twice = _duplicates_line(store, 0, report.added)
        else:
            with open_store(db_path) as store:
                before = store.last_event_id()
                report = import_file(
                    path,
                    store,
                    fmt=kind,
                    options=options,
                    on_error=on_error,
                    accept=review if kind == "article" else None,
                    repeats=repeats,
                )
                told_twice = _duplicates_line(store, before, report.added)
    except ImportAborted as exc:
        (echo_error or echo)(f"bad row: {exc.problem}")
        echo("import aborted; nothing was saved")
        return EXIT_FAILED
    except ImportFailed as exc:
        (echo_error or echo)(f"error: {exc}")
        echo("nothing was saved")
        return EXIT_FAILED
    except StoreError as exc:
        (echo_error or echo)(f"error: {exc}")
        return EXIT_FAILED
    for warning in report.warnings:
        echo(f"warning: {warning}")
    for problem in report.problems[:MAX_PRINTED_PROBLEMS]:
        echo(f"skipped: {problem}")
    if report.skipped > MAX_PRINTED_PROBLEMS:
        echo(f"... and {report.skipped - MAX_PRINTED_PROBLEMS} more bad rows")
    for line in report.summary_lines():
        echo(line)
    if told_twice:
        echo(told_twice)
    echo(f"imported {report.imported} events, skipped {report.skipped}")
    if report.imported == 0 and report.skipped:
        # A script must not take a file whose every record was refused for a done import.
        (echo_error or echo)(
            f"error: {path}: nothing was saved (all {report.skipped} records were skipped)"
        )
        return EXIT_FAILED
    return EXIT_OK
