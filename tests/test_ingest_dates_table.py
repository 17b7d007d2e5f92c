"""Dates as people write them, and what a reader of the text takes them to mean: a table
of spreadsheet values (``loose_dates``) and of phrases in articles (``article_dates``)."""

from __future__ import annotations

from datetime import date

import pytest

from desktop_app.core.dates import DatePrecision
from desktop_app.ingest.article_dates import find_times
from desktop_app.ingest.loose_dates import LooseDateError, detect_dayfirst, parse_loose_date

DAY, MONTH, YEAR = DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR
APPROX = DatePrecision.APPROXIMATE

# (value, dayfirst) -> (iso, precision)
SPREADSHEET = [
    ("2024-02-16", False, "2024-02-16", DAY),
    ("2024", False, "2024", YEAR),
    ("2024-02", False, "2024-02", MONTH),
    ("2024-2", False, "2024-02", MONTH),
    ("2024-2-6", False, "2024-02-06", DAY),
    ("  2024-02-16  ", False, "2024-02-16", DAY),
    ("2024-02-16T10:30:00Z", False, "2024-02-16T10:30:00Z", DAY),
    ("2024-02-16T10:30:00+02:00", False, "2024-02-16T10:30:00+02:00", DAY),
    ("2024-02-16 14:05", False, "2024-02-16T14:05:00", DAY),
    ("2024-02-16 00:00:00", False, "2024-02-16", DAY),
    ("2024-02-29", False, "2024-02-29", DAY),
    ("16/02/2024", True, "2024-02-16", DAY),
    ("02/16/2024", False, "2024-02-16", DAY),
    ("03/04/2024", True, "2024-04-03", DAY),
    ("03/04/2024", False, "2024-03-04", DAY),
    ("16.02.2024", True, "2024-02-16", DAY),
    ("16-02-2024", True, "2024-02-16", DAY),
    ("16/02/24", True, "2024-02-16", DAY),
    ("01/02/99", False, "1999-01-02", DAY),
    ("16/02/2024 00:00:00", True, "2024-02-16", DAY),
    ("16/02/2024 09:15", True, "2024-02-16T09:15:00", DAY),
    ("16 February 2024", False, "2024-02-16", DAY),
    ("16 Feb 2024", False, "2024-02-16", DAY),
    ("16th of February 2024", False, "2024-02-16", DAY),
    ("Friday, 16 February 2024", False, "2024-02-16", DAY),
    ("February 16, 2024", False, "2024-02-16", DAY),
    ("Feb. 16 2024", False, "2024-02-16", DAY),
    ("february 16th, 2024", False, "2024-02-16", DAY),
    ("Feb 2024", False, "2024-02", MONTH),
    ("September, 2024", False, "2024-09", MONTH),
    ("Sept 2024", False, "2024-09", MONTH),
    ("2024/02/16", False, "2024-02-16", DAY),
]


@pytest.mark.parametrize(("text", "dayfirst", "iso", "precision"), SPREADSHEET)
def test_spreadsheet_dates(text: str, dayfirst: bool, iso: str, precision: DatePrecision):
    assert parse_loose_date(text, dayfirst) == (iso, precision)


@pytest.mark.parametrize(
    ("text", "dayfirst"),
    [("", False), ("   ", False), ("2024-13-01", False), ("2024-02-30", False),
     ("2023-02-29", False), ("30/02/2024", True), ("13/13/2024", False),
     ("2024-02-16 24:00", False), ("2024-02-16T10:61", False), ("yesterday", False),
     ("16 Febtober 2024", False)],
)  # fmt: skip
def test_values_that_are_not_dates(text: str, dayfirst: bool) -> None:
    with pytest.raises(LooseDateError):
        parse_loose_date(text, dayfirst)


@pytest.mark.parametrize(
    ("values", "dayfirst"),
    [
        (["16/02/2024", "01/02/2024"], True),
        (["02/16/2024", "01/02/2024"], False),
        (["01/02/2024", "03/04/2024"], None),
        (["16/02/2024", "02/16/2024"], None),
        (["2024-02-16", "Feb 2024"], None),
        ([], None),
    ],
)
def test_date_order_of_a_column(values: list[str], dayfirst: bool | None) -> None:
    assert detect_dayfirst(values) is dayfirst


PUBLISHED = date(2025, 6, 4)  # a Wednesday
MEETING = date(2025, 6, 2)

# (sentence, published, anchor) -> the first time it names: (start, end, precision)
ARTICLE = [
    ("On June 2, 2025, drones struck Kharkiv.", PUBLISHED, PUBLISHED, ("2025-06-02", None, DAY)),
    ("On June 2 drones struck Kharkiv.", PUBLISHED, PUBLISHED, ("2025-06-02", None, DAY)),
    ("On Feb. 24, 2022, the invasion began.", PUBLISHED, PUBLISHED, ("2022-02-24", None, DAY)),
    ("The talks opened on 2 June.", PUBLISHED, PUBLISHED, ("2025-06-02", None, DAY)),
    ("It happened on the 2nd of June.", PUBLISHED, PUBLISHED, ("2025-06-02", None, DAY)),
    ("On December 30 the shelling began.", date(2025, 1, 3), date(2025, 1, 3),
     ("2024-12-30", None, DAY)),
    ("On January 2 talks resumed.", date(2024, 12, 30), date(2024, 12, 30),
     ("2025-01-02", None, DAY)),
    ("Strikes continued between June 20 and 30.", PUBLISHED, PUBLISHED,
     ("2025-06-20", "2025-06-30", DAY)),
    ("Strikes continued between June 20th and 30th, 2024.", PUBLISHED, PUBLISHED,
     ("2024-06-20", "2024-06-30", DAY)),
    ("Talks ran from May 30 to June 2.", PUBLISHED, PUBLISHED, ("2025-05-30", "2025-06-02", DAY)),
    ("Fighting lasted from December 30 to January 2, 2025.", PUBLISHED, PUBLISHED,
     ("2024-12-30", "2025-01-02", DAY)),
    ("The war in 2022–2023 changed everything.", PUBLISHED, PUBLISHED, ("2022", "2023", YEAR)),
    ("It was occupied from 2014 to 2022.", PUBLISHED, PUBLISHED, ("2014", "2022", YEAR)),
    ("Prices rose in early 2022.", PUBLISHED, PUBLISHED, ("2022-01-01", "2022-04-30", APPROX)),
    ("Prices fell in late 2021.", PUBLISHED, PUBLISHED, ("2021-09-01", "2021-12-31", APPROX)),
    ("The line moved in mid-2023.", PUBLISHED, PUBLISHED, ("2023-05-01", "2023-08-31", APPROX)),
    ("It will be done by the end of 2024.", PUBLISHED, PUBLISHED,
     ("2024-10-01", "2024-12-31", APPROX)),
    ("The bridge was hit in May.", PUBLISHED, PUBLISHED, ("2025-05", None, MONTH)),
    ("The bridge was hit in May 2024.", PUBLISHED, PUBLISHED, ("2024-05", None, MONTH)),
    ("Aid arrived in early June.", PUBLISHED, PUBLISHED, ("2025-06-01", "2025-06-10", APPROX)),
    ("Snow fell in late February 2024.", PUBLISHED, PUBLISHED,
     ("2024-02-21", "2024-02-29", APPROX)),
    ("In March 2022 and in May 2023 the city was shelled.", PUBLISHED, PUBLISHED,
     ("2022-03", None, MONTH)),
    ("Two days before the meeting, drones struck.", PUBLISHED, MEETING,
     ("2025-05-31", "2025-06-01", APPROX)),
    ("Three days later the bridge fell.", PUBLISHED, MEETING, ("2025-06-04", "2025-06-05", APPROX)),
    ("Two weeks ago the port was hit.", PUBLISHED, MEETING, ("2025-05-18", "2025-05-24", APPROX)),
    ("A week earlier the port was hit.", PUBLISHED, MEETING, ("2025-05-23", "2025-05-29", APPROX)),
    ("Several hours later sirens sounded.", PUBLISHED, MEETING,
     ("2025-06-02", "2025-06-03", APPROX)),
    ("Drones struck yesterday.", PUBLISHED, MEETING, ("2025-06-03", None, DAY)),
    ("The talks resume today.", PUBLISHED, MEETING, ("2025-06-04", None, DAY)),
    ("The talks resume tomorrow.", PUBLISHED, MEETING, ("2025-06-05", None, DAY)),
    ("The day before, shelling hit Sumy.", PUBLISHED, MEETING, ("2025-06-01", None, DAY)),
    ("The next day, shelling hit Sumy.", PUBLISHED, MEETING, ("2025-06-03", None, DAY)),
    ("Strikes rose last week.", PUBLISHED, PUBLISHED, ("2025-05-26", "2025-06-01", APPROX)),
    ("Strikes rose this week.", PUBLISHED, PUBLISHED, ("2025-06-02", "2025-06-08", APPROX)),
    ("Talks are planned next week.", PUBLISHED, PUBLISHED, ("2025-06-09", "2025-06-15", APPROX)),
    ("Exports fell last month.", PUBLISHED, PUBLISHED, ("2025-05", None, MONTH)),
    ("Talks are planned next month.", date(2025, 12, 10), date(2025, 12, 10),
     ("2026-01", None, MONTH)),
    ("Exports fell last year.", PUBLISHED, PUBLISHED, ("2024", None, YEAR)),
    ("Prices have risen earlier this year.", PUBLISHED, PUBLISHED,
     ("2025-01-01", "2025-06-04", APPROX)),
    ("Shelling resumed on Monday.", PUBLISHED, PUBLISHED, ("2025-06-02", None, DAY)),
    ("Shelling resumed last Wednesday.", PUBLISHED, PUBLISHED, ("2025-05-28", None, DAY)),
    ("The region has been contested since 2014.", PUBLISHED, PUBLISHED, ("2014", None, YEAR)),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "published", "anchor", "expected"), ARTICLE)
def test_times_in_articles(sentence: str, published: date, anchor: date, expected: tuple):
    times = find_times(sentence, published, anchor)
    assert times, f"no time found in {sentence!r}"
    assert (times[0].start, times[0].end, times[0].precision) == expected


@pytest.mark.parametrize(("sentence", "dayfirst", "start"), [
    ("The decree of 2/6/2025 took effect.", True, "2025-06-02"),
    ("The decree of 2/6/2025 took effect.", False, "2025-02-06"),
    ("The decree of 2/6/25 took effect.", True, "2025-06-02"),
])  # fmt: skip
def test_numeric_dates_follow_the_date_order(sentence: str, dayfirst: bool, start: str):
    assert find_times(sentence, PUBLISHED, PUBLISHED, dayfirst)[0].start == start


@pytest.mark.parametrize(
    "sentence",
    [
        "Residents may 2 ways leave the city.",
        "Nothing happened on June 31.",
        "Nothing happened on 0 May.",
        "Nothing happened between May 0 and 3.",
        "The form 13/13/2025 is not a date.",
        "March on, said the general.",
        "A 2022-2090 plan was announced.",
        "He counted to 2025 and stopped.",
    ],
)
def test_words_that_are_not_times(sentence: str) -> None:
    assert find_times(sentence, PUBLISHED, PUBLISHED) == []
