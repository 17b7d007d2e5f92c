"""Names of places that stand for someone: "Kyiv insists", "the Kremlin said".

News writes a capital for its government ("Moscow responded", "according to Kyiv",
"Ankara's position") and a building for the office in it ("the State Department
stated", "the Kremlin rejected"). Nothing happened in Kyiv or at the Kremlin then, so
such a mention is not an event's place. It is one when the sentence puts something
there: "talks at the Kremlin", "a strike on Kyiv", "officials in Brussels".

The rules read the words around the name:

- a seat of power (:data:`SEATS_OF_POWER`) is a place only after a preposition of place
  or a verb that reaches it ("at", "in", "outside", "visited", "struck");
- a city is a government when it speaks or holds a view: followed by a verb of saying or
  wanting ("insists", "would ... agree", "is serious"), after "by", "according to" or
  "between", or as the owner of a position ("Kyiv's proposals").
"""

from __future__ import annotations

import re

# Name keys (lower case, no accents) of buildings and streets that stand for an office.
SEATS_OF_POWER = frozenset({
    "kremlin", "white house", "downing street", "number 10", "no 10",
    "pentagon", "elysee", "elysee palace", "paris 08 elysee", "state department",
    "foreign office", "whitehall", "bankova", "quai d orsay", "capitol hill",
    "foggy bottom", "zhongnanhai", "blue house", "chancellery", "kremlin palace",
})  # fmt: skip

# Words after which a name is where something happens.
_THERE = frozenset({
    "in", "at", "on", "near", "outside", "inside", "over", "into", "to", "toward",
    "towards", "around", "across", "within", "beside", "behind", "through", "throughout",
    "opposite", "above", "off", "visited", "visit", "visits", "visiting", "reached",
    "entered", "struck", "hit", "hits", "attacked", "targeted", "stormed", "shelled",
    "bombed", "surrounded", "besieged", "evacuated",
})  # fmt: skip
# Words after which a name is someone who acts or is acted with, not a place.
_AGENT_BEFORE = frozenset({"by", "between"})
# Verbs of saying, wanting and deciding (base forms; endings are taken off to match).
_STANCE_VERBS = frozenset({
    "say", "said", "insist", "demand", "propose", "agree", "respond", "offer", "confine",
    "want", "claim", "deny", "reject", "accuse", "warn", "believe", "refuse", "hope",
    "announce", "state", "stress", "urge", "call", "threaten", "vow", "recognize",
    "recognise", "renounce", "accept", "argue", "suggest", "signal", "seek", "sought",
    "push", "plan", "expect", "consider", "view", "see", "saw", "fear", "condemn",
    "welcome", "dismiss", "blame", "react", "reply", "retort", "counter", "maintain",
    "contend", "acknowledge", "concede", "admit", "promise", "pledge", "intend", "prefer",
    "decline", "hint", "note", "told", "tell", "ask", "order", "impose", "approve",
    "oppose", "support", "veto", "summon", "expel", "protest", "complain", "envision",
    "envisage", "regard", "treat", "allow", "permit", "confirm", "sign", "ratify",
    "negotiate", "send", "sent", "appeal", "retaliate", "question", "doubt",
    "wish", "need", "think", "thought", "know", "knew", "recall", "sanction",
})  # fmt: skip
# Adjectives of a stance: "Moscow is serious about", "Kyiv remains ready".
_STANCE_ADJECTIVES = frozenset({
    "serious", "ready", "willing", "unwilling", "open", "prepared", "determined", "keen",
    "sceptical", "skeptical", "confident", "adamant", "reluctant", "eager", "opposed",
    "committed", "interested", "unhappy", "concerned", "firm",
})  # fmt: skip
# What a capital "has" when it stands for its government: "Kyiv's proposals".
_STANCE_NOUNS = frozenset({
    "proposal", "proposals", "position", "positions", "stance", "demand", "demands",
    "ability", "plan", "plans", "terms", "view", "views", "response", "refusal", "offer",
    "conditions", "strategy", "approach", "policy", "leadership", "government",
    "negotiators", "insistence", "claims", "claim", "interests", "intentions",
    "willingness", "readiness", "reluctance", "bid", "role", "efforts", "side", "request",
    "allies", "officials", "envoy", "delegation", "decision", "objections", "red",
    "narrative", "message", "warning", "threats", "goals", "aims", "eyes", "opinion",
    "reaction", "line", "calculus", "priorities",
})  # fmt: skip
# Words passed over between a name and its verb: "Kyiv would not agree", "Moscow and
# Minsk both insist", "Kyiv formally and legally renounce".
_PASS_OVER = frozenset({
    "is", "was", "are", "were", "has", "had", "have", "will", "would", "could", "should",
    "can", "may", "might", "must", "does", "did", "do", "not", "also", "still", "now",
    "then", "again", "already", "both", "and", "or", "remains", "remained",
    "seems", "seemed", "appears", "appeared", "be", "been", "never", "ever", "itself",
    "however", "too", "first", "once", "yet", "so", "far", "clearly", "officially",
})  # fmt: skip
_TOKEN = re.compile(r"[\w’'\-]+|[^\w\s]")
_POSSESSIVE = ("’s", "'s")
_LOOK = 8


def is_seat_of_power(key: str) -> bool:
    """Whether the name key ``key`` ("the white house") names a seat of power."""
    return key.removeprefix("the ") in SEATS_OF_POWER


def _verb_forms(word: str) -> set[str]:
    """``word`` and what it might be without an ending: "proposes" -> "propose"."""
    forms = {word}
    for ending in ("s", "es", "ed", "d", "ing"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stem = word[: -len(ending)]
            forms.update({stem, stem + "e"})
    return forms


def _is_name(token: str) -> bool:
    return token[:1].isupper()


def _words_before(tokens: list[str]) -> tuple[str, str]:
    """The word before a name and the one before that, passing over "the" and the names
    listed with it ("in Kyiv and Odesa", "by both Kyiv and Moscow")."""
    i = len(tokens) - 1
    while i >= 0:
        low = tokens[i].lower()
        if low in ("the", "both"):
            i -= 1
        elif low in ("and", "or", ",") and i > 0 and _is_name(tokens[i - 1]):
            i -= 1
            while i >= 0 and _is_name(tokens[i]) and tokens[i].lower() != "the":
                i -= 1
        else:
            return low, tokens[i - 1].lower() if i > 0 else ""
    return "", ""


def _speaks_after(tokens: list[str]) -> bool:
    """Whether the words after a name make it the one who speaks or holds a view."""
    for token in tokens[:_LOOK]:
        low = token.lower()
        if _verb_forms(low) & _STANCE_VERBS or low in _STANCE_ADJECTIVES:
            return True
        passing = (
            low in _PASS_OVER
            or (low.endswith("ly") and len(low) > 4)
            or low == ","
            or _is_name(token)
        )
        if not passing:
            return False
    return False


def is_figurative(sentence: str, start: int, end: int, key: str, kind: str) -> bool:
    """Whether the place name at ``sentence[start:end]`` stands for an office or a
    government rather than for where something happened.

    Parameters
    ----------
    sentence
        The sentence (outlet names masked).
    start, end
        Where the name is in it.
    key
        The name's gazetteer key.
    kind
        The gazetteer's kind of the place (``city``, ``landmark``, ...).
    """
    before = _TOKEN.findall(sentence[max(0, start - 120) : start])
    after_text = sentence[end : end + 120]
    possessive = sentence[start:end].endswith(_POSSESSIVE) or after_text.startswith(_POSSESSIVE)
    after = _TOKEN.findall(after_text)
    if after and after[0] in _POSSESSIVE:
        after = after[1:]
    if possessive and after and after[0].lower() in _STANCE_NOUNS:
        return True
    word, previous = _words_before(before)
    if kind == "city" and (word in _AGENT_BEFORE or (word, previous) == ("to", "according")):
        return True
    if word in _THERE:
        return False
    if is_seat_of_power(key):
        return True
    return kind == "city" and _speaks_after(after)
