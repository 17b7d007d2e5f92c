"""A pytest plugin that keeps the widgets a test made alive until its teardown deletes them.

pytest-qt keeps the widgets given to ``qtbot.addWidget`` by weak reference and processes
events once more after the test returns. A shown widget that only garbage in a reference
cycle still holds is painted then, and when Python's cycle collector runs during that
paint (any allocation may start it), the widget's last reference goes as its paint event
returns: Qt goes on drawing a deleted widget (a crash in QWidgetRepaintManager).
``tests/conftest.py`` loads these hooks; ``tests/test_widget_lifetimes.py`` shows the
crash without them.
"""

from __future__ import annotations

import pytest

#: The parentless top-level widgets a test's body made, held until its teardown.
_MADE_WIDGETS = pytest.StashKey[list]()


def _top_level_widgets() -> list:
    try:
        from PySide6.QtWidgets import QApplication
    except ImportError:
        return []
    app = QApplication.instance()
    return [w for w in app.topLevelWidgets() if w.parent() is None] if app is not None else []


def _address(widget) -> int:
    import shiboken6

    return shiboken6.getCppPointer(widget)[0]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Inside pytest-qt's own wrapper: hold what the test made before events run again."""
    # By their C++ objects: a wrapper Python makes for a widget of Qt's own is dropped as
    # soon as the list goes, and another widget's may take its address.
    before = {_address(w) for w in _top_level_widgets()}
    try:
        return (yield)
    finally:
        made = [w for w in _top_level_widgets() if _address(w) not in before]
        made += [w for w in (ref() for ref, _ in getattr(item, "qt_widgets", [])) if w is not None]
        item.stash[_MADE_WIDGETS] = made


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item):
    """After pytest-qt's teardown: close and delete what the test made and left, then let
    the references go (a deleted widget's wrapper is safe to collect)."""
    try:
        return (yield)
    finally:
        made = item.stash.get(_MADE_WIDGETS, [])
        if made:
            import shiboken6
            from PySide6.QtCore import QCoreApplication, QEvent

            for widget in made:
                if shiboken6.isValid(widget):
                    widget.close()
                    widget.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            made.clear()
