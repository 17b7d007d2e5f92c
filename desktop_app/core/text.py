"""Text from sources made safe for places with rules of their own (XML files,
terminals), and folded as the search compares words.

Source text is kept exactly as read everywhere else; only these outputs cannot carry
every character.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

#: XML 1.0 allows no C0 control characters but tab, newline and carriage return, no
#: surrogates and no U+FFFE/U+FFFF: a file holding one is not XML, and a reader rejects it.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Control characters a terminal acts on (escape sequences can recolour it, retitle the
#: window or plant a hidden link); tab and newline are kept.
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
REPLACEMENT = "\ufffd"


def xml_text(text: str) -> str:
    """``text`` with each character XML 1.0 cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, text)


def terminal_text(text: str) -> str:
    """``text`` as a terminal may print it: each control character shown as U+FFFD."""
    return _TERMINAL_CONTROLS.sub(REPLACEMENT, text)


@functools.cache
def _marks() -> re.Pattern[str]:
    # Every combining mark of Unicode, as ranges: NFKD leaves an accent as one of them.
    # Made when first needed: it looks at every code point (a good part of a second).
    marks = [c for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))]
    ranges, start, previous = [], marks[0], marks[0]
    for code in marks[1:]:
        if code != previous + 1:
            ranges.append((start, previous))
            start = code
        previous = code
    ranges.append((start, previous))
    return re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]+")


def folded(text: str) -> str:
    """``text`` as the search compares it: case folded, accents dropped."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return decomposed if decomposed.isascii() else _marks().sub("", decomposed)
