"""How a played time window moves: the timeline's playback and an exported animation
share these modes."""

from __future__ import annotations

import enum


class PlaybackMode(enum.Enum):
    """How the window moves as it plays.

    ``MOVING``: the whole window slides forward, keeping its length. ``CUMULATIVE``: its
    start stays put and only its end moves, so events add up (the timeline calls it a
    growing window). The values are the command line's ``--mode`` words.
    """

    MOVING = "moving"
    CUMULATIVE = "cumulative"
