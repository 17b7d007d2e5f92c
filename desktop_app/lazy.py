"""Modules loaded when first used, so that a start loads only what it needs.

The app's one way of deferring an import: a module binds the name of a module it uses
only on demand (a dialog, an export job, an import pipeline) with :func:`on_first_use`,
beside the plain import a type checker and the import contracts read::

    if TYPE_CHECKING:
        from desktop_app.ui.importing import dialogs
    else:
        dialogs = on_first_use("desktop_app.ui.importing.dialogs")

The module is imported when one of its attributes is first read; every read after
that is the imported module's attribute (a test's monkeypatch included).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any


class _OnFirstUse(ModuleType):
    """Stands for a module not imported yet: the first attribute read imports it by the
    ordinary import (its lock, its error, its package's attribute) and is read from it.

    It never enters ``sys.modules``, so a module whose first import failed is not left
    there half made: the next use imports it again and raises the same error, where a
    lazily executed module (``importlib.util.LazyLoader``) would answer it with an
    ``AttributeError`` that hides the cause.
    """

    def __getattr__(self, attribute: str) -> Any:
        module = importlib.import_module(self.__name__)
        return getattr(module, attribute)


def on_first_use(name: str) -> ModuleType:
    """The module ``name`` (a full dotted name), imported when one of its attributes is
    first read; the module itself when it is already imported."""
    return sys.modules.get(name) or _OnFirstUse(name)
