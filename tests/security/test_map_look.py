"""How the map draws (an export's look) is a choice among names, never text for the page."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from desktop_app.cli import main
from desktop_app.mapgen.page import MARK_STYLES, MapLook
from tests.security.payloads import RUN

HOSTILE = [RUN, "dots');" + RUN + "//", "{{ 7*7 }}", "auto\n<script>" + RUN + "</script>"]


@pytest.mark.parametrize("style", HOSTILE)
def test_a_look_takes_only_a_mark_style_it_knows(style):
    with pytest.raises(ValueError, match="unknown mark style"):
        MapLook(mark_style=style)
    assert {MapLook(mark_style=s).mark_style for s in MARK_STYLES} == set(MARK_STYLES)


@pytest.mark.parametrize("command", ["snapshot", "export png"])
def test_the_command_line_refuses_any_other_marks(tmp_path, command):
    out = tmp_path / "x.png"
    result = CliRunner().invoke(main, [*command.split(), "-o", str(out), "--marks", HOSTILE[1]])
    assert result.exit_code == 2 and "--marks" in result.output
    assert not out.exists()
