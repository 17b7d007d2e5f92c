"""How long a message stays in the main window's status bar (milliseconds)."""

from __future__ import annotations

#: A passing note: an export saved, a base layer that fell back, a page reloaded.
NOTE_MS = 8000
#: What an import or a save of reviewed events came to: the user may have looked away
#: while it ran, so it stays longer.
OUTCOME_MS = 15000
