"""The store's modules: one way of writing events, and imports that form no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import desktop_app.store
from desktop_app.core.event import Event, Place
from desktop_app.store.event_store import EventStore

STORE = Path(desktop_app.store.__file__).parent


def _store_imports(path: Path) -> tuple[set[str], list[str]]:
    """The store modules ``path`` imports at its top, and any import inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top: set[str] = set()
    nested: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            nested += [
                f"{path.name}:{inner.lineno}"
                for inner in ast.walk(node)
                if isinstance(inner, ast.Import | ast.ImportFrom)
            ]
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            top |= {n.rsplit(".", 1)[-1] for n in names if n.startswith("desktop_app.store.")}
        elif isinstance(node, ast.If):  # an `if TYPE_CHECKING:` import hides a cycle too
            nested += [f"{path.name}:{node.lineno}"]
    return top & {p.stem for p in STORE.glob("*.py")}, nested


def test_store_modules_import_each_other_without_a_cycle():
    graph = {}
    for path in STORE.glob("*.py"):
        graph[path.stem], nested = _store_imports(path)
        assert not nested, f"imports inside functions or conditions: {nested}"

    def visit(module: str, trail: tuple[str, ...]) -> None:
        assert module not in trail, " -> ".join((*trail, module))
        for target in graph.get(module, ()):
            visit(target, (*trail, module))

    for module in graph:
        visit(module, ())
    assert "event_store" not in graph["bulk_writer"]


def test_events_are_written_by_one_module():
    statements = ("INSERT INTO events ", "UPDATE events SET", "INSERT INTO places ")
    writers = sorted(
        p.name
        for p in STORE.glob("*.py")
        if any(s in p.read_text(encoding="utf-8") for s in statements)
    )
    assert writers == ["rows.py"]


def test_time_bounds_of_the_events_added_since(tmp_path):
    place = Place("Kyiv", 50.45, 30.52)
    with EventStore(tmp_path / "s.db") as store:
        assert store.last_event_id() == 0 and store.time_bounds() is None
        store.add_events([Event(uid="old", title="Old", start="2020-01-01", place=place)])
        before = store.last_event_id()
        store.add_events([Event(uid="new", title="New", start="2025-06-02", place=place)])
        assert store.last_event_id() == before + 1
        new = store.time_bounds(after_id=before)
        everything = store.time_bounds()
        assert new is not None and everything is not None
        assert new[0] > everything[0] and new[1] == everything[1]
        assert store.time_bounds(after_id=store.last_event_id()) is None
