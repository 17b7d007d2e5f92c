"""What a start leaves for later still works when first used from the window.

The window builds every menu action at start, but the import, export and duplicates
machinery and the online tile catalogue load only when first used. In this test process
other tests have loaded them already, so the window is driven in a process of its own:
each command is used there for the first time, through its real menu action.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from desktop_app.mapgen.page import PageSpec, page_scaffold

ROOT = Path(__file__).resolve().parents[1]
#: Names placed by a guess: an import of them asks the user to confirm their places.
PLACE_GUESSES = ROOT / "tests" / "fixtures" / "import" / "place_guesses.csv"

# The window on the store argv[1], then each command through its menu action: the
# module it needs is not loaded before and is after, and the command does its work.
# Prints one JSON object: for each command, [loaded before, loaded after, its outcome].
FIRST_USES = r"""
import json, sys, time, types
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from desktop_app.store.event_store import EventStore
from desktop_app.ui.app import headless_application
from desktop_app.ui.main_window import MainWindow

app = headless_application()
data, out = Path(sys.argv[2]), Path(sys.argv[3])


def loaded(name):
    return name in sys.modules and type(sys.modules[name]) is types.ModuleType


def wait(predicate, seconds=120.0):
    ends = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > ends:
            raise SystemExit("gave up waiting")
        app.processEvents()
        time.sleep(0.01)


def answer_modal(answer):
    # The modal dialog the action opens (its own event loop runs meanwhile).
    def look():
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(20, look)
        else:
            answer(modal)
    QTimer.singleShot(0, look)


window = MainWindow(EventStore(sys.argv[1]))
window.resize(900, 600)
window.show()
wait(lambda: window.map_view.is_ready and not window.is_reading)
found = {}


def use(key, module, action, outcome, settle=lambda: None):
    before = loaded(module)
    action.trigger()
    settle()
    found[key] = [before, loaded(module), outcome()]


def choose_file(dialog):
    assert isinstance(dialog, QFileDialog)
    dialog.selectFile(str(data))
    dialog.accept()


def finish():
    window._export_actions.close_pages()
    window.close()
    print(json.dumps(found))
    raise SystemExit(0)


if sys.argv[5] == "copy":  # Copy map as the window's first command: it loads the export
    use(
        "copy", "desktop_app.ui.export.dialog", window._export_actions.copy,
        lambda: QApplication.clipboard().image().width() > 0,
    )
    finish()
use(
    "preferences", "desktop_app.ui.importing.dialogs", window.imports.preferences_action,
    lambda: type(window.imports.dialog).__name__,
)
window.imports.dialog.reject()
count = window.store.count()
answer_modal(choose_file)
# The import's own machinery (its worker) loads once the set-up dialog is accepted.
before = loaded("desktop_app.ui.importing.worker")
window.imports.import_action.trigger()
setup = type(window.imports.dialog).__name__
window.imports.dialog.accept()
wait(lambda: not window.imports.busy and window.store.count() > count)
found["import"] = [before, loaded("desktop_app.ui.importing.worker"), setup]
wait(lambda: window.map_view.is_ready and not window.is_reading)
found["imported"] = [window.store.count() - count, len(window.index) - count]


def save_png(dialog):
    dialog.path_edit.setText(str(out))
    dialog.accept()


answer_modal(save_png)
use(
    "export", "desktop_app.ui.export.job", window._export_actions.export,
    lambda: out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n",
)
out.unlink()
use("again", "desktop_app.ui.export.job", window._export_actions.again, out.exists)
use(
    "duplicates", "desktop_app.ui.editing.duplicates", window.duplicates_action,
    lambda: [type(w).__name__ for w in app.topLevelWidgets() if w.isVisible()
             and type(w).__name__ == "DuplicatesDialog"],
)
use(
    "article", "desktop_app.ui.importing.article_review", window.imports.paste_action,
    lambda: type(window.imports.dialog).__name__,
)
window.imports.dialog.reject()
before = loaded("desktop_app.ui.importing.place_review")
window.imports.import_path(Path(sys.argv[4])).accept()
wait(lambda: type(window.imports.dialog).__name__ == "PlaceReviewDialog")
found["place review"] = [before, loaded("desktop_app.ui.importing.place_review")]
window.imports.dialog.reject()
wait(lambda: not window.imports.busy)
use(
    "online layer", "xyzservices", window._layer_actions["osm"],
    lambda: window.map_view.online_layer,
    # The page loads again, with the layer's tiles.
    lambda: wait(lambda: window.map_view.is_ready),
)
found["online page"] = "tile.openstreetmap.org" in window.map_view._page_html()
finish()
"""


def first_uses(tmp_path: Path, seed_db: Path, monkeypatch, mode: str) -> dict:
    """What the window's first commands found (:data:`FIRST_USES`) in a process of its
    own: ``mode`` "copy" for Copy map alone, "all" for the others in turn."""
    # The offline map's scaffold kept, as after a first start: rendering one with folium
    # would read the online tile catalogue too.
    monkeypatch.setenv("EVENT_ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    page_scaffold(PageSpec(window=(0.0, 1.0)))
    data = tmp_path / "kharkiv.csv"
    data.write_text(
        "id,date,latitude,longitude,title\n"
        "k1,1999-03-01,49.99,36.23,Shelling near Kharkiv\n"
        "k2,1999-03-02,50.00,36.24,Talks in Kharkiv\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "EVENT_ATLAS_DATA_DIR": str(tmp_path / "data"),
        "EVENT_ATLAS_CONFIG_DIR": str(tmp_path / "config"),
    }
    done = subprocess.run(
        [
            sys.executable, "-c", FIRST_USES, str(seed_db), str(data),
            str(tmp_path / "map.png"), str(PLACE_GUESSES), mode,
        ],  # fmt: skip
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_copy_map_works_as_the_window_s_first_command(tmp_path, seed_db, monkeypatch):
    assert first_uses(tmp_path, seed_db, monkeypatch, "copy") == {"copy": [False, True, True]}


def test_each_command_loaded_on_first_use_works_from_its_menu_action(
    tmp_path, seed_db, monkeypatch
):
    found = first_uses(tmp_path, seed_db, monkeypatch, "all")
    assert found["import"] == [False, True, "ImportSetupDialog"]
    assert found["imported"] == [2, 2]
    assert found["preferences"] == [False, True, "PreferencesDialog"]
    assert found["export"] == [False, True, True]
    assert found["again"] == [True, True, True]
    assert found["place review"] == [False, True]
    assert found["duplicates"] == [False, True, ["DuplicatesDialog"]]
    assert found["article"] == [False, True, "ArticleTextInBackground"]
    assert found["online layer"] == [False, True, "osm"]
    assert found["online page"] is True
