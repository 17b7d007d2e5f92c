"""The test suite's own guard: a widget a test leaves to a reference cycle is not deleted
in the middle of its paint event (tests/widget_lifetimes.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LEFT_TO_A_CYCLE = """
import gc

from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QWidget


class Painted(QWidget):
    def paintEvent(self, event):
        QPainter(self).end()
        gc.collect()  # the cycle collector, which any allocation may start


def test_shown_widget_held_only_by_garbage(qtbot):
    widget = Painted()
    qtbot.addWidget(widget)
    holder = [widget]
    holder.append(holder)  # garbage once the test returns, and it holds the widget
    widget.show()
"""


def run_pytest(folder: Path, *plugins: str) -> subprocess.CompletedProcess:
    (folder / "test_left.py").write_text(LEFT_TO_A_CYCLE, encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    options = [arg for plugin in plugins for arg in ("-p", plugin)]
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options, "test_left.py"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_without_the_guard_the_widget_is_deleted_while_painted(tmp_path: Path) -> None:
    result = run_pytest(tmp_path)
    assert result.returncode < 0 or "Segmentation fault" in result.stderr, result.stdout


def test_the_guard_keeps_the_widget_until_teardown(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, "tests.widget_lifetimes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
