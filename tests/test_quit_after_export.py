"""The app quits when its window closes, even after an export or a copy to the clipboard.

Run in a child process, as a user runs the app: the event loop must end by itself.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    from PySide6.QtCore import QTimer

    from desktop_app.store.event_store import EventStore
    from desktop_app.ui.app import headless_application
    from desktop_app.ui.export.compose import SnapshotOptions
    from desktop_app.ui.export.dialog import ExportSettings
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.export.render import wait_until

    app = headless_application()
    window = MainWindow(EventStore(sys.argv[1]))
    window.show()
    assert wait_until(lambda: window.map_view.is_ready, 60_000)
    actions = window._export_actions
    settings = ExportSettings("png", Path(sys.argv[2]), SnapshotOptions("t", (320, 200)))
    assert actions.run(settings, None)
    assert actions.copy_to_clipboard(None)
    QTimer.singleShot(0, window.close)
    print("closed with", app.exec())
    """
)


def test_app_quits_after_an_export_and_a_copy(seed_db, tmp_path):
    out = tmp_path / "map.png"
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(seed_db), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "closed with 0" in run.stdout
    assert out.exists()
