"""An article without ``--published`` is dated by its own dateline or publication line,
never by the day it is read; the CLI says which date it used and where it found it; and
the events of an article keep their keys whatever day it is read on."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from desktop_app.cli import main
from desktop_app.ingest.article import extract_article
from desktop_app.ingest.article_dateline import find_dateline
from desktop_app.store.event_store import EventStore

BODY = (
    "Russian drones struck Kharkiv yesterday, the regional governor said.\n\n"
    "Two days later a missile hit Odesa, according to Reuters.\n"
)
# A day no article below gives: what "today" is when the article gives no date.
TODAY = date(2026, 12, 1)

# (lines at the top of the article, the date they give, the line named as its origin)
SHAPES = [
    (["Drones hit Kharkiv", "10 June 2025"], "2025-06-10", "10 June 2025"),
    (["Drones hit Kharkiv", "June 10, 2025"], "2025-06-10", "June 10, 2025"),
    (["Negotiations without illusions", "6/2/25", "By:", "Michael K."], "2025-06-02", "6/2/25"),
    (["Drones hit Kharkiv", "13/6/25"], "2025-06-13", "13/6/25"),
    (["Drones hit Kharkiv", "2025-06-10"], "2025-06-10", "2025-06-10"),
    (["Drones hit Kharkiv", "10.06.2025"], "2025-06-10", "10.06.2025"),
    (["Drones hit Kharkiv", "Published: 10 June 2025"], "2025-06-10", "Published: 10 June 2025"),
    (
        ["Drones hit Kharkiv", "Published 10:32 BST, Tue 10 June 2025"],
        "2025-06-10",
        "Published 10:32 BST, Tue 10 June 2025",
    ),
    (
        ["Drones hit Kharkiv", "First published on Tue 10 Jun 2025 09.00 BST"],
        "2025-06-10",
        "First published on Tue 10 Jun 2025 09.00 BST",
    ),
    (
        ["Drones hit Kharkiv", "Posted on June 10, 2025 at 3:15 p.m. EDT"],
        "2025-06-10",
        "Posted on June 10, 2025 at 3:15 p.m. EDT",
    ),
    (
        ["Drones hit Kharkiv", "Updated 11 June 2025 14:30"],
        "2025-06-11",
        "Updated 11 June 2025 14:30",
    ),
    (
        ["Drones hit Kharkiv", "Updated: 11 June 2025", "Published: 10 June 2025"],
        "2025-06-10",
        "Published: 10 June 2025",
    ),
    (["Drones hit Kharkiv", "By Jane Doe | Monday, June 9th, 2025"], "2025-06-09",
     "By Jane Doe | Monday, June 9th, 2025"),
    (["Drones hit Kharkiv", "Sept. 9, 2025"], "2025-09-09", "Sept. 9, 2025"),
    (["Drones hit Kharkiv", "Tue 10 Jun 2025 14.30 BST"], "2025-06-10",
     "Tue 10 Jun 2025 14.30 BST"),
    (["Drones hit Kharkiv", "Kyiv, 10 June 2025"], "2025-06-10", "Kyiv, 10 June 2025"),
    (
        ["KYIV, June 10, 2025 (Reuters) - Russian drones struck Kharkiv overnight, the "
         "regional governor said on Tuesday, as talks on a ceasefire stalled again."],
        "2025-06-10",
        "KYIV, June 10, 2025 (Reuters) - Russian drones struck Kharkiv overnight, the…",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("head", "day", "line"), SHAPES, ids=[s[2][:40] for s in SHAPES])
def test_the_article_is_dated_by_its_dateline(head: list[str], day: str, line: str) -> None:
    draft = extract_article("\n\n".join(head) + "\n\n" + BODY, today=TODAY)
    assert draft.article.published == day
    assert draft.dated is not None and draft.dated.line == line
    assert draft.dated.origin == ("updated" if line.startswith("Updated") else "dateline")
    # "yesterday" is counted from the article's date, not from today.
    (yesterday,) = (c.event for c in draft.candidates if "yesterday" in c.event.excerpt)
    assert yesterday.start == (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    # The line that dates the article is no event of it.
    assert not any(c.event.excerpt in head[1:] for c in draft.candidates)


NOT_DATELINES = [
    # A sentence of the story gives the story's date, not the article's.
    "On June 2, 2025, the second round of direct talks between Russia and Ukraine took place "
    "at the Çırağan Palace on the Bosphorus.",
    # Short ones too: a line is a dateline only when it says little but the date.
    "On June 2, 2025, drones struck Kharkiv.",
    "Drones hit Sumy on 10 June 2025",
    "10 June",  # no year
    "June 2025",  # no day
    "Published by the Eastern Ledger",
    "31/31/25",
]


@pytest.mark.parametrize("line", NOT_DATELINES)
def test_what_is_not_a_full_date_of_the_article_is_not_its_dateline(line: str) -> None:
    assert find_dateline(["Drones hit Kharkiv", line]) is None
    draft = extract_article(f"Drones hit Kharkiv\n\n{line}\n\n{BODY}", today=TODAY)
    assert (draft.article.published, draft.dated.origin) == (TODAY.isoformat(), "today")


def test_the_published_option_wins_over_the_dateline() -> None:
    draft = extract_article("Drones\n\n10 June 2025\n\n" + BODY, published="2025-06-12")
    assert (draft.article.published, draft.dated.origin) == ("2025-06-12", "given")


def test_day_first_is_the_users_order_for_an_unproven_date() -> None:
    assert find_dateline(["6/2/25"], dayfirst=True).day == date(2025, 2, 6)
    assert find_dateline(["6/2/25"], dayfirst=None).day == date(2025, 6, 2)


def _import(article: Path, db: Path, *args: str):
    result = CliRunner().invoke(main, ["import", "--db", str(db), "--yes", *args, str(article)])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_the_cli_names_the_date_it_used_and_where_it_found_it(tmp_path: Path) -> None:
    article = tmp_path / "kharkiv.txt"
    article.write_text("Drones hit Kharkiv\n\nPublished: 10 June 2025\n\n" + BODY, encoding="utf-8")
    lines = _import(article, tmp_path / "a.db")
    assert f"{article}: dated 2025-06-10, from the line “Published: 10 June 2025”" in lines
    assert any(line.startswith("  2025-06-09 Kharkiv") for line in lines), lines

    lines = _import(article, tmp_path / "b.db", "--published", "2025-06-12")
    assert f"{article}: dated 2025-06-12, as given" in lines

    undated = tmp_path / "undated.txt"
    undated.write_text("Drones hit Kharkiv\n\n" + BODY, encoding="utf-8")
    lines = _import(undated, tmp_path / "c.db")
    assert (
        f"{undated}: dated {date.today().isoformat()}, today's date: the article gives none "
        "(give it with --published)"
    ) in lines


def test_a_bad_published_option_is_one_line_and_saves_nothing(tmp_path: Path) -> None:
    article = tmp_path / "kharkiv.txt"
    article.write_text("Drones hit Kharkiv\n\n" + BODY, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["import", "--db", str(tmp_path / "s.db"), "--yes", "--published", "June 2nd",
               str(article)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "kharkiv.txt: the publication date must look like 2025-06-02" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("head", ["Drones hit Kharkiv", "Drones hit Kharkiv\n\n10 June 2025"])
def test_the_same_article_read_on_two_days_keeps_its_event_keys(head: str, tmp_path: Path) -> None:
    text = f"{head}\n\n{BODY}"
    first = extract_article(text, today=date(2026, 1, 5))
    second = extract_article(text, today=date(2026, 3, 9))
    assert [c.event.uid for c in first.candidates] == [c.event.uid for c in second.candidates]
    assert first.article.uid == second.article.uid
    with EventStore(tmp_path / "s.db") as store:
        store.add_events(first.accepted_events())
        store.add_events(second.accepted_events())
        assert store.count() == len(first.candidates) > 0


def test_a_date_the_user_corrects_keeps_the_event_keys() -> None:
    draft = extract_article("Drones hit Kharkiv\n\n" + BODY, today=TODAY)
    redated = draft.redated("2025-06-10")
    assert [c.event.uid for c in redated.candidates] == [c.event.uid for c in draft.candidates]
    (yesterday,) = (c.event for c in redated.candidates if "yesterday" in c.event.excerpt)
    assert yesterday.start == "2025-06-09"
    assert (redated.article.published, redated.dated.origin) == ("2025-06-10", "given")


# (the article's first lines, the date it is given, where its year comes from)
YEARLESS = [
    (
        ["Drones hit Kharkiv", "KYIV, June 2 (Reuters) - Russian drones struck Kharkiv "
         "overnight, a day after the talks that opened on 1 June 2025 in Istanbul."],
        "2025-06-02",
        "1 June 2025",
    ),
    (
        ["Drones hit Kharkiv", "2 June — Russian drones struck Kharkiv overnight.",
         "The first round of talks, on 16 May 2025, brought an exchange of prisoners."],
        "2025-06-02",
        "16 May 2025",
    ),
    (
        ["Drones hit Kharkiv", "Updated: 3 June 2025",
         "KHARKIV, Ukraine, 2 June (AP) — Russian drones struck the city overnight."],
        "2025-06-02",
        "Updated: 3 June 2025",
    ),
    # The year that puts the day nearest the other date: December before a January.
    (
        ["Drones hit Kharkiv", "KYIV, Dec. 30 (Reuters) - Drones struck Kharkiv overnight.",
         "The mayor said the talks planned for 2 January 2026 would go ahead."],
        "2025-12-30",
        "2 January 2026",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("head", "day", "year_from"), YEARLESS, ids=[y[1] for y in YEARLESS])
def test_a_dateline_without_its_year_takes_it_from_the_articles_other_dates(
    head: list[str], day: str, year_from: str
) -> None:
    dateline = find_dateline(head)
    assert (dateline.day.isoformat(), dateline.year_from, dateline.updated) == (
        day, year_from, False
    )
    draft = extract_article("\n\n".join(head) + "\n\n" + BODY, today=TODAY)
    assert (draft.article.published, draft.dated.origin) == (day, "dateline")
    (yesterday,) = (c.event for c in draft.candidates if "yesterday" in c.event.excerpt)
    assert yesterday.start == (date.fromisoformat(day) - timedelta(days=1)).isoformat()


def test_a_dateline_without_a_year_anywhere_is_never_dated_by_today(tmp_path: Path) -> None:
    text = "Drones hit Kharkiv\n\nKYIV, June 2 (Reuters) - Russian drones struck Kharkiv.\n\n"
    assert find_dateline(text.splitlines()) is None
    draft = extract_article(text + BODY, today=TODAY)
    assert (draft.article.published, draft.dated.origin) == (TODAY.isoformat(), "today")
    # The user's date, or the confirmation of today's, is what dates it then.
    given = extract_article(text + BODY, published="2025-06-02", today=TODAY)
    assert (given.article.published, given.dated.origin) == ("2025-06-02", "given")
