"""Putting data, local assets and a Content-Security-Policy into a page folium rendered.

folium and branca render every element with Jinja2, and the output of an element's
macros is rendered as a template a second time. Anything from a source file (a title,
an MBTiles attribution) that went through them would be executed as template code.
So data never does: the page is rendered first, with only our own constant scripts,
and the data goes in afterwards as JSON in ``<script type="application/json">``
elements, which no engine and no browser executes. Our scripts read it with
:func:`read_data_js`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

# A script element starts "<script>" exactly when it is code the page runs inline; data
# blocks carry a type and are not matched.
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_ID = re.compile(r"[a-z][a-z0-9-]*")
NONE = "'none'"


def json_for_html(value: object) -> str:
    """``value`` as JSON that cannot end or comment out the element it is written in.

    ``<``, ``>`` and ``&`` become ``\\u`` escapes, which JSON reads back as the same
    characters, so ``</script>`` or ``<!--`` in a value is only text.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def data_block(element_id: str, value: object) -> str:
    """A ``<script type="application/json">`` element holding ``value``."""
    if not _ID.fullmatch(element_id):
        raise ValueError(f"not a data element id: {element_id!r}")
    return f'<script type="application/json" id="{element_id}">{json_for_html(value)}</script>'


def read_data_js(element_id: str) -> str:
    """The JavaScript expression that reads the data block ``element_id``."""
    if not _ID.fullmatch(element_id):
        raise ValueError(f"not a data element id: {element_id!r}")
    return f'JSON.parse(document.getElementById("{element_id}").textContent)'


def inline_script(code: str) -> str:
    """Our own (trusted) code as an inline script; ``</script`` in it cannot end it."""
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def insert_in_head(html: str, fragments: Iterable[str]) -> str:
    """``html`` with ``fragments`` placed at the start of its ``<head>``, in order.

    At the start so that data is in the document before any script that reads it runs.
    """
    text = "\n".join(fragments)
    if "<head>" not in html:
        raise ValueError("the page has no <head>")
    return html.replace("<head>", "<head>\n" + text, 1)


def insert_at_end(html: str, fragments: Iterable[str]) -> str:
    """``html`` with ``fragments`` placed last, after folium's own scripts (the map
    exists by the time they run)."""
    text = "\n".join(fragments)
    at = html.rfind("</html>")
    if at < 0:
        raise ValueError("the page has no </html>")
    return html[:at] + text + "\n" + html[at:]


@dataclass(frozen=True)
class ContentPolicy:
    """What a page may load and run, written as a ``Content-Security-Policy``.

    Parameters
    ----------
    script_sources
        Sources of script files (e.g. ``atlas:``); inline scripts are allowed only by the
        hash of their exact text, which :meth:`apply` computes from the final page.
    image_sources
        Where images may come from: our scheme, ``data:``, and at most the one tile host
        the user chose.
    connect_sources
        Where the page may fetch data.
    style_sources
        Sources of style sheets; inline styles stay allowed (Leaflet positions with them).
    """

    script_sources: tuple[str, ...] = ()
    image_sources: tuple[str, ...] = ("data:",)
    connect_sources: tuple[str, ...] = ()
    style_sources: tuple[str, ...] = ()
    font_sources: tuple[str, ...] = ()

    def header(self, html: str) -> str:
        """The policy's text for the page ``html`` (its inline scripts hashed)."""
        hashes = tuple(
            "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
            for body in _INLINE_SCRIPT.findall(html)
        )

        def directive(name: str, sources: tuple[str, ...]) -> str:
            return f"{name} {' '.join(sources) or NONE}"

        return "; ".join(
            [
                "default-src 'none'",
                directive("script-src", self.script_sources + hashes),
                directive("style-src", self.style_sources + ("'unsafe-inline'",)),
                directive("img-src", self.image_sources),
                directive("connect-src", self.connect_sources),
                directive("font-src", self.font_sources),
                "base-uri 'none'",
                "form-action 'none'",
                "frame-src 'none'",
                "object-src 'none'",
            ]
        )

    def apply(self, html: str) -> str:
        """``html`` with this policy as its first ``<head>`` element."""
        meta = f'<meta http-equiv="Content-Security-Policy" content="{self.header(html)}">'
        return insert_in_head(html, [meta])


def tile_host_source(url_template: str) -> str:
    """The CSP source of a tile URL template: ``https://{s}.tile.example/{z}/{x}/{y}.png``
    gives ``https://*.tile.example``."""
    match = re.match(r"(https?)://([^/]+)", url_template)
    if match is None:
        raise ValueError(f"not a tile URL: {url_template!r}")
    scheme, host = match.groups()
    host = re.sub(r"\{[a-z]+\}", "*", host)
    if not re.fullmatch(r"(\*\.)?[A-Za-z0-9.-]+(:\d+)?", host):
        raise ValueError(f"not a tile host: {host!r}")
    return f"{scheme}://{host}"
