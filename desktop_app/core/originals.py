"""Checks against kept originals: is an excerpt still word for word in its article, and
is the article's kept text the one that was imported?

Typography differs between copies of one text (curly and straight quotes, dashes,
non-breaking spaces, line breaks), so both sides are compared in one normal form; any
other difference counts.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_SAME_MARKS = str.maketrans({
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
    "«": '"', "»": '"', "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-",
})  # fmt: skip


def text_sha256(text: str) -> str:
    """The SHA-256 of a kept text (UTF-8), in hex: what shows it unchanged later."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _normal(text: str) -> tuple[str, list[int]]:
    """``text`` in the compared form, and for each of its characters the index of the
    character of ``text`` it came from (to find a match's place in the original)."""
    out: list[str] = []
    where: list[int] = []
    space = False
    for i, ch in enumerate(text):
        ch = unicodedata.normalize("NFKC", ch).translate(_SAME_MARKS)
        if not ch:
            continue
        if ch.isspace():
            if out and not space:
                out.append(" ")
                where.append(i)
            space = True
            continue
        space = False
        for part in ch:
            out.append(part)
            where.append(i)
    if out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def excerpt_span(excerpt: str, text: str) -> tuple[int, int] | None:
    """Where ``excerpt`` stands in ``text`` (start and end indexes into ``text``), or
    None when it is not there word for word."""
    wanted, _ = _normal(excerpt)
    if not wanted:
        return None
    body, where = _normal(text)
    at = body.find(wanted)
    if at < 0:
        return None
    return where[at], where[at + len(wanted) - 1] + 1
