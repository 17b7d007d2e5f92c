"""How big one thing in an imported file may be, so that no file, however built, makes an
import hold more than a few hundred megabytes or run for hours.

Every limit is far beyond what a real file of events has (a title of ten thousand
characters, JSON nested a hundred levels deep); what passes one is refused with a
reason, as one bad record when the rest of the file can still be read, or as the whole
file when reading on would need the memory the limit is there to save.
"""

from __future__ import annotations

import re

import numpy as np

from desktop_app.core.event import Event

# JSON: objects and arrays inside each other. GeoJSON events need about eight levels.
MAX_JSON_DEPTH = 128
# JSON: one string (or number) read in pieces; a feature's text is far shorter.
MAX_JSON_TOKEN_CHARS = 8 * 1024 * 1024
# Files read whole (TimelineJS, TimeMap, articles): their objects take several times
# the file's size in memory.
MAX_JSON_DOCUMENT_BYTES = 32 * 1024 * 1024
MAX_ARTICLE_BYTES = 4 * 1024 * 1024
# XML: one text (a description), and one run of bytes without a tag boundary (an
# attribute, a comment), which the XML parser would otherwise hold whole.
MAX_XML_TEXT_CHARS = 1024 * 1024
MAX_XML_TOKEN_BYTES = 8 * 1024 * 1024
# A KMZ's inner file: its size, and how many times smaller it is compressed (real KML
# compresses five to thirty times; a zip bomb a thousand).
MAX_ZIP_MEMBER_BYTES = 2 * 1024 * 1024 * 1024
MAX_ZIP_RATIO = 100
# Delimited files: one physical line.
MAX_LINE_CHARS = 8 * 1024 * 1024
# One event's fields: its excerpt may be a long passage, the others are short.
MAX_TEXT_CHARS = 1024 * 1024
MAX_FIELD_CHARS = 10_000


def oversized_field(event: Event) -> str | None:
    """Why ``event`` is too big to keep (a field past its limit), or None."""
    fields: list[tuple[str, str | None, int]] = [
        ("excerpt", event.excerpt, MAX_TEXT_CHARS),
        ("title", event.title, MAX_FIELD_CHARS),
        ("id", event.uid, MAX_FIELD_CHARS),
        ("date", event.start, MAX_FIELD_CHARS),
        ("end date", event.end, MAX_FIELD_CHARS),
        ("date text", event.display_date, MAX_FIELD_CHARS),
        ("category", event.category, MAX_FIELD_CHARS),
    ]
    for place, what in ((event.place, "place"), (event.origin, "origin")):
        if place is not None:
            fields.append((f"{what} name", place.name, MAX_FIELD_CHARS))
            fields.append((f"{what} kind", place.kind, MAX_FIELD_CHARS))
            fields.append((f"{what} country", place.country, MAX_FIELD_CHARS))
    fields.extend(("actor", actor, MAX_FIELD_CHARS) for actor in event.actors)
    fields.extend(("source", source, MAX_FIELD_CHARS) for source in event.sources)
    for name, value, limit in fields:
        if value is not None and len(value) > limit:
            return f"the {name} is {len(value):,} characters long (at most {limit:,})"
    if len(event.actors) > MAX_FIELD_CHARS or len(event.sources) > MAX_FIELD_CHARS:
        return f"more than {MAX_FIELD_CHARS:,} actors or sources"
    return None


class LimitExceeded(ValueError):
    """A file passed one of the limits; ``line`` is where, when known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line

    @property
    def where(self) -> str | None:
        return f"line {self.line}" if self.line else None


_ESCAPES = re.compile(r"\\.", re.S)
_STRINGS = re.compile(r'"[^"]*"')
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_TOKEN_END = re.compile(r"[\s,:\[\]{}]")
_BOUNDARIES = " \t\n\r,:[]{}"
_OPEN = frozenset("[{")


class JsonDepthGuard:
    """Watches JSON text as it is read, piece by piece, and raises :class:`LimitExceeded`
    before a parser meets nesting deeper than :data:`MAX_JSON_DEPTH` or one string or
    number longer than :data:`MAX_JSON_TOKEN_CHARS`.

    The pieces are scanned with regular expressions and numpy, not a loop per
    character, so the watch costs little beside the parse itself.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.line = 1
        self._in_string = False
        self._escape = False
        self._token = 0  # characters of the string or bare token that is still open

    def feed(self, text: str) -> None:
        if not text:
            return
        start_state = (self.depth, self._in_string, self._escape)
        # Escapes become two harmless characters (positions are kept), so every quote
        # left opens or closes a string; a piece whose first character ends an escape
        # begun in the last piece masks that character too.
        head, tail = ("_", text[1:]) if self._escape else ("", text)
        masked = head + _ESCAPES.sub("__", tail)
        ends_escaping = masked.endswith("\\")
        self._escape = False
        at = 0
        if self._in_string:
            close = masked.find('"')
            if close < 0:
                self._token += len(text)
                self._escape = ends_escaping
                self._check_token(text)
                self.line += text.count("\n")
                return
            self._token += close
            self._check_token(text)
            self._token = 0
            self._in_string = False
            at = close + 1
        body = masked[at:] if at else masked
        outside = body
        if body.count('"') % 2:
            # An odd quote: the last one opens a string that goes on in the next piece.
            opened = body.rfind('"')
            outside = body[:opened]
            self._in_string = True
            self._escape = ends_escaping
        outside = _STRINGS.sub('""', outside)
        self._check_bare_token(outside)
        if self._in_string:
            self._token = len(body) - body.rfind('"') - 1
        brackets = _NOT_BRACKETS.sub("", outside)
        if brackets:
            codes = np.frombuffer(brackets.encode("ascii"), dtype=np.uint8)
            steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
            depths = self.depth + np.cumsum(steps)
            if int(depths.max()) > MAX_JSON_DEPTH:
                self.line += _line_of_depth(text, *start_state)
                raise LimitExceeded(
                    f"JSON nested more than {MAX_JSON_DEPTH} levels deep", self.line
                )
            self.depth = int(depths[-1])
        self._check_token(text)
        self.line += text.count("\n")

    def _check_bare_token(self, outside: str) -> None:
        # A number (or garbage) that runs on across pieces is held whole by the parser.
        boundary = _TOKEN_END.search(outside)
        if boundary is None:
            self._token += len(outside)
            self._check_token(outside)
            return
        self._token += boundary.start()
        self._check_token(outside)
        last = max(outside.rfind(char) for char in _BOUNDARIES)
        self._token = len(outside) - last - 1

    def _check_token(self, text: str) -> None:
        if self._token > MAX_JSON_TOKEN_CHARS:
            raise LimitExceeded(
                f"a JSON value longer than {MAX_JSON_TOKEN_CHARS:,} characters",
                self.line + text.count("\n"),
            )


def _line_of_depth(text: str, depth: int, in_string: bool, escape: bool) -> int:
    """Newlines in ``text`` before the bracket that goes too deep, reading from the
    given state (a slow scan, run once, on the piece that fails)."""
    newlines = 0
    for char in text:
        if char == "\n":
            newlines += 1
        if in_string:
            if escape:
                escape = False
            elif char == "\\":
                escape = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in _OPEN:
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return newlines
        elif char in "]}":
            depth -= 1
    return newlines


def check_json_text(text: str) -> None:
    """Raise :class:`LimitExceeded` when a whole JSON text passes the limits."""
    guard = JsonDepthGuard()
    for start in range(0, len(text), 1 << 16):
        guard.feed(text[start : start + (1 << 16)])
