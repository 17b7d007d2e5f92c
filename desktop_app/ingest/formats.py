"""The files an import reads, by the name the user chooses them by: known without
loading any reader (the command line lists them at every start)."""

from __future__ import annotations

#: The readers, by name (:data:`desktop_app.ingest.pipeline.READERS` holds each one).
READER_NAMES = ("csv", "acled", "geojson", "kml", "timelinejs", "timemap", "article")
#: The names a user can choose: ``auto`` (detected from the file) or a reader's.
IMPORT_FORMATS = ("auto", *READER_NAMES)
