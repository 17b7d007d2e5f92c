"""The map page's scripts under node: unit tests of their pure logic, and ESLint."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JS_TESTS = ROOT / "tests" / "js"


def test_page_logic_passes_node_unit_tests():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    run = subprocess.run(
        [node, "--test", str(JS_TESTS)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout
    # The runner found the tests (an empty folder would also exit 0).
    assert "# pass 0" not in run.stdout


def test_page_scripts_pass_eslint():
    eslint = JS_TESTS / "node_modules" / ".bin" / "eslint"
    if shutil.which("node") is None or not eslint.exists():
        pytest.skip("ESLint is not installed (cd tests/js && npm ci)")
    run = subprocess.run(
        [str(eslint), "--config", "tests/js/eslint.config.js", "resources/web", "tests/js"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
