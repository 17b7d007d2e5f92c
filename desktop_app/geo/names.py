"""How place names are compared: one key for every spelling that means the same name.

"Zaporizhzhia", "ZAPORIZHZHIA" and "Zaporižžia" share a key; so do "Kyiv's" quote
marks and "Ivano-Frankivsk"/"Ivano Frankivsk". Keys are computed once when the
gazetteer file is built, so loading it does no Unicode work.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"’": "", "'": "", "ʼ": "", "`": "", "ʹ": "", "‘": ""})
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_./,()]+")


def name_key(name: str) -> str:
    """The comparison key of a place name: case, accents, apostrophes and dashes ignored."""
    text = unicodedata.normalize("NFKD", name.translate(_APOSTROPHES).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", text).strip()
