"""Modules loaded when first used, so that a start loads only what it needs.

The app's one way of deferring an import: a module binds the name of a module it uses
only on demand (a dialog, an export job, an import pipeline) with :func:`on_first_use`,
beside the plain import a type checker and the import contracts read::

    if TYPE_CHECKING:
        from desktop_app.ui.importing import dialogs
    else:
        dialogs = on_first_use("desktop_app.ui.importing.dialogs")

The module is imported when one of its attributes is first read, then it is the module
itself.
"""

from __future__ import annotations

from types import ModuleType

import lazy_loader


def on_first_use(name: str) -> ModuleType:
    """The module ``name`` (a full dotted name), imported when one of its attributes is
    first read; the module itself when it is already imported."""
    # Its packages are imported now: ours hold nothing but their docstrings.
    return lazy_loader.load(name, suppress_warning=True)
