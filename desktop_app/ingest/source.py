"""A file being imported: its bytes read so far (for progress) and its text encoding.

Text files come as UTF-8 (with or without a byte-order mark), UTF-16 (with a mark, or
detected from its zero bytes) or a legacy single-byte code page; cp1251 (Cyrillic) is
told from cp1252 (Western) by which letters the high bytes would be. Bytes that are not
valid in the chosen encoding never raise: they become U+FFFD and are counted, so a
reader can report the record that held them.
"""

from __future__ import annotations

import codecs
import io
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from desktop_app.ingest.limits import MAX_JSON_DOCUMENT_BYTES, LimitExceeded, check_json_text
from desktop_app.ingest.problems import BadRecord, ImportFailed

SAMPLE_BYTES = 64 * 1024
_ERRORS = "event_atlas_count"
_counts = threading.local()


def _count_and_replace(error: UnicodeError) -> tuple[str, int]:
    # Decoding happens in the thread that reads, so a thread-local counter is exact.
    _counts.value = getattr(_counts, "value", 0) + 1
    if isinstance(error, UnicodeDecodeError):
        return "\ufffd", error.end
    raise error


codecs.register_error(_ERRORS, _count_and_replace)


def decoding_errors() -> int:
    """How many invalid byte sequences the current thread has met so far."""
    return getattr(_counts, "value", 0)


def detect_encoding(sample: bytes) -> str:
    """The encoding of a file that starts with ``sample``."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(sample) >= 4:
        # Text in UTF-16 without a mark has a zero in every other byte of its ASCII.
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > len(odd) * 0.3 and even.count(0) < len(even) * 0.05:
            return "utf-16-le"
        if even.count(0) > len(even) * 0.3 and odd.count(0) < len(odd) * 0.05:
            return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Cyrillic words in cp1251 are runs of high bytes; Western text in cp1252 has its
    # accented letters alone between ASCII ones ("Zürich", "côté").
    high = [i for i, b in enumerate(sample) if b >= 0x80]
    if high:
        marks = set(high)
        paired = sum(1 for i in high if i - 1 in marks or i + 1 in marks)
        if paired > len(high) * 0.6:
            return "cp1251"
    return "cp1252"


@dataclass
class SourceNotes:
    """What a reader found out about a file, for the import report.

    Parameters
    ----------
    where
        Where the record just yielded is ("line 12", "feature 4"): a reader sets it
        before each event it yields.
    layout
        The known layout the file was read as (ACLED, UCDP GED, GDELT), if any.
    interpretation
        The fields' roles (:class:`desktop_app.ingest.interpret.Interpretation`) when
        they were interpreted.
    date_order
        How dates like 02/06/2025 were read, and why.
    blank
        Blank lines passed over.
    """

    where: str | None = None
    layout: str | None = None
    interpretation: object | None = None
    date_order: str | None = None
    blank: int = 0


class Source:
    """A file opened for import, counting the bytes its reader has consumed.

    Parameters
    ----------
    path
        The file.
    encoding
        The text encoding, or None to detect it.
    """

    def __init__(self, path: str | Path, encoding: str | None = None) -> None:
        self.path = Path(path)
        self.name = str(self.path)
        try:
            self.size = self.path.stat().st_size
        except OSError as exc:
            raise ImportFailed(BadRecord(self.name, None, exc.strerror or str(exc))) from None
        if self.path.is_dir():
            raise ImportFailed(BadRecord(self.name, None, "is a folder, not a file"))
        self._encoding = encoding
        self._files: list[BinaryIO] = []
        self.notes = SourceNotes()

    @property
    def bytes_read(self) -> int:
        return max((f.tell() for f in self._files if not f.closed), default=self.size)

    def open_binary(self) -> BinaryIO:
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise ImportFailed(BadRecord(self.name, None, exc.strerror or str(exc))) from None
        self._files.append(handle)
        return handle

    def sample(self, size: int = SAMPLE_BYTES) -> bytes:
        with self.path.open("rb") as handle:
            return handle.read(size)

    @property
    def encoding(self) -> str:
        if self._encoding is None:
            self._encoding = detect_encoding(self.sample())
        return self._encoding

    def open_text(self, newline: str | None = "") -> io.TextIOWrapper:
        """The file as text in :attr:`encoding`; invalid bytes become U+FFFD, counted."""
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise ImportFailed(
                BadRecord(self.name, None, f"unknown encoding {self.encoding!r}")
            ) from None
        return io.TextIOWrapper(
            self.open_binary(), encoding=self.encoding, errors=_ERRORS, newline=newline
        )

    def read_text(self, max_bytes: int | None = None) -> str:
        """The whole file as text; with ``max_bytes``, a larger file is refused."""
        if max_bytes is not None and self.size > max_bytes:
            raise ImportFailed(
                BadRecord(
                    self.name,
                    None,
                    f"too large to read whole ({self.size:,} bytes; at most {max_bytes:,})",
                )
            )
        with self.open_text(newline=None) as text:
            return text.read()

    def close(self) -> None:
        for handle in self._files:
            handle.close()


def json_document(source: Source) -> object:
    """A whole JSON file, or :class:`ImportFailed` naming the line of the syntax error.

    Files past :data:`~desktop_app.ingest.limits.MAX_JSON_DOCUMENT_BYTES`, nested deeper
    than :data:`~desktop_app.ingest.limits.MAX_JSON_DEPTH` or with one value longer
    than :data:`~desktop_app.ingest.limits.MAX_JSON_TOKEN_CHARS` are refused before they
    are parsed, since the parsed objects of a document read whole take several times
    its size.
    """
    try:
        return loads_bounded(source.read_text(max_bytes=MAX_JSON_DOCUMENT_BYTES))
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            BadRecord(source.name, f"line {exc.lineno}", f"not valid JSON ({exc.msg})")
        ) from None
    except LimitExceeded as exc:
        raise ImportFailed(BadRecord(source.name, exc.where, exc.reason)) from None
    except (RecursionError, ValueError) as exc:
        # A number past Python's digit limit for int() is a ValueError of its own.
        reason = "JSON nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ImportFailed(BadRecord(source.name, None, f"not valid JSON ({reason})")) from None


def loads_bounded(text: str) -> object:
    """``json.loads`` after the limits on nesting and value length are checked."""
    check_json_text(text)
    return json.loads(text)
