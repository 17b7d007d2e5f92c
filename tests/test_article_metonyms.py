"""A place name that stands for a government or an office ("Kyiv insists", "the Kremlin
said") is no event's place; the same name is one where the sentence puts something there
("talks at the Kremlin", "a strike on Kyiv")."""

from __future__ import annotations

import pytest

from desktop_app.ingest.article import extract_article

# (sentence, the places its events are at)
SENTENCES = [
    ("On June 3, Kyiv insists that any truce must begin with an exchange of prisoners.", set()),
    ("On June 3, the Kremlin rejected the proposal as a pause for rearmament.", set()),
    ("On June 3, the State Department stated that it would support the talks.", set()),
    ("On June 3, the White House said the president would not attend.", set()),
    ("On June 3, Downing Street and the Elysée issued a joint statement on the talks.", set()),
    ("On June 3, the Pentagon confirmed the delivery of air defence systems.", set()),
    ("On June 3, Moscow responded with a list of conditions.", set()),
    ("According to Kyiv, the bases were used to launch missiles on June 3.", set()),
    ("On June 3, officials were monitoring Kyiv’s proposals closely.", set()),
    ("On June 3, Ankara confined itself to the role of a facilitator.", set()),
    ("Only then, on June 3, would Kyiv agree to discuss the territories.", set()),
    ("On June 3, talks between Moscow and Kyiv stalled again.", set()),
    ("On June 3, Washington is ready to lift some sanctions.", set()),
    ("On June 3, talks at the Kremlin lasted four hours.", {"Kremlin"}),
    ("On June 3, a drone strike on Kyiv killed two people.", {"Kyiv"}),
    ("On June 3, protesters gathered outside the White House.", {"White House"}),
    ("On June 3, officials in Brussels were monitoring the talks.", {"Brussels"}),
    ("On June 3, in Kyiv, the president addressed parliament.", {"Kyiv"}),
    ("On June 3, missiles struck the Pentagon's car park, officials said.", {"Pentagon"}),
    ("On June 3, Kharkiv was shelled for the third night.", {"Kharkiv"}),
    ("On June 3, Moscow demanded that Kyiv recognize the annexation, after strikes "
     "on Odesa and Kyiv.", {"Odesa", "Kyiv"}),
    ("On June 3, Kyiv insisted on talks in Istanbul.", {"Istanbul"}),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "places"), SENTENCES, ids=[s[0][12:52] for s in SENTENCES])
def test_a_name_that_stands_for_someone_is_no_place(sentence: str, places: set[str]) -> None:
    draft = extract_article(sentence, published="2025-06-05")
    found = {c.event.place.name for c in draft.candidates if c.event.place is not None}
    assert found == places
    # The sentence is still an event: without a place, it lives on the timeline.
    assert draft.candidates


@pytest.mark.parametrize(
    ("sentence", "offered"),
    [
        ("The State Department stated that it would support the talks.", "State Department"),
        ("Kyiv insists that everything be formalized publicly.", "Kyiv"),
        ("The White House said nothing.", "White House"),
    ],
)
def test_a_sentence_whose_name_speaks_is_an_event_the_review_can_place_there(
    sentence: str, offered: str
) -> None:
    (candidate,) = extract_article(sentence, published="2025-06-05").candidates
    assert candidate.event.place is None
    assert [entry.name for entry in candidate.alternatives] == [offered]
