"""Hostile text for every field an imported file can fill.

Each payload has an id; the ones that would make a request call the local beacon at
``http://127.0.0.1:PORT/<id>`` (see :mod:`tests.security.beacon`), so a hit names the
payload that ran. Script payloads also set ``window.__pwned`` so a page can be asked
whether anything ran, even where a Content-Security-Policy blocked the request. The
Jinja2 payloads that would run a shell command write a marker file instead, named after
their id in a folder the test gives.

Sources of the forms: the OWASP XSS Filter Evasion Cheat Sheet (tags, event handlers,
``javascript:`` URLs, mixed case, entities, null bytes, broken tags), the usual
server-side template injection probes (``{{7*7}}`` style), CSS ``url()`` and
``expression()``, and unicode that changes how text reads (bidi overrides, zero-width
characters, line separators that once ended JavaScript strings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: What an evaluated ``{{7*7}}``-style payload would show instead of its own text.
EVALUATED_MARKS = ("49", "7777777", "42", "56")


@dataclass(frozen=True)
class Payload:
    """One hostile string.

    Parameters
    ----------
    id
        A short name; the beacon path and the marker file of the payload.
    text
        The string itself, to be stored and shown literally.
    kind
        ``markup``, ``template``, ``unicode`` or ``text`` (formula, query syntax...).
    """

    id: str
    text: str
    kind: str

    @property
    def xml_safe(self) -> bool:
        """Whether XML 1.0 can carry the text at all (it has no NUL or C0 controls)."""
        return all(c in "\t\n\r" or ord(c) >= 0x20 for c in self.text) and not any(
            c in "\ufffe\uffff" for c in self.text
        )


#: The script every script payload runs: a request to its beacon and a global mark.
RUN = "window.__pwned=1;fetch('@B@')"

#: ``(kind, id, text)``: ``@B@`` becomes the payload's beacon URL, ``@M@`` its marker file.
TEMPLATES: tuple[tuple[str, str, str], ...] = (
    # -- markup: OWASP filter evasion ---------------------------------------------------
    ("markup", "script", f"<script>{RUN}</script>"),
    ("markup", "script-mixed-case", "<ScRiPt>window.__pwned=1;new Image().src='@B@'</sCrIpT>"),
    ("markup", "script-src", "<script src=@B@></script>"),
    ("markup", "img-onerror", "<img src=x onerror=\"window.__pwned=1;new Image().src='@B@'\">"),
    ("markup", "img-onerror-bare", f"<img src=x onerror={RUN}>"),
    ("markup", "img-src", '<img src="@B@">'),
    ("markup", "img-srcset", '<img srcset="@B@ 1x">'),
    ("markup", "img-javascript", f'<IMG SRC="javascript:{RUN}">'),
    ("markup", "img-grave", f"<IMG SRC=`javascript:{RUN}`>"),
    ("markup", "img-malformed", f'<IMG """><SCRIPT>{RUN}</SCRIPT>">'),
    ("markup", "svg-onload", f'<svg onload="{RUN}">'),
    ("markup", "svg-slash-onload", f"<svg/onload={RUN}>"),
    ("markup", "svg-script", f"<svg><script>{RUN}</script></svg>"),
    ("markup", "svg-image", '<svg><image href="@B@"/></svg>'),
    ("markup", "body-onload", f'<body onload="{RUN}">'),
    ("markup", "details-ontoggle", f'<details open ontoggle="{RUN}">'),
    ("markup", "input-autofocus", f'<input autofocus onfocus="{RUN}">'),
    ("markup", "video-source", f'<video><source onerror="{RUN}"></video>'),
    ("markup", "a-javascript", f'<a href="javascript:{RUN}">read</a>'),
    ("markup", "a-beacon", '<a href="@B@">source</a>'),
    ("markup", "javascript-url", f"javascript:{RUN}"),
    ("markup", "javascript-url-tab", "<a href=\"jav&#x09;ascript:fetch('@B@')\">x</a>"),
    ("markup", "iframe", '<iframe src="@B@"></iframe>'),
    (
        "markup",
        "iframe-srcdoc",
        "<iframe srcdoc=\"<script>parent.__pwned=1;fetch('@B@')</script>\"></iframe>",
    ),
    ("markup", "iframe-data", "<iframe src=\"data:text/html,<script>fetch('@B@')</script>\">"),
    ("markup", "object", '<object data="@B@"></object>'),
    ("markup", "embed", '<embed src="@B@">'),
    ("markup", "form-action", '<form action="@B@"><button>Send</button></form>'),
    (
        "markup",
        "form-autosubmit",
        "<form id=eaf action=@B@></form><img src=x onerror=eaf.submit()>",
    ),
    ("markup", "base-href", '<base href="@B@/">'),
    ("markup", "meta-refresh", '<meta http-equiv="refresh" content="0;url=@B@">'),
    ("markup", "link-import", '<link rel=import href="@B@">'),
    ("markup", "link-stylesheet", '<link rel=stylesheet href="@B@">'),
    ("markup", "style-url", "<style>body{background:url('@B@')}</style>"),
    ("markup", "style-import", "<style>@import '@B@';</style>"),
    (
        "markup",
        "css-expression",
        "<div style=\"width:expression(window.__pwned=1);background:url('@B@')\">x</div>",
    ),
    ("markup", "css-url-attr", '<p style="background-image:url(@B@)">x</p>'),
    ("markup", "script-breakout", f"</script><script>{RUN}</script>"),
    ("markup", "script-breakout-upper", f"</SCRIPT ><SCRIPT>{RUN}</SCRIPT>"),
    ("markup", "title-breakout", f"</title><script>{RUN}</script>"),
    ("markup", "style-breakout", f"</style><script>{RUN}</script>"),
    ("markup", "textarea-breakout", f"</textarea><script>{RUN}</script>"),
    ("markup", "json-breakout", f'"}}]}};{RUN};//'),
    ("markup", "attribute-breakout", f'" onmouseover="{RUN}" x="'),
    ("markup", "single-quote-breakout", "' autofocus onfocus='window.__pwned=1;fetch(`@B@`)' x='"),
    ("markup", "html-comment", "<!--<img src=x onerror=\"fetch('@B@')\">-->"),
    ("markup", "comment-breakout", f'--><img src=x onerror="{RUN}"><!--'),
    ("markup", "cdata", f"<![CDATA[<script>{RUN}</script>]]>"),
    ("markup", "cdata-end", f']]><img src=x onerror="{RUN}">'),
    ("markup", "entity-lt", f"&lt;script&gt;{RUN}&lt;/script&gt;"),
    ("markup", "entity-hex", "&#x3C;img src=x onerror=fetch('@B@')&#x3E;"),
    ("markup", "entity-decimal", "&#60;script&#62;fetch('@B@')&#60;/script&#62;"),
    ("markup", "percent-encoded", "%3Cscript%3Efetch('@B@')%3C/script%3E"),
    ("markup", "null-in-tag", f"<scr\x00ipt>{RUN}</scr\x00ipt>"),
    ("markup", "null-in-handler", "<img src=x on\x00error=\"fetch('@B@')\">"),
    ("markup", "broken-unclosed", f'<img src=x onerror="{RUN}"//'),
    ("markup", "broken-nested", f"<<script>{RUN};//<</script>"),
    ("markup", "script-unclosed", f"<script>{RUN}"),
    (
        "markup",
        "mxss-noscript",
        "<noscript><p title=\"</noscript><img src=x onerror=fetch('@B@')>\">",
    ),
    ("markup", "mxss-math", "<math><mtext><table><mglyph><style><img src=x onerror=fetch('@B@')>"),
    ("markup", "markdown-link", "[click](javascript:fetch('@B@')) ![i](@B@)"),
    ("markup", "xml-entity", '<!DOCTYPE x [<!ENTITY e SYSTEM "@B@">]>&e;'),
    # -- template engines -------------------------------------------------------------------
    ("template", "jinja-arith", "{{7*7}}"),
    ("template", "jinja-string-mul", "{{ 7*'7' }}"),
    ("template", "jinja-citation", "{{citation needed}}"),
    ("template", "jinja-if-open", "{% if"),
    ("template", "jinja-set", "{% set x = 6*7 %}[{{ x }}]"),
    ("template", "jinja-endraw", "{% endraw %}{{7*8}}"),
    ("template", "jinja-comment", "{# hidden #}visible"),
    ("template", "jinja-comment-open", "{# never closed"),
    ("template", "jinja-self", "{{ self }} {{ config }}"),
    (
        "template",
        "jinja-rce-cycler",
        "{{ cycler.__init__.__globals__.os.popen('touch @M@').read() }}",
    ),
    ("template", "jinja-rce-lipsum", "{{ lipsum.__globals__['os'].popen('touch @M@').read() }}"),
    ("template", "jinja-rce-joiner", "{{ joiner.__init__.__globals__.os.system('touch @M@') }}"),
    # Evaluated inside a page's JSON, this closes the string and runs in the page.
    (
        "template",
        "jinja-to-js",
        "{{ '%c'|format(34) }}+(window.__pwned=1,fetch('@B@'))+{{ '%c'|format(34) }}",
    ),
    ("template", "js-template-literal", "${window.__pwned=1}${fetch('@B@')}"),
    ("template", "js-backtick", "`${fetch('@B@')}`"),
    ("template", "angular-constructor", "{{constructor.constructor(\"fetch('@B@')\")()}}"),
    ("template", "other-engines", "${7*7} #{7*7} <%= 7*7 %> [[7*7]] {{=7*7}}"),
    ("template", "format-strings", "{0} {title} %s %d %1 %2 %n"),
    # -- unicode tricks ---------------------------------------------------------------------
    ("unicode", "rtl-override", "report\u202egpj.exe"),
    ("unicode", "zero-width", "Ky\u200biv\u200d <\u200bscript\u2060>\ufeff"),
    ("unicode", "line-separators", "first\u2028second\u2029third"),
    ("unicode", "astral", "\U0001d54f \U0001f44d\U0001f3fd \U0001f3f4\u200d\u2620\ufe0f"),
    ("unicode", "combining", "Z\u0351\u0352a\u0353\u0354l\u0355g\u0356o"),
    # Terminal escapes: colour, a retitled window, a hidden link (OSC 8) to the beacon.
    (
        "unicode",
        "terminal-escapes",
        "\x1b[31mred\x1b[0m \x1b]0;owned\x07 \x1b]8;;@B@\x1b\\link\x1b]8;;\x1b\\",
    ),
    # -- other text that means something to some program ------------------------------------
    ("text", "csv-formula", '=HYPERLINK("@B@","open")'),
    ("text", "csv-dde", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("text", "sql", "'); DROP TABLE events; --"),
    ("text", "fts-syntax", 'NEAR(a b) OR * "unbalanced AND -x'),
)


def _aim(text: str, beacon_url: str, marker: Path) -> str:
    return text.replace("@B@", beacon_url).replace("@M@", str(marker))


def corpus(beacon: Callable[[str], str], markers: Path) -> list[Payload]:
    """Every payload, aimed at ``beacon(id)`` and writing its marker under ``markers``."""
    found = [
        Payload(ident, _aim(text, beacon(ident), markers / ident), kind)
        for kind, ident, text in TEMPLATES
    ]
    distinct(found)
    return found


def distinct(payloads: list[Payload]) -> None:
    """Fail loudly if two payloads share an id or a text (a hit must name one payload)."""
    ids = [p.id for p in payloads]
    texts = [p.text for p in payloads]
    if len(set(ids)) != len(ids) or len(set(texts)) != len(texts):
        raise ValueError("payload ids and texts must be distinct")
