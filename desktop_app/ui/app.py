"""Starting Qt for the app and for headless commands."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app import __version__
from desktop_app.paths import resources_dir
from desktop_app.ui.map.scheme import register_scheme

#: Set to a file path, the app writes there the seconds from process start to the map
#: being ready, then quits: how tests/benchmarks/bench_map.py measures cold start.
REPORT_READY_ENV = "EVENT_ATLAS_REPORT_READY"
_IMPORTED = time.perf_counter()


def seconds_since_process_start() -> float:
    """Seconds since this process started (the kernel's clock, so interpreter start-up
    counts too); since this module was imported where /proc is not available."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        with open("/proc/self/stat", encoding="ascii") as stat:
            # The command name (field 2) may hold spaces; fields after its ")" are fixed.
            fields = stat.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as uptime:
            now = float(uptime.read().split()[0])
        return now - int(fields[19]) / ticks
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


def _report_when_ready(window, path: Path) -> None:
    def report() -> None:
        path.write_text(f"{seconds_since_process_start():.4f}\n", encoding="utf-8")
        QApplication.instance().quit()

    window.map_view.pageReady.connect(report)
    window.map_view.pageFailed.connect(lambda _message: QApplication.instance().exit(1))


def _prepare_qt() -> None:
    """What must happen before the QApplication exists."""
    # Chromium refuses to start as root unless its sandbox is off; root is how containers
    # and CI run the app, and the page runs only our own scripts.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
        if "--no-sandbox" not in flags:
            os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()
    register_scheme()
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    QCoreApplication.setOrganizationName("Event Atlas")
    QCoreApplication.setApplicationName("event-atlas")
    QCoreApplication.setApplicationVersion(__version__)


def headless_application() -> QApplication:
    """The QApplication for commands that render without a window."""
    app = QApplication.instance()
    if app is None:
        _prepare_qt()
        app = QApplication([sys.argv[0]])
    return app


def run_app(db_path: Path | None) -> int:
    """Open the main window on ``db_path`` (or the default store) and run until it closes."""
    _prepare_qt()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationDisplayName("Event Atlas")
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "event-atlas.svg")))
    from desktop_app.ingest.bundled import open_store
    from desktop_app.store.event_store import StoreError
    from desktop_app.ui.main_window import MainWindow

    try:
        store = open_store(db_path)
    except StoreError as exc:
        QMessageBox.critical(None, app.tr("Event Atlas"), str(exc))
        return 1
    window = MainWindow(store)
    report = os.environ.get(REPORT_READY_ENV)
    if report:
        _report_when_ready(window, Path(report))
    window.show()
    code = app.exec()
    # The web pages must go before the web profile the application owns.
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return code
