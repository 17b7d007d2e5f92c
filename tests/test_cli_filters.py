"""``event-atlas events`` with filters: the same answers as the store's query layer."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from desktop_app.cli import main
from desktop_app.core.filter import Filter, Placement
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def listed(seed_db, *args: str) -> list[dict]:
    result = run("events", "--db", str(seed_db), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def expected(seed_db, flt: Filter, window: TimeWindow | None = None) -> list[int]:
    with EventStore(seed_db) as store:
        return store.matching_ids(flt, window).tolist()


@pytest.mark.parametrize(
    ("args", "flt"),
    [
        (["--search", "kharki*"], Filter(text="kharki*")),
        (["--search", '"second round"'], Filter(text='"second round"')),
        (["--search", "reuters"], Filter(text="reuters")),
        (["--category", "strike"], Filter(categories={"strike"})),
        (
            ["--category", "Strike", "--category", "electronic warfare"],
            Filter(categories={"strike", "electronic_warfare"}),
        ),
        (["--place", "istanb"], Filter(place="istanb")),
        (["--bbox", "22,44,41,53"], Filter(bbox=(22, 44, 41, 53))),
        (["--has-place"], Filter(placement=Placement.PLACED)),
        (["--timeline-only"], Filter(placement=Placement.TIMELINE_ONLY)),
        (
            ["--search", "russia*", "--category", "diplomacy", "--has-place"],
            Filter(text="russia*", categories={"diplomacy"}, placement=Placement.PLACED),
        ),
    ],
)
def test_events_filters_list_what_the_store_matches(seed_db, args, flt):
    records = listed(seed_db, *args)
    ids = expected(seed_db, flt)
    assert ids, "a filter that matches nothing would prove little"
    assert sorted(r["id"] for r in records) == ids
    # In order of start, as the unfiltered list is.
    with EventStore(seed_db) as store:
        by_start = [e.id for e in store.all_events() if e.id in set(ids)]
    assert [r["id"] for r in records] == by_start


def test_filters_and_the_window_apply_together(seed_db):
    records = listed(seed_db, "--category", "strike", "--from", "2025-06-02", "--to", "2025-06-02")
    with EventStore(seed_db) as store:
        window = TimeWindow(20241.0, 20242.0)
        assert (
            sorted(r["id"] for r in records)
            == store.matching_ids(Filter(categories={"strike"}), window).tolist()
        )
    assert records and all(r["category"] == "strike" for r in records)


def test_relevance_puts_the_best_match_first(seed_db):
    records = listed(seed_db, "--search", "kharkiv", "--sort", "relevance")
    assert "Kharkiv" in records[0]["title"]
    assert sorted(r["id"] for r in records) == expected(seed_db, Filter(text="kharkiv"))


def test_the_table_counts_the_matches(seed_db):
    result = run("events", "--db", str(seed_db), "--search", "kharki*")
    assert result.exit_code == 0
    count = len(expected(seed_db, Filter(text="kharki*")))
    assert result.output.splitlines()[-1] == f"{count} events"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--search", '"second round'], 'Text: a quote is not closed ("second round)'),
        (["--category", "strikes"], "no category 'strikes'"),
        (["--bbox", "1,2,3"], "Area: '1,2,3' is not west,south,east,north"),
        (["--bbox", "0,10,1,5"], "Area: the south edge lies north of the north edge"),
        (["--place", "***"], "Place: *** has no word to search for"),
    ],
)
def test_unreadable_filters_are_one_line_errors(seed_db, args, message):
    result = CliRunner().invoke(main, ["events", "--db", str(seed_db), *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    error = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(error) == 1 and message in error[0]


def test_query_syntax_never_reaches_the_user_as_a_database_error(seed_db):
    for text in ("NEAR(", "a AND", "title:x", "^", "a\x00b", "kharkiv)"):
        result = CliRunner().invoke(main, ["events", "--db", str(seed_db), "--search", text])
        assert "OperationalError" not in result.output and "Traceback" not in result.output
        assert result.exit_code in (0, 1, 2)
