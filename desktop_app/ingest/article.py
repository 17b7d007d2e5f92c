"""Articles become candidate events: sentences that name a place and a time.

The text comes from a ``.txt``, ``.md`` or ``.html`` file, or is pasted. A page's
article, title, author, site and date are read by trafilatura
(:mod:`desktop_app.ingest.article_html`); a text's title and author from its first
lines. The article's date is the one the user gives, else the page's, else its dateline
or publication line (:mod:`desktop_app.ingest.article_dateline`), else today's; where it
came from is kept (:class:`ArticleDate`). Then, sentence by sentence:

- places are the longest runs of capitalised words the gazetteer knows ("Çırağan
  Palace", "Saratov region"), and lists like "the Sumy, Kharkiv, and Zaporizhzhia
  regions"; outlet names ("The Washington Post") are masked first so they never count
  as places; countries only give context (they are too coarse to be an event's place);
  a name standing for a government or an office ("Kyiv insists", "the Kremlin said") is
  no place (:mod:`desktop_app.ingest.article_metonyms`);
- times are read by :mod:`desktop_app.ingest.article_dates` against the publication
  date and the story's current date (the last full date the text gave). A sentence
  without a time of its own takes its paragraph's, or else the story's date as an
  approximate one;
- cited outlets ("according to Reuters", "as reported by AP", "The Guardian cited")
  become the event's sources, and the words pick a category.

An event's key comes from the article's words, the sentence and the place, never from
the day it is read or a date: the same article imported again replaces its events.

Nothing is saved here: the review dialog (or ``--yes``) decides.
"""

from __future__ import annotations

import collections
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date

from desktop_app.core.dates import DatePrecision
from desktop_app.core.event import Article, Event, Place, event_uid
from desktop_app.geo.gazetteer import Gazetteer, GazetteerEntry, GeoContext, default_gazetteer
from desktop_app.geo.names import name_key
from desktop_app.ingest.article_dateline import find_dateline
from desktop_app.ingest.article_dates import TimeMention, find_times
from desktop_app.ingest.article_html import read_page
from desktop_app.ingest.article_metonyms import is_figurative, is_seat_of_power
from desktop_app.ingest.limits import MAX_ARTICLE_BYTES
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.reader import ReadOptions, Record
from desktop_app.ingest.source import Source

OUTLETS = (
    "Reuters", "Associated Press", "AP", "AFP", "Agence France-Presse", "BBC", "CNN",
    "The Guardian", "Guardian", "The Washington Post", "Washington Post",
    "The New York Times", "New York Times", "The Wall Street Journal", "Wall Street Journal",
    "Financial Times", "Bloomberg", "Al Jazeera", "Kyiv Independent", "The Kyiv Independent",
    "Ukrainska Pravda", "Interfax", "TASS", "RIA Novosti", "Meduza", "Politico", "Axios",
    "The Economist", "Der Spiegel", "Le Monde", "NPR", "Sky News", "Deutsche Welle", "DW",
    "Euronews", "Anadolu Agency", "Ukrinform", "Suspilne", "The Telegraph", "The Times",
    "The Independent", "CBS News", "NBC News", "ABC News", "Fox News", "Kommersant",
    "Novaya Gazeta", "The Moscow Times", "Radio Free Europe", "RFE/RL", "Xinhua",
)  # fmt: skip
_OUTLET_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(o) for o in sorted(OUTLETS, key=len, reverse=True)) + r")\b"
)
# Canonical names: "Guardian" and "The Guardian" are one outlet.
_OUTLET_NAMES = {name_key(o).removeprefix("the "): o for o in OUTLETS if o.startswith("The ")}
_OUTLET_NAMES.update({"ap": "Associated Press", "afp": "Agence France-Presse"})

CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "electronic_warfare": ("jamming", "electronic warfare", "gps interference", "spoofing"),
    "strike": (
        "strike", "strikes", "struck", "shelling", "shelled", "missile", "missiles", "drone",
        "drones", "airfield", "airfields", "bomb", "bombing", "explosion", "attack", "hit",
    ),
    "humanitarian": (
        "humanitarian", "prisoner", "prisoners", "exchange", "civilians", "children", "bodies",
        "evacuation", "aid", "refugees", "wounded",
    ),
    "diplomacy": (
        "talks", "negotiation", "negotiations", "meeting", "summit", "delegation",
        "ceasefire", "proposal", "proposed", "agreement", "round", "mediator", "diplomatic",
    ),
    "statement": (
        "said", "stated", "statement", "spokesperson", "comment", "told", "press",
        "declared", "addressed", "saying", "reacted", "response",
    ),
    "military": ("troops", "army", "offensive", "forces", "soldiers", "front", "military"),
    "economy": ("sanctions", "tariff", "tariffs", "oil", "gas", "trade", "economy"),
    "politics": ("election", "parliament", "protest", "protests", "government", "president"),
}  # fmt: skip
_WORD = re.compile(r"[a-z]+(?:\s(?:warfare|interference))?")
_STOP_SECTIONS = re.compile(
    r"^(?:latest news|related( articles| stories)?|read more|more from .*|recommended|"
    r"bottom of page|share this( article)?|comments)\s*$",
    re.I | re.M,
)
_BOILERPLATE = {"top of page", "by:", "by", "share", "menu", "skip to content"}
_CAPITALISED = re.compile(
    r"[A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁІЇЄҐ][\w’'\-.]*(?:\s+(?:(?:of|de|la|le|du|upon|on|am|al|el)\s+)?"
    r"[A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁІЇЄҐ][\w’'\-.]*)*"
    r"(?:\s+(?:region|oblast|krai|province|air base|airbase|airfield|palace|district))?"
)
# Lists of regions are read token by token, backwards from "regions": a regular
# expression for them backtracks over every start inside a long run of names.
_LIST_TOKEN = re.compile(r"[\w’'\-]+|\S")
_LIST_NAME = re.compile(r"[A-ZÀ-ÖØ-ÞА-Я][\w’'\-]+")
_LIST_KINDS = {"regions": "region", "oblasts": "oblast", "provinces": "province"}
_NON_SPACE = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(]?[A-ZÀ-ÖØ-ÞА-Я0-9])")
# Capitalised words that start sentences or name people, never places on their own.
_NOT_PLACES = {
    "most", "many", "some", "one", "two", "this", "that", "these", "those", "it", "its",
    "the", "a", "an", "and", "but", "or", "if", "as", "at", "in", "on", "for", "of", "by",
    "to", "with", "after", "before", "while", "instead", "however", "meanwhile", "finally",
    "today", "interlocutor", "author", "president", "minister", "deputy", "defense",
    "foreign", "state", "nato", "eu", "un", "g7", "b9", "another", "only", "against",
    "amid", "despite", "once", "again", "more", "none", "without", "turkish", "russian",
    "ukrainian", "western", "european", "moscow responded", "march", "may", "june",
    "mobile", "nice", "reading", "split", "bath", "deal", "hope", "sale", "best", "van",
    "batman", "why", "what", "who", "how", "where", "when", "here", "there", "all",
    "no", "not", "yes", "so", "then", "thus", "also", "even", "just", "still", "now",
    "each", "every", "both", "either", "neither", "other", "such", "own", "same",
    "web", "union", "independence", "victoria", "florence", "regina", "eden", "from",
    "than", "hit", "alliance", "during", "until", "since", "under", "over", "about",
    "between", "through", "into", "onto", "upon", "via", "per", "among", "beyond",
}  # fmt: skip


@dataclass
class Candidate:
    """A possible event found in an article, with what the review dialog needs.

    Parameters
    ----------
    event
        The event as it would be saved.
    alternatives
        Other places the place name might mean, most likely first.
    place_text
        The words of the article that named the place.
    accepted
        The review's decision; True until the user rejects it.
    """

    event: Event
    alternatives: tuple[GazetteerEntry, ...] = ()
    place_text: str = ""
    accepted: bool = True


@dataclass
class ArticleDraft:
    """An article read from a file or pasted, and the candidate events in it.

    Parameters
    ----------
    article
        The article, with the date its times are counted from.
    candidates
        The events found, in the order of the text.
    dated
        That date and where it was found (None for a draft made by hand).
    body
        The text the candidates were read from, so they can be read again against
        another date (:meth:`redated`).
    """

    article: Article
    candidates: list[Candidate] = field(default_factory=list)
    dated: ArticleDate | None = None
    body: str = ""
    dayfirst: bool = False
    gazetteer: Gazetteer | None = field(default=None, repr=False, compare=False)

    def accepted_events(self) -> list[Event]:
        return [c.event for c in self.candidates if c.accepted]

    def redated(self, day: str) -> ArticleDraft:
        """The draft read again with ``day`` (ISO) as the article's date, as the user
        gave it: every relative time ("yesterday", "two days before") moves with it,
        and the events keep their keys."""
        given = _given_date(day)
        if given is None:
            raise ValueError(f"not a date: {day!r}")
        article = replace(self.article, published=given)
        candidates = extract_candidates(
            self.body, given, article=article, gazetteer=self.gazetteer, dayfirst=self.dayfirst
        )
        return replace(
            self, article=article, candidates=candidates, dated=ArticleDate(given, "given")
        )


@dataclass(frozen=True)
class ArticleDate:
    """The date an article's relative times ("yesterday", "on Monday") are counted from,
    and where it was found.

    Parameters
    ----------
    day
        The date, ISO ``YYYY-MM-DD``.
    origin
        ``given`` (by the user), ``page`` (the HTML page's metadata), ``dateline`` (a
        line of the article: its dateline or publication date), ``updated`` (a line
        saying when it was updated, as the article gives no publication date) or
        ``today`` (the article gives no date at all).
    line
        For ``dateline`` and ``updated``: the line of the article, as printed.
    """

    day: str
    origin: str
    line: str = ""

    def describe(self) -> str:
        """Where the date comes from, in a few words ("from the line “6/2/25”")."""
        if self.origin == "given":
            return "as given"
        if self.origin == "page":
            return "from the page's metadata"
        if self.origin == "dateline":
            return f"from the line “{self.line}”"
        if self.origin == "updated":
            return f"from the line “{self.line}” (when it was updated; no publication date)"
        return "today's date: the article gives none"


def _given_date(value: str) -> str | None:
    """``value`` as an ISO day when it is one ("2025-06-02", "2025-06-02T10:00")."""
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None


def parse_article(
    text: str,
    *,
    kind: str = "txt",
    published: str | None = None,
    url: str | None = None,
    dayfirst: bool | None = None,
    today: date | None = None,
) -> tuple[Article, str, ArticleDate]:
    """The article's metadata, its body text and its date, from raw file text.

    ``published`` (the user's word) wins over any date the article gives itself; without
    either the date is ``today`` (the machine's date when None).
    """
    title = author = outlet = None
    body = text
    given = _given_date(published) if published else None
    if published and given is None:
        raise ValueError(f"the publication date must look like 2025-06-02, not {published!r}")
    dated = ArticleDate(given, "given") if given else None
    if kind == "html":
        page = read_page(text)
        title, author, outlet = page.title, page.author, page.site
        url = url or page.url
        body = page.text
        if dated is None and page.published:
            dated = ArticleDate(page.published, "page")
    lines = [line.strip() for line in body.splitlines()]
    head = [line for line in lines if line and line.lower() not in _BOILERPLATE][:8]
    if kind == "md":
        heading = next((line[2:].strip() for line in lines if line.startswith("# ")), None)
        title = title or heading
        body = re.sub(r"^#+\s*", "", body, flags=re.M)
        body = re.sub(r"[*_]{1,2}([^*_]+)[*_]{1,2}", r"\1", body)
    if title is None and head:
        title = head[0]
    for i, line in enumerate(lines[:40]):
        low = line.lower()
        if author is None and low.startswith("by ") and len(line) < 60:
            author = line[3:].strip().split(" | ")[0]
        elif author is None and low == "by:":
            author = next((nxt for nxt in lines[i + 1 : i + 4] if nxt), None)
    if dated is None:
        dateline = find_dateline(lines, dayfirst)
        if dateline is not None:
            origin = "updated" if dateline.updated else "dateline"
            dated = ArticleDate(dateline.day.isoformat(), origin, dateline.text)
            # "Published: 10 June 2025" says when the article was written, not that
            # something happened that day.
            body = "\n".join(
                line for i, line in enumerate(body.splitlines()) if i not in dateline.lines
            )
    if dated is None:
        dated = ArticleDate((today or date.today()).isoformat(), "today")
    cut = _STOP_SECTIONS.search(body)
    if cut:
        body = body[: cut.start()]
    title = (title or "Untitled article").strip()
    # The article's own words make its key, never the day it was read or a date the
    # user gave: the same article read twice is the same article.
    uid = "article:" + event_uid(title, body)
    return Article(
        uid, title, author, outlet, url, dated.day, text if kind != "html" else body
    ), body, dated


def _mask_outlets(sentence: str) -> tuple[str, list[str]]:
    outlets: list[str] = []

    def hide(match: re.Match) -> str:
        name = match.group(0)
        outlets.append(_OUTLET_NAMES.get(name_key(name).removeprefix("the "), name))
        return " " * len(name)

    return _OUTLET_RE.sub(hide, sentence), outlets


def _category(sentence: str) -> str:
    lower = sentence.lower()
    words = collections.Counter(_WORD.findall(lower))
    scores = {key: sum(words[w] if " " not in w else lower.count(w) for w in keys)
              for key, keys in CATEGORY_WORDS.items()}  # fmt: skip
    best = max(scores, key=scores.get)
    return best if scores[best] else "other"


def _sentences(body: str) -> Iterator[tuple[int, str]]:
    """``(paragraph number, sentence)`` for every sentence of the body."""
    for number, paragraph in enumerate(re.split(r"\n\s*\n", body)):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        for sentence in _SENTENCE_END.split(paragraph):
            if sentence.strip():
                yield number, sentence.strip()


@dataclass
class _PlaceMention:
    text: str
    key: str
    entries: list[GazetteerEntry]


class _PlaceFinder:
    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.max_words = min(gazetteer.max_words, 6)

    def find(
        self, sentence: str
    ) -> tuple[list[_PlaceMention], list[_PlaceMention], list[_PlaceMention]]:
        """Places, countries, and names standing for someone ("Kyiv insists") in
        ``sentence`` (outlets already masked)."""
        places: list[_PlaceMention] = []
        countries: list[_PlaceMention] = []
        figurative: list[_PlaceMention] = []
        seen: set[str] = set()
        gazetteer = self.gazetteer

        def add(text: str, key: str, span: tuple[int, int] | None = None) -> bool:
            if key in seen or key in _NOT_PLACES:
                return key in seen
            entries = gazetteer.lookup_key(key)
            if not entries:
                return False
            if span is not None and is_figurative(sentence, *span, key, entries[0].kind):
                # "Kyiv insists", "the Kremlin said": the name is taken (its words are
                # no other place) but it is no place of this sentence's.
                if all(m.key != key for m in figurative):
                    figurative.append(_PlaceMention(text, key, entries))
                return True
            seen.add(key)
            mention = _PlaceMention(text, key, entries)
            (countries if entries[0].kind == "country" else places).append(mention)
            return True

        for names, singular in _region_lists(sentence):
            for name in names:
                add(f"{name} {singular}", name_key(f"{name} {singular}"))
        for match in _CAPITALISED.finditer(sentence):
            run = match.group(0).rstrip(".")
            words = run.split()
            offsets = [match.start() + m.start() for m in _NON_SPACE.finditer(run)]
            # Each word's key once (a name's key is its words' keys joined): keying every
            # run of up to six words afresh made long runs of capitalised words slow.
            inner = [_key(word) for word in words]
            last = [
                _variant_key(word, _last_word(word), key)
                for word, key in zip(words, inner, strict=True)
            ]
            i = 0
            while i < len(words):
                for size in range(min(self.max_words, len(words) - i), 0, -1):
                    key = " ".join(k for k in (*inner[i : i + size - 1], last[i + size - 1]) if k)
                    if size == 1 and (len(key) < 3 or key in _NOT_PLACES):
                        continue
                    if (
                        size == 1
                        and i + 1 < len(words)
                        and not gazetteer.contains(
                            _variant_key(words[i + 1], words[i + 1].rstrip(".,’'"), inner[i + 1])
                        )
                    ):
                        # "Vladimir Medinsky", "Moscow Times": a first name or an
                        # organisation, not the place the first word names.
                        continue
                    if key not in seen and not gazetteer.contains(key):
                        continue
                    text = " ".join(words[i : i + size]).rstrip(".,’'")
                    at = offsets[i]
                    span = (at, offsets[i + size - 1] + len(words[i + size - 1].rstrip(".,")))
                    if add(text, key, span):
                        i += size
                        break
                else:
                    i += 1
        return places, countries, figurative


_key = functools.lru_cache(maxsize=1 << 16)(name_key)


def _variant_key(word: str, variant: str, key: str) -> str:
    """The key of ``variant``, a form of ``word`` whose key is ``key``."""
    return key if variant == word else _key(variant)


def _last_word(word: str) -> str:
    """The last word of a name as it is looked up: "Kyiv’s," is Kyiv."""
    return word.rstrip(".,’'").removesuffix("’s").removesuffix("'s")


def _region_lists(sentence: str) -> Iterator[tuple[list[str], str]]:
    """The names in lists like "the Sumy, Kharkiv, and Zaporizhzhia regions", with the
    kind ("region") they name; in one pass, as no list goes past the word it ends in."""
    tokens = _LIST_TOKEN.findall(sentence)

    def name(at: int) -> bool:
        return at >= 0 and _LIST_NAME.fullmatch(tokens[at]) is not None

    for k, token in enumerate(tokens):
        singular = _LIST_KINDS.get(token)
        if singular is None or not name(k - 1):
            continue
        # Backwards: the last name, "and" (after an optional comma), the name before it.
        j = k - 2
        if j < 0 or tokens[j] != "and":
            continue
        j -= 1
        if j >= 0 and tokens[j] == ",":
            j -= 1
        if not name(j):
            continue
        names = [tokens[k - 1], tokens[j]]
        # Then ", name" or ", and name" as long as the list goes back.
        while True:
            if j >= 3 and tokens[j - 1] == "and" and tokens[j - 2] == "," and name(j - 3):
                j -= 3
            elif j >= 2 and tokens[j - 1] == "," and name(j - 2):
                j -= 2
            else:
                break
            names.append(tokens[j])
        yield names[::-1], singular


def extract_candidates(
    text: str,
    published: str,
    *,
    article: Article | None = None,
    gazetteer: Gazetteer | None = None,
    dayfirst: bool = False,
) -> list[Candidate]:
    """Candidate events of an article body, resolved against its publication date."""
    gazetteer = gazetteer or default_gazetteer()
    finder = _PlaceFinder(gazetteer)
    pub = date.fromisoformat(published[:10])
    anchor = pub
    article_uid = article.uid if article else "article:" + event_uid(text)
    sentences = list(_sentences(text))
    # Context for ambiguous names: every country and unambiguous place in the article.
    context_countries: set[str] = set()
    found_per_sentence = []
    for _, sentence in sentences:
        masked, outlets = _mask_outlets(sentence)
        places, countries, figurative = finder.find(masked)
        found_per_sentence.append((masked, outlets, places, countries, figurative))
        context_countries.update(c.entries[0].country for c in countries)
        context_countries.update(p.entries[0].country for p in places if len(p.entries) == 1)
    context = GeoContext(countries=frozenset(context_countries))
    candidates: list[Candidate] = []
    paragraph_time: tuple[int, TimeMention] | None = None
    paragraph_outlets: dict[int, list[str]] = {}
    for (number, _), (_, outlets, *_) in zip(sentences, found_per_sentence, strict=True):
        paragraph_outlets.setdefault(number, []).extend(outlets)
    for index, ((number, sentence), (masked, outlets, places, countries, figurative)) in enumerate(
        zip(sentences, found_per_sentence, strict=True)
    ):
        times = find_times(masked, pub, anchor, dayfirst)
        for mention in times:
            if mention.absolute and mention.precision is DatePrecision.DAY and not mention.end:
                anchor = date.fromisoformat(mention.start)
        if times:
            when = times[0]
            paragraph_time = (number, when)
        elif paragraph_time is not None and paragraph_time[0] == number:
            when = paragraph_time[1]
        else:
            when = TimeMention(anchor.isoformat(), None, DatePrecision.APPROXIMATE,
                               f"around {anchor:%B} {anchor.day}, {anchor.year}", -1, False,
                               "story")  # fmt: skip
        sources = tuple(dict.fromkeys(outlets or paragraph_outlets.get(number, [])))
        category = _category(sentence)
        actors = tuple(dict.fromkeys(c.entries[0].name for c in countries))
        title = _title(sentence)
        targets: list[tuple[_PlaceMention | None, Place | None, tuple[GazetteerEntry, ...]]]
        targets = []
        for mention in places:
            resolved = _resolved(gazetteer, mention, context)
            if resolved is not None:
                targets.append((mention, resolved[0].place(), resolved[1]))
        if not targets and (times or figurative):
            # "The State Department stated ...": an event of the timeline, which the
            # review offers to place where the office or the government sits.
            seats = (_resolved(gazetteer, m, context) for m in figurative)
            targets.append((None, None, tuple(dict.fromkeys(r[0] for r in seats if r))))
        for mention, place, alternatives in targets:
            event = Event(
                # The article, the sentence and the place: never the date, which the
                # day of reading or the user's correction may move.
                uid=event_uid(article_uid, index, mention.key if mention else ""),
                title=title,
                start=when.start,
                end=when.end,
                precision=when.precision,
                display_date=when.text,
                category=category,
                actors=actors,
                place=place,
                excerpt=sentence,
                article=article,
                sources=sources,
            )
            candidates.append(Candidate(event, alternatives, mention.text if mention else ""))
    return candidates


def _resolved(
    gazetteer: Gazetteer, mention: _PlaceMention, context: GeoContext
) -> tuple[GazetteerEntry, tuple[GazetteerEntry, ...]] | None:
    """The place ``mention`` most likely names, and the others it might. The mentions
    that reach here are where something happened: the figurative ones ("the Kremlin
    said") were set apart before, so an office's name here is its building."""
    resolution = gazetteer.resolve(_last_word(mention.text), context, literal=True)
    if resolution is None:
        return None
    best, others = resolution.best, tuple(resolution.alternatives)
    seat = next((e for e in mention.entries if e.kind == "landmark"), None)
    if is_seat_of_power(mention.key) and seat is not None and seat != best:
        # "outside the White House" is the building, whatever else bears its name.
        best, others = seat, (best, *(e for e in others if e != seat))
    return best, others


def _title(sentence: str) -> str:
    clause = re.split(r"(?<=[a-z]{3})[.;:—]\s", sentence)[0].strip(" .")
    return clause if len(clause) <= 100 else clause[:97].rsplit(" ", 1)[0] + "..."


def extract_article(
    text: str,
    *,
    kind: str = "txt",
    published: str | None = None,
    url: str | None = None,
    dayfirst: bool = False,
    gazetteer: Gazetteer | None = None,
    today: date | None = None,
) -> ArticleDraft:
    """Read an article (raw file text or pasted text) into a draft with its candidates.

    ``published`` is the article's date when the user gives it; otherwise it is read from
    the article, or else ``today`` (the machine's date when None) is used.
    """
    article, body, dated = parse_article(
        text, kind=kind, published=published, url=url, dayfirst=dayfirst, today=today
    )
    candidates = extract_candidates(
        body, article.published, article=article, gazetteer=gazetteer, dayfirst=dayfirst
    )
    return ArticleDraft(article, candidates, dated, body, dayfirst, gazetteer)


def article_kind(suffix: str) -> str:
    suffix = suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix in (".md", ".markdown"):
        return "md"
    return "txt"


def read_article_file(source: Source, options: ReadOptions) -> ArticleDraft:
    text = source.read_text(max_bytes=MAX_ARTICLE_BYTES)
    if not text.strip():
        raise ImportFailed(BadRecord(source.name, None, "the article is empty"))
    try:
        return extract_article(
            text,
            kind=article_kind(source.path.suffix),
            published=options.published,
            dayfirst=bool(options.dayfirst),
            gazetteer=options.geocoder.gazetteer if options.geocoder else None,
        )
    except ValueError as exc:
        raise ImportFailed(BadRecord(source.name, None, str(exc))) from None


def read_article(source: Source, options: ReadOptions) -> Iterator[Record]:
    """The candidate events of an article file, all accepted (no review); the date they
    are counted from, and where it was found, is told in ``options.notes``."""
    draft = read_article_file(source, options)
    if draft.dated is not None:
        hint = " (give it with --published)" if draft.dated.origin == "today" else ""
        options.notes.append(
            f"{source.name}: dated {draft.dated.day}, {draft.dated.describe()}{hint}"
        )
    for candidate in draft.candidates:
        yield candidate.event


def with_place(candidate: Candidate, entry: GazetteerEntry) -> Candidate:
    """The candidate moved to another place (the review's place picker)."""
    return replace(candidate, event=replace(candidate.event, place=entry.place()))
