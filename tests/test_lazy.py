"""Modules loaded on first use (desktop_app/lazy.py) load as a plain import would."""

from __future__ import annotations

import sys

import pytest

from desktop_app.lazy import on_first_use


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package ``lazydemo`` on the path: ``good`` sets VALUE, ``broken`` imports a
    package that is not installed."""
    root = tmp_path / "lazydemo"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "good.py").write_text("VALUE = 42\n")
    (root / "broken.py").write_text("import not_installed_dependency\nVALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "lazydemo"
    for name in [n for n in sys.modules if n == "lazydemo" or n.startswith("lazydemo.")]:
        del sys.modules[name]


def test_a_module_loads_when_first_read_and_is_its_package_s_attribute(package):
    good = on_first_use(f"{package}.good")
    assert f"{package}.good" not in sys.modules
    assert good.VALUE == 42
    loaded = sys.modules[f"{package}.good"]
    assert sys.modules[package].good is loaded
    # Read through the stand-in, a change to the module shows (as a test's monkeypatch).
    loaded.VALUE = 7
    assert good.VALUE == 7
    assert on_first_use(f"{package}.good") is loaded


def test_a_module_that_fails_to_load_says_why_at_every_use(package):
    broken = on_first_use(f"{package}.broken")
    for _attempt in range(2):
        with pytest.raises(ModuleNotFoundError, match="not_installed_dependency"):
            _ = broken.VALUE
    assert f"{package}.broken" not in sys.modules
