"""Grades (Admiralty A–F / 1–6), outlets by one name, corroboration, and the grades the
bundled dataset ships with."""

from __future__ import annotations

import json

import pytest

from desktop_app.core.event import Article, Event, Place
from desktop_app.core.grading import (
    Grade,
    GradeError,
    at_least,
    parse_grade,
)
from desktop_app.core.outlets import OutletNames, corroboration, outlet_names
from desktop_app.core.window import TimeWindow
from desktop_app.ingest.bundled import bundled_datasets
from desktop_app.store.event_store import EventStore
from desktop_app.ui.panels.excerpt import ExcerptPanel
from desktop_app.ui.view_state import ViewState


@pytest.mark.parametrize(
    ("text", "code"),
    [("B2", "B2"), ("b2", "B2"), (" a-1 ", "A1"), ("F/6", "F6"), ("C 3", "C3"), ("e5", "E5")],
)
def test_grades_read_as_analysts_write_them(text, code):
    assert parse_grade(text).code == code


@pytest.mark.parametrize("text", ["", "G1", "A7", "AA", "1A", "B22", "B2x", "<b>B2</b>"])
def test_a_wrong_grade_is_refused_in_one_line(text):
    with pytest.raises(GradeError) as caught:
        parse_grade(text)
    assert "\n" not in str(caught.value) and "A–F" in str(caught.value)


def test_an_ungraded_event_cannot_be_judged_and_better_means_earlier():
    assert Event(uid="x", title="t", start="2025").grade.code == "F6"
    assert not Grade().is_judged and parse_grade("F5").is_judged
    assert at_least("A", "B") and at_least("B", "B") and not at_least("C", "B")
    assert at_least("1", "2") and not at_least("3", "2")
    assert parse_grade("B2").describe() == "B2 – Usually reliable, probably true"


@pytest.mark.parametrize(
    ("written", "outlet"),
    [
        ("The Guardian", "The Guardian"), ("Guardian", "The Guardian"),
        ("the guardian", "The Guardian"), ("theguardian.com", "The Guardian"),
        ("https://www.theguardian.com/world/2025/jun/02/x", "The Guardian"),
        ("The  Guardian.", "The Guardian"), ("AP", "Associated Press"),
        ("apnews.com", "Associated Press"), ("edition.cnn.com", "CNN"),
        ("BBC News", "BBC"), ("bbc.co.uk", "BBC"), ("Washington Post", "The Washington Post"),
        ("ТАСС", "TASS"), ("Українська правда", "Ukrainska Pravda"),
        ("RFE/RL", "Radio Free Europe/Radio Liberty"),
        ("Some Local Blog", "Some Local Blog"),
        ("local-news.example.org", "local-news.example.org"),
        ("St. Petersburg Times", "St. Petersburg Times"), ("U.S.", "U.S."), ("3.5", "3.5"),
    ],
)  # fmt: skip
def test_outlets_go_by_one_name(written, outlet):
    assert outlet_names().name(written) == outlet


def test_corroboration_counts_outlets_not_spellings():
    assert corroboration(["The Guardian", "Guardian", "theguardian.com"]) == 1
    assert corroboration(["Reuters", "reuters.com/world", "AP", "Some Blog", "some blog"]) == 3
    assert corroboration([]) == 0 and corroboration(["", "  "]) == 0


def test_a_user_table_adds_names(tmp_path):
    own = tmp_path / "outlets.json"
    own.write_text(json.dumps({"outlets": [
        {"name": "Hromadske", "aliases": ["Громадське"], "domains": ["hromadske.ua"]},
        {"name": "BBC", "aliases": ["Би-би-си"], "domains": []},
    ]}), encoding="utf-8")  # fmt: skip
    from desktop_app.paths import data_dir

    names = OutletNames.from_files([data_dir() / "outlets" / "outlets.json", own])
    assert names.name("Громадське") == names.name("hromadske.ua") == "Hromadske"
    assert names.name("Би-би-си") == names.name("bbc.com") == "BBC"
    assert names.fingerprint != outlet_names().fingerprint


def test_a_changed_outlet_table_renames_the_stored_outlets(tmp_path, monkeypatch):
    db = tmp_path / "s.db"
    store = EventStore(db)
    store.add_events([Event(uid="a", title="A", start="2025-06-02",
                            sources=("Hromadske", "hromadske.ua"))])  # fmt: skip
    assert store.all_events()[0].sources == ("Hromadske", "hromadske.ua")
    store.close()
    config = tmp_path / "config"
    config.mkdir()
    (config / "outlets.json").write_text(json.dumps({"outlets": [
        {"name": "Hromadske", "domains": ["hromadske.ua"]}]}), encoding="utf-8")  # fmt: skip
    monkeypatch.setenv("EVENT_ATLAS_CONFIG_DIR", str(config))
    outlet_names.cache_clear()
    try:
        store = EventStore(db)
        outlets = {r[0] for r in store.db.execute("SELECT outlet FROM sources")}
        assert outlets == {"Hromadske"}
        store.close()
    finally:
        outlet_names.cache_clear()


def test_events_take_a_cited_outlet_s_grade_until_graded_themselves(tmp_path):
    store = EventStore(tmp_path / "g.db")
    store.add_events([
        Event(uid="a", title="A", start="2025-06-02", sources=("Reuters", "Some Blog")),
        Event(uid="b", title="B", start="2025-06-02", sources=("Some Blog",)),
        Event(uid="c", title="C", start="2025-06-02", sources=("reuters.com",),
              grade=parse_grade("D4", "contradicted by local officials")),
    ])  # fmt: skip
    ids = {e.uid: e.id for e in store.all_events()}
    assert store.set_outlet_grade("reuters.com/world", parse_grade("B2", "wire")) == "Reuters"
    store.set_outlet_grade("Some Blog", parse_grade("E5"))
    graded = {e.uid: e.grade for e in store.events(list(ids.values()))}
    # The best of the outlets it cites; its own grade wins.
    assert graded["a"].code == "B2" and graded["a"].from_outlet == "Reuters"
    assert graded["b"].code == "E5" and graded["b"].from_outlet == "Some Blog"
    assert graded["c"].code == "D4" and graded["c"].reason == "contradicted by local officials"
    assert set(store.outlet_grades()) == {"Reuters", "Some Blog"}
    # Bulk grading of a selection, then ungrading: back to the outlet's grade.
    store.set_grades([ids["a"], ids["b"]], parse_grade("A1", "seen on video"))
    assert {e.grade.code for e in store.events([ids["a"], ids["b"]])} == {"A1"}
    store.set_grades([ids["b"]], Grade())
    assert store.events([ids["b"]])[0].grade.code == "E5"
    store.set_outlet_grade("Some Blog", None)
    assert store.events([ids["b"]])[0].grade.code == "F6"
    store.close()


def test_articles_keep_their_text_s_hash(tmp_path):
    import hashlib

    text = "The talks lasted just over an hour.\n"
    store = EventStore(tmp_path / "h.db")
    store.add_events([Event(uid="a", title="A", start="2025-06-02",
                            article=Article("art", "Talks", text=text,
                                            retrieved="2025-06-02T10:00:00Z"))])  # fmt: skip
    article = store.all_events()[0].article
    assert article.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert article.retrieved == "2025-06-02T10:00:00Z"
    store.close()


def test_the_bundled_dataset_is_graded_with_a_reason_for_each_event():
    (path,) = [p for p in bundled_datasets() if p.suffix == ".geojson"]
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    for feature in features:
        props = feature["properties"]
        grade = parse_grade(props["reliability"] + props["credibility"])
        assert props["grade_reason"].startswith(f"{grade.reliability}: "), props["id"]
        # A grade better than "cannot be judged" names the outlets it rests on.
        if grade.is_judged:
            assert all(s in props["grade_reason"] for s in props["sources"]), props["id"]
        assert (len(props["sources"]) >= 2) == (grade.credibility <= "2"), props["id"]


def test_the_panel_shows_the_grade_why_and_the_corroboration(qtbot, seed_store):
    state = ViewState(TimeWindow(0, 1))
    panel = ExcerptPanel(state, seed_store.events)
    qtbot.addWidget(panel)
    saratov = next(e for e in seed_store.all_events() if "Saratov" in e.title)
    state.select([saratov.id])
    text = panel.details.toPlainText()
    assert "B2 – Usually reliable, probably true" in text
    assert "The Washington Post and Al Jazeera" in text  # the reason
    assert "2 independent outlets" in text
    ungraded = next(e for e in seed_store.all_events() if not e.sources)
    state.select([ungraded.id])
    text = panel.details.toPlainText()
    assert "F6 – not graded" in text and "0 independent outlets" in text


def test_a_grade_reason_is_shown_as_text(qtbot, tmp_path):
    store = EventStore(tmp_path / "x.db")
    store.add_events([Event(uid="x", title="T", start="2025-06-02", place=Place("P", 1, 2),
                            grade=parse_grade("C3", "<img src=x onerror=alert(1)>"))])  # fmt: skip
    state = ViewState(TimeWindow(0, 1))
    panel = ExcerptPanel(state, store.events)
    qtbot.addWidget(panel)
    state.select([store.all_events()[0].id])
    assert "<img src=x onerror=alert(1)>" in panel.details.toPlainText()
    assert "<img" not in panel.event_html(store.all_events()[0])
    store.close()


def test_the_kept_article_is_read_with_its_excerpt_marked_and_checked(
    qtbot, tmp_path, seed_store
):
    store = seed_store
    state = ViewState(TimeWindow(0, 1))
    panel = ExcerptPanel(state, store.events, article_text=store.article_text)
    qtbot.addWidget(panel)
    vilnius = next(
        e for e in store.all_events()
        if e.article and store.article_text(e.article.uid) and "Vilnius" in e.title
    )  # fmt: skip
    state.select([vilnius.id])
    assert "Read the kept text" in panel.details.toPlainText()
    assert "not in the kept article text" not in panel.details.toPlainText()
    panel.read_article()
    reader = panel.reader
    assert reader is not None and reader.found is not None and reader.unchanged
    start, end = reader.found
    text = store.article_text(vilnius.article.uid)
    assert " ".join(text[start:end].split()) == " ".join(vilnius.excerpt.split())
    # The text as kept, character for character, and the excerpt's characters marked.
    assert reader.text.toPlainText() == text
    assert marked(reader, start + 1) and marked(reader, end - 1)
    assert not marked(reader, start - 1) and not marked(reader, end + 1)
    assert "the text is the one imported" in reader.check.text()
    reader.grab().save(str(tmp_path / "reader.png"))
    reader.close()
    # Someone alters the kept text: the panel flags the excerpt, the reader the hash.
    altered = text.replace(vilnius.excerpt[:40], "Something else entirely was said")
    store.db.execute("UPDATE articles SET text = ? WHERE uid = ?", [altered, vilnius.article.uid])
    store.db.conn.commit()
    state.select([])
    state.select([vilnius.id])
    assert "not in the kept article text word for word" in panel.details.toPlainText()
    panel.read_article()
    assert panel.reader.found is None and not panel.reader.unchanged
    assert "no longer matches the SHA-256" in panel.reader.check.text()


def marked(reader, at: int) -> bool:
    """Whether the character before position ``at`` of the reader's text is highlighted."""
    from PySide6.QtGui import QTextCursor

    from desktop_app.ui.panels.article_reader import MARK_COLOUR

    cursor = QTextCursor(reader.text.document())
    cursor.setPosition(at)
    return cursor.charFormat().background().color().name() == MARK_COLOUR


def test_grading_from_the_command_line(tmp_path):
    from click.testing import CliRunner

    from desktop_app.cli import main

    db = tmp_path / "c.db"
    store = EventStore(db)
    store.add_events([
        Event(uid="a", title="A", start="2025-06-02", sources=("Guardian",)),
        Event(uid="b", title="B", start="2025-06-02", sources=("theguardian.com", "Reuters")),
    ])  # fmt: skip
    ids = sorted(e.id for e in store.all_events())
    store.close()
    run = CliRunner().invoke

    def records():
        out = run(main, ["events", "--db", str(db), "--format", "json"]).output
        return {r["title"]: r for r in json.loads(out)}

    listed = json.loads(run(main, ["outlets", "--db", str(db), "--format", "json"]).output)
    assert listed[0] == {"outlet": "The Guardian", "events": 2, "grade": None, "reason": None,
                         "cited_as": ["Guardian", "theguardian.com"]}  # fmt: skip
    done = run(main, ["grade", "B2", "--outlet", "The Guardian", "--db", str(db)])
    assert done.exit_code == 0 and "2 events cite it" in done.output
    assert records()["A"]["reliability"] + records()["A"]["credibility"] == "B2"
    assert records()["A"]["grade_from_outlet"] == "The Guardian"
    run(main, ["grade", "a1", str(ids[1]), "--reason", "on video", "--db", str(db)])
    assert (records()["B"]["reliability"], records()["B"]["grade_reason"]) == ("A", "on video")
    assert records()["B"]["corroboration"] == 2
    bad = run(main, ["grade", "B2", str(ids[0]), "12345", "--db", str(db)])
    assert bad.exit_code == 1 and "12345" in bad.output and "Traceback" not in bad.output
    assert records()["A"]["grade_from_outlet"] == "The Guardian"  # nothing changed
    assert run(main, ["grade", "Z9", str(ids[0]), "--db", str(db)]).exit_code == 2
    assert run(main, ["grade", "B2", "--db", str(db)]).exit_code == 2  # neither ids nor outlet
    run(main, ["grade", "none", "--outlet", "guardian", "--db", str(db)])
    assert records()["A"]["reliability"] + records()["A"]["credibility"] == "F6"


def test_grade_and_kept_field_names_in_someone_else_s_geojson_are_not_ours(tmp_path):
    from desktop_app.ingest.pipeline import import_file

    path = tmp_path / "foreign.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [30.5, 50.4]},
        "properties": {"title": "T", "date": "2025-06-02", "reliability": "high",
                       "credibility": "low", "attributes": {"nested": {"x": 1}}}}]}),
        encoding="utf-8")  # fmt: skip
    store = EventStore(tmp_path / "f.db")
    import_file(path, store)
    (event,) = store.all_events()
    assert event.grade.code == "F6"
    store.close()


@pytest.mark.parametrize(
    "grade",
    [parse_grade("A1", "seen on video"), parse_grade("F6", "no way to tell"), Grade(),
     parse_grade("D4")],
)  # fmt: skip
def test_grading_events_tells_their_history_as_the_events_read_whole_would(tmp_path, grade):
    from desktop_app.store import history

    store = EventStore(tmp_path / "g.db")
    store.add_events([
        Event(uid="ungraded", title="A", start="2025-06-02"),
        Event(uid="outlet", title="B", start="2025-06-02", sources=("Reuters",)),
        Event(uid="own", title="C", start="2025-06-02", grade=parse_grade("D4", "doubted")),
        Event(uid="unjudged", title="D", start="2025-06-02",
              grade=parse_grade("F6", "no way to tell")),
        Event(uid="a1", title="E", start="2025-06-02", grade=parse_grade("A1", "seen on video")),
    ])  # fmt: skip
    store.set_outlet_grade("Reuters", parse_grade("B2", "wire"))
    ids = [e.id for e in store.all_events()]
    before = {e.id: e for e in store.events(ids)}
    told = len(store.history())
    change = store.grade_events(ids, grade)
    after = {e.id: e for e in store.events(ids)}
    expected = _assert_told(store.history()[told:], before, after, history.GRADE)
    assert set(change.event_ids) >= set(expected)
    # Undo and redo write the grade columns back and tell them as the old per-event rows
    # from the events read whole did.
    for kind, side, then in (
        ("undo grade", change.before, before),
        ("redo grade", change.after, after),
    ):
        was = {e.id: e for e in store.events(ids)}
        told = len(store.history())
        store.restore_events(side, kind)
        now = {e.id: e for e in store.events(ids)}
        assert now == then
        _assert_told(store.history()[told:], was, now, kind)
    store.close()


def _assert_told(rows, was: dict, now: dict, kind: str) -> dict:
    """That the history ``rows`` tell, as ``kind``, each event whose values changed from
    ``was`` to ``now`` (events by id) as the events read whole tell it; those changes."""
    from desktop_app.store import history

    expected = {
        i: history.changed_values(was[i], now[i])
        for i in was
        if history.changed_values(was[i], now[i]) != ({}, {})
    }
    assert {r.event_id: (r.before, r.after) for r in rows} == expected
    assert all(r.kind == kind for r in rows)
    assert {r.event_uid for r in rows} == {was[i].uid for i in expected}
    return expected
