"""An event's history as the panel says it: a line per change and per value changed."""

from __future__ import annotations

import json

from PySide6.QtCore import QCoreApplication

from desktop_app.store.history import HistoryEntry


def _tr(text: str) -> str:
    return QCoreApplication.translate("History", text)


def history_lines(entries: list[HistoryEntry]) -> list[str]:
    """Plain text lines, newest first: when and what, then each value before → after."""
    lines: list[str] = []
    for entry in reversed(entries):
        when = entry.at.replace("T", " ").removesuffix("Z") + " UTC"
        lines.append(f"{when} · {_tr(entry.kind)}")
        before = entry.before if isinstance(entry.before, dict) else {}
        after = entry.after if isinstance(entry.after, dict) else {}
        if entry.kind.endswith(("add", "delete", "merge")) and (not before or not after):
            continue  # the whole event came or went: its values are the panel's own
        for key in dict.fromkeys([*before, *after]):
            lines.append(f"    {_tr(key)}: {_value(before.get(key))} → {_value(after.get(key))}")
    return lines


def _value(value: object) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    if isinstance(value, dict) and "name" in value:
        return str(value["name"])
    if isinstance(value, dict) and "title" in value:
        return str(value["title"])
    return json.dumps(value, ensure_ascii=False)
