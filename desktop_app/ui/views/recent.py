"""File ▸ Recent stores: the last stores opened, the latest first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu, QWidget

from desktop_app.ui import settings as opt
from desktop_app.ui.settings import Settings


def remembered_stores(settings: Settings) -> list[Path]:
    """The recent stores, the latest first (missing files included: the menu greys them)."""
    return [Path(p) for p in settings.get(opt.RECENT_STORES)]


def remember_store(settings: Settings, path: Path) -> list[Path]:
    """Put ``path`` first in the recent stores (once; the oldest beyond the limit go)."""
    path = Path(path).resolve()
    kept = [p for p in remembered_stores(settings) if p.resolve() != path]
    recent = [path, *kept][: opt.RECENT_STORES.limit]
    settings.set(opt.RECENT_STORES, [str(p) for p in recent])
    return recent


class RecentStoresMenu(QObject):
    """The File ▸ Recent stores menu, filled afresh each time it opens.

    A store whose file is gone is shown greyed out, saying so, until "Forget missing
    stores" clears it from the list.

    Parameters
    ----------
    settings
        Where the list is kept.
    open_store
        Opens a store as File ▸ Open does (returns whether it could).
    """

    def __init__(
        self,
        settings: Settings,
        open_store: Callable[[Path], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._open = open_store
        self.menu = QMenu(self.tr("&Recent stores"), parent)
        self.menu.setToolTipsVisible(True)
        self.menu.aboutToShow.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        menu = self.menu
        menu.clear()
        stores = remembered_stores(self._settings)
        if not stores:
            menu.addAction(self.tr("No recent stores")).setEnabled(False)
            return
        missing = False
        for number, path in enumerate(stores, 1):
            name = path.name.replace("&", "&&")
            action = menu.addAction(f"&{number} {name}")
            if path.is_file():
                action.setToolTip(str(path))
                action.triggered.connect(lambda _checked=False, p=path: self._open(p))
            else:
                missing = True
                action.setEnabled(False)
                action.setToolTip(self.tr("%1 is no longer there").replace("%1", str(path)))
        if missing:
            menu.addSeparator()
            menu.addAction(self.tr("&Forget missing stores"), self.forget_missing)

    def forget_missing(self) -> None:
        kept = [p for p in remembered_stores(self._settings) if p.is_file()]
        self._settings.set(opt.RECENT_STORES, [str(p) for p in kept])
        self.refresh()
