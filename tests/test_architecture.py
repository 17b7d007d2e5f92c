"""The house rules that are checked, not remembered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    """Qt-free packages never import Qt; data flows store -> model -> views."""
    result = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
         "lint_imports_command()"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_cdn_and_web_pages_load_by_url():
    sources = [*ROOT.joinpath("desktop_app").rglob("*.py"), *ROOT.joinpath("resources").rglob("*")]
    for path in sources:
        if path.is_file() and path.suffix in {".py", ".js", ".css", ".html"}:
            text = path.read_text(encoding="utf-8")
            for forbidden in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "code.jquery"):
                assert forbidden not in text, f"{path}: {forbidden}"
            # QWebEngine's setHtml silently drops pages over 2 MB; QTextBrowser's is fine.
            if "QtWebEngine" in text:
                assert "setHtml(" not in text, f"{path}: load web pages by URL"
