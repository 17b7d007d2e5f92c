"""Event Atlas: a desktop atlas of news events in space and time."""

from __future__ import annotations

# The one place the version is written: the package's metadata reads it from here at
# build time (pyproject.toml), so a start need not load importlib.metadata to learn it.
__version__ = "0.1.0"
