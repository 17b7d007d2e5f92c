"""A news page's article: its text, title, author, date and site, read by trafilatura.

trafilatura finds the story among a page's navigation, advertisements, related links and
comments, and reads the metadata pages carry (``<meta>`` tags, JSON-LD, ``<time>``).
Only the given text is read: nothing is ever fetched. The text keeps one paragraph per
block of the page, separated by a blank line, as the extractor's sentence reader expects.

Character references are decoded once, by the HTML parser: the text "&lt;script&gt;" a
page shows becomes "<script>" here, never markup, and is not decoded again.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

# Only dates the page states in its markup and metadata: a date found in the story's own
# words is the story's, not the page's; the original date rather than the last update.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


@dataclass(frozen=True)
class PageArticle:
    """What a news page says about its article.

    Parameters
    ----------
    text
        The article's text: paragraphs separated by blank lines.
    title, author, site, url
        From the page's metadata, None where it gives none.
    published
        The publication date the page's markup states (ISO ``YYYY-MM-DD``), or None.
    """

    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    site: str | None = None
    url: str | None = None


def _paragraphs(body: etree._Element | None) -> str:
    if body is None:
        return ""
    blocks = (" ".join("".join(block.itertext()).split()) for block in body)
    return "\n\n".join(block for block in blocks if block)


def read_page(page: str) -> PageArticle:
    """The article of the HTML ``page`` (its whole text), without any network access."""
    # Imported here, not with the module: the window imports this module at every start,
    # and trafilatura's own imports cost a tenth of a second of it.
    import trafilatura

    tree = trafilatura.load_html(page)
    if tree is None:
        return PageArticle("")
    # trafilatura tidies the names it finds (title case, no links): an author the page
    # states in its own metadata is kept as written, as the article's words are.
    stated = tree.xpath('//head/meta[@name="author"]/@content')
    author = " ".join(stated[0].split()) if stated else None
    document = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        deduplicate=False,
        date_extraction_params=_DATE_PARAMS,
    )
    if document is None:
        # A page too small or too odd for the extractor to tell its story from the rest:
        # its plain text, and whatever metadata it has.
        body, _text, _size = trafilatura.baseline(page)
        text = _paragraphs(body)
        document = trafilatura.extract_metadata(page, date_config=_DATE_PARAMS)
        if document is None:
            return PageArticle(text, author=author)
    else:
        text = _paragraphs(document.body)
    return PageArticle(
        text=text,
        title=document.title or None,
        author=author or document.author or None,
        published=(document.date or "")[:10] or None,
        site=document.sitename or None,
        url=document.url or None,
    )
