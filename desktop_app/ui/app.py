"""Starting Qt for the app and for headless commands."""

from __future__ import annotations

import ctypes
import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app import __version__
from desktop_app.paths import resources_dir
from desktop_app.ui.heap import return_big_blocks_when_freed
from desktop_app.ui.map.scheme import register_scheme

#: Set to a file path, the app writes there the seconds from process start to the map's
#: first painted frame with the store's events, then quits: how
#: tests/benchmarks/bench_map.py measures starts.
REPORT_READY_ENV = "EVENT_ATLAS_REPORT_READY"
_IMPORTED = time.perf_counter()
#: Set (to anything), Qt's and Chromium's own messages are printed as they come.
DEBUG_ENV = "EVENT_ATLAS_DEBUG"
#: What Qt's X11 platform plugin loads, and the Debian/Ubuntu package of each: without one
#: Qt aborts naming another library, so the app looks first and names the right package.
WINDOW_LIBRARIES = (
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libEGL.so.1", "libegl1"),
    ("libfontconfig.so.1", "libfontconfig1"),
)
_qt_log = logging.getLogger("desktop_app.qt")


def missing_libraries(libraries=WINDOW_LIBRARIES) -> list[str]:
    """The packages of the ``(soname, package)`` pairs whose library cannot be loaded."""
    missing = []
    for soname, package in libraries:
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(package)
    return missing


def window_libraries_problem() -> str | None:
    """One line naming the missing packages, when the window would use X11 without them."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or platform not in ("", "xcb"):
        return None
    if not platform and os.environ.get("WAYLAND_DISPLAY"):
        return None
    missing = missing_libraries()
    if not missing:
        return None
    return (
        "event-atlas: the window needs system libraries that are not installed; "
        f"install them with: sudo apt-get install {' '.join(missing)}"
    )


def _quiet_qt_messages(kind: QtMsgType, _context, message: str) -> None:
    # Qt and Chromium report their own start-up chatter (no GPU, no D-Bus) on stderr; a
    # user's terminal should show only our one-line errors. Kept in the log for debugging.
    level = logging.ERROR if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg) else (
        logging.DEBUG
    )
    _qt_log.log(level, "%s", message)


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


def _report_when_painted(window, path: Path) -> None:
    def report(_seq: int) -> None:
        # The page is ready only once it has the store's events: its first frame after
        # that is the first one showing them.
        if window.map_view.is_ready:
            path.write_text(f"{seconds_since_process_start():.4f}\n", encoding="utf-8")
            QApplication.instance().quit()

    window.map_view.bridge.paintDone.connect(report)
    window.map_view.pageFailed.connect(lambda _message: QApplication.instance().exit(1))


def _prepare_qt() -> None:
    """What must happen before the QApplication exists."""
    # Chromium refuses to start as root unless its sandbox is off; root is how containers
    # and CI run the app, and the page runs only our own scripts.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
        if "--no-sandbox" not in flags:
            os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()
    if not os.environ.get(DEBUG_ENV):
        flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
        if "--log-level" not in flags:
            os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --log-level=3".strip()
        qInstallMessageHandler(_quiet_qt_messages)
    register_scheme()
    return_big_blocks_when_freed()
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
    problem = window_libraries_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
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
        # Said in the terminal too: a launcher or a window on no screen shows no box.
        print(exc, file=sys.stderr)
        QMessageBox.critical(None, app.tr("Event Atlas"), str(exc))
        return 1
    window = MainWindow(store)
    report = os.environ.get(REPORT_READY_ENV)
    if report:
        _report_when_painted(window, Path(report))
    window.show()
    code = app.exec()
    # The web pages must go before the web profile the application owns.
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return code
