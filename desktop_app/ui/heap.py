"""The app's heap: big blocks go back to the system when they are freed.

A million events are read in a worker thread, and every view's step builds and drops
arrays of megabytes. glibc serves such blocks from its heap arenas once its adaptive
threshold has risen, and keeps an arena's freed pages mapped: after opening a store of a
million events, 30 to 40 MB of the app's memory was freed blocks held this way. Two
calls keep the memory the app holds the memory it uses.
Other C libraries have neither call and need neither.
"""

from __future__ import annotations

import ctypes
import sys

#: glibc's ``M_MMAP_THRESHOLD`` parameter of ``mallopt``.
_M_MMAP_THRESHOLD = -3
#: Blocks from this size up get pages of their own, unmapped when freed; a fixed value
#: also stops glibc raising it as big blocks come and go.
BIG_BLOCK = 1 << 20


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt  # noqa: B018 - glibc has it; musl and others do not
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def return_big_blocks_when_freed() -> None:
    """From now on, blocks of :data:`BIG_BLOCK` bytes and more go back to the system as
    soon as they are freed (called once, before the window opens)."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, BIG_BLOCK)


def return_freed_memory() -> None:
    """Give back the freed pages the heap arenas hold (a few milliseconds; after a big
    reading, whose temporaries are smaller blocks too)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
