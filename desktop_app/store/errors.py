"""The exceptions the store raises, apart so that every store module can raise them."""

from __future__ import annotations


class StoreError(Exception):
    """A store that cannot be opened or written; the message is meant for the user."""


class IndexingPending(StoreError):
    """A question that needs the indexes a staged import's second stage makes, asked on
    a read-only connection while that stage is still to run: the store's writable
    opening makes them, and the question can be asked again once it has."""
