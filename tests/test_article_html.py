"""A news page is read by its article alone: the story's text without the navigation,
advertisements, related links, comments and footer around it, and the title, author,
date and site the page states; text is unescaped exactly once, and nothing is fetched."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from desktop_app.cli import main
from desktop_app.ingest.article import extract_article
from desktop_app.ingest.article_html import read_page

PAGE = Path(__file__).parent / "fixtures" / "import" / "article_kharkiv_night.html"


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the page reader tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_the_page_gives_its_title_author_date_and_site(no_network) -> None:
    page = read_page(PAGE.read_text(encoding="utf-8"))
    assert page.title == "Drones hit Kharkiv overnight as talks stall"
    assert page.author == "Olena Marchuk"
    # The publication date, not the update of the next day.
    assert page.published == "2025-06-10"
    assert page.site == "The Eastern Ledger"
    assert page.url == "https://eastern-ledger.example/world/2025/06/10/drones-hit-kharkiv"


def test_the_text_is_the_story_alone_in_paragraphs(no_network) -> None:
    text = read_page(PAGE.read_text(encoding="utf-8")).text
    paragraphs = text.split("\n\n")
    assert (
        "Russian drones struck residential districts of Kharkiv overnight, killing three "
        "people and injuring at least 17, the regional governor said on Tuesday. Fires broke "
        "out in two apartment blocks and a warehouse in the city’s north-east."
    ) in paragraphs
    assert (
        "On 8 June, power was cut in parts of the Sumy region after shelling near the border."
    ) in paragraphs
    for around in ("Newsletters", "Advertisement", "Subscribe", "Related", "Istanbul talks end",
                   "lviv_reader", "sirens", "Paris should host", "All rights reserved",
                   "Privacy", "Share this article", "dataLayer", "min-height"):  # fmt: skip
        assert around not in text, around


def test_text_from_html_is_unescaped_exactly_once(no_network) -> None:
    text = read_page(PAGE.read_text(encoding="utf-8")).text
    assert "should resume & produce a written text" in text
    assert "wrote the code <script> on a shelter wall" in text
    assert "&amp;" not in text and "&lt;" not in text
    doubly = read_page("<html><body><p>On 2 June 2025 a sign in Sumy read &amp;lt;b&amp;gt;."
                       "</p></body></html>").text  # fmt: skip
    assert doubly == "On 2 June 2025 a sign in Sumy read &lt;b&gt;."


def test_the_page_dates_and_places_its_events(no_network) -> None:
    draft = extract_article(PAGE.read_text(encoding="utf-8"), kind="html")
    assert (draft.dated.day, draft.dated.origin) == ("2025-06-10", "page")
    article = draft.article
    assert (article.title, article.author, article.outlet, article.published) == (
        "Drones hit Kharkiv overnight as talks stall", "Olena Marchuk", "The Eastern Ledger",
        "2025-06-10",
    )  # fmt: skip
    placed = {(c.event.place.name, c.event.start) for c in draft.candidates if c.event.place}
    assert ("Sumy region", "2025-06-08") in placed
    assert ("Odesa", "2025-06-10") in placed  # "Later on Tuesday": the day it was published
    names = {name for name, _ in placed}
    # The Kremlin rejecting and Kyiv insisting happened nowhere; comments are not the story.
    assert not names & {"Kremlin", "Kyiv", "Lviv", "Paris", "State Department"}


def test_importing_the_page_saves_its_article(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    result = CliRunner().invoke(main, ["import", "--db", str(db), "--yes", str(PAGE)])
    assert result.exit_code == 0, result.output
    assert f"{PAGE}: dated 2025-06-10, from the page's metadata" in result.output.splitlines()
    with sqlite3.connect(db) as conn:
        excerpts = [row[0] for row in conn.execute("SELECT excerpt FROM events")]
    assert any("Sumy region" in e for e in excerpts)
    assert not any("sirens" in e or "Advertisement" in e for e in excerpts)
