"""The one exception the store raises, apart so that every store module can raise it."""

from __future__ import annotations


class StoreError(Exception):
    """A store that cannot be opened or written; the message is meant for the user."""
