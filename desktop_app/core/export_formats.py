"""The exports the atlas writes, by name: known without starting Qt."""

from __future__ import annotations

#: A picture or page of one time window.
PICTURE_FORMATS = ("png", "pdf", "html")
#: Playback of a date range, frame by frame.
ANIMATION_FORMATS = ("gif", "mp4", "frames")
#: The events themselves, for other tools.
DATA_FORMATS = ("geojson", "csv", "kml")
#: Every export, in the order menus list them.
EXPORT_FORMATS = PICTURE_FORMATS + ANIMATION_FORMATS + DATA_FORMATS
