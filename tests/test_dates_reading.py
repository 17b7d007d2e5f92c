"""One date reader for every format: the forms people write, the day/month order a whole
column proves, and a forced order the values contradict."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from desktop_app.cli import main
from desktop_app.core.dates import DatePrecision
from desktop_app.ingest.fields import DateOrderContradiction, DateReader
from desktop_app.ingest.loose_dates import LooseDateError, parse_loose_date
from desktop_app.ingest.reader import ReadOptions

DAY, MONTH, YEAR = DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR
FIXTURES = Path(__file__).parent / "fixtures"

# (value, dayfirst) -> (iso, precision)
FORMS = [
    ("26/10/25", True, "2025-10-26", DAY),
    ("26/10/2025", True, "2025-10-26", DAY),
    ("10/26/25", False, "2025-10-26", DAY),
    ("10/26/2025", False, "2025-10-26", DAY),
    ("3/4/25", True, "2025-04-03", DAY),
    ("3/4/25", False, "2025-03-04", DAY),
    ("03/04/1999", True, "1999-04-03", DAY),
    ("03/04/99", False, "1999-03-04", DAY),
    ("26.10.25", True, "2025-10-26", DAY),
    ("26.10.2025", True, "2025-10-26", DAY),
    ("01.02.03", True, "2003-02-01", DAY),
    ("26-10-2025", True, "2025-10-26", DAY),
    ("1/22/2014 12:00:00 AM", False, "2014-01-22", DAY),
    ("1/22/2014 12:00:00 PM", False, "2014-01-22T12:00:00", DAY),
    ("1/22/2014 3:05:00 PM", False, "2014-01-22T15:05:00", DAY),
    ("1/22/2014 3:05 PM", False, "2014-01-22T15:05:00", DAY),
    ("1/22/2014 3 PM", False, "2014-01-22T15:00:00", DAY),
    ("1/22/2014 11:59:59 PM", False, "2014-01-22T23:59:59", DAY),
    ("1/22/2014 12:30 AM", False, "2014-01-22T00:30:00", DAY),
    ("22/1/2014 9:15 AM", True, "2014-01-22T09:15:00", DAY),
    ("22/1/2014 9:15 pm", True, "2014-01-22T21:15:00", DAY),
    ("22/01/2014 21:15", True, "2014-01-22T21:15:00", DAY),
    ("01/22/2014 21:15:30", False, "2014-01-22T21:15:30", DAY),
    ("22.01.14 21:15", True, "2014-01-22T21:15:00", DAY),
    ("20180530", False, "2018-05-30", DAY),
    ("20180530", True, "2018-05-30", DAY),
    ("19991231", False, "1999-12-31", DAY),
    ("2014-01-22 3:05 PM", False, "2014-01-22T15:05:00", DAY),
    ("2014-01-22 12:00 AM", False, "2014-01-22", DAY),
    ("2024/02/16", False, "2024-02-16", DAY),
    ("2024/02/16", True, "2024-02-16", DAY),
    ("16 February 2024", True, "2024-02-16", DAY),
    ("February 16, 2024", True, "2024-02-16", DAY),
    ("16 February 2024 3:05 PM", False, "2024-02-16T15:05:00", DAY),
    ("Feb 16 2024 10:00", False, "2024-02-16T10:00:00", DAY),
    ("Friday 16 Feb 2024", False, "2024-02-16", DAY),
    ("16-Feb-2024", False, "2024-02-16", DAY),
    ("16-Feb-24", True, "2024-02-16", DAY),
    ("Feb 2024", False, "2024-02", MONTH),
    ("February 2024", True, "2024-02", MONTH),
    ("2024", False, "2024", YEAR),
    ("2024-02", False, "2024-02", MONTH),
    ("2024-02-16", True, "2024-02-16", DAY),
    ("2024-02-16T10:30:00Z", False, "2024-02-16T10:30:00Z", DAY),
    ("7/4/1976", False, "1976-07-04", DAY),
    ("4/7/1976", True, "1976-07-04", DAY),
    ("31/12/99", True, "1999-12-31", DAY),
    ("12/31/69", False, "2069-12-31", DAY),
    ("12/31/70", False, "1970-12-31", DAY),
    ("29/02/2024", True, "2024-02-29", DAY),
    ("02/29/2024 6:00 PM", False, "2024-02-29T18:00:00", DAY),
    ("5.6.2025 08:00", True, "2025-06-05T08:00:00", DAY),
    ("20250605", False, "2025-06-05", DAY),
    ("June 5, 2025 8:00 AM", False, "2025-06-05T08:00:00", DAY),
    ("5 June 2025", False, "2025-06-05", DAY),
    ("Sept 2025", True, "2025-09", MONTH),
]


@pytest.mark.parametrize(("text", "dayfirst", "iso", "precision"), FORMS)
def test_forms_people_write(text: str, dayfirst: bool, iso: str, precision: DatePrecision):
    assert parse_loose_date(text, dayfirst) == (iso, precision)


@pytest.mark.parametrize(
    ("text", "dayfirst"),
    [("3 PM", False), ("12:00", False), ("soon", False), ("31/04/2025", True),
     ("04/31/2025", False), ("13/22/2014 1:00 PM", False), ("1/22/2014 13:00 PM", False),
     ("20181330", False), ("2/30/2014 10:00 AM", False), ("x" * 200, False)],
)  # fmt: skip
def test_not_dates(text: str, dayfirst: bool) -> None:
    with pytest.raises(LooseDateError):
        parse_loose_date(text, dayfirst)


# A column's values -> the order they prove (True day/month, False month/day), and
# whether a warning is given.
ORDERS = [
    (["26/10/25", "01/02/25"], True, False),
    (["01/02/25", "26/10/25"], True, False),
    (["10/26/25", "01/02/25"], False, False),
    (["1/22/2014 12:00:00 AM", "2/1/2014 1:00 PM"], False, False),
    (["2/1/2014 1:00 PM", "1/22/2014 12:00:00 AM"], False, False),
    (["01.02.2014", "22.01.2014 10:00"], True, False),
    (["01/02/2014", "03/04/2014"], False, True),  # nothing tells: month/day, warned
    (["2014-01-22", "Feb 2024"], False, False),  # no date in numbers: nothing to warn
    (["26/10/25", "10/26/25"], False, True),  # they disagree: warned
    (["20180530", "01/02/2018"], False, True),
]


@pytest.mark.parametrize(("values", "dayfirst", "warned"), ORDERS)
def test_the_order_of_a_whole_column(values: list[str], dayfirst: bool, warned: bool):
    options = ReadOptions()
    reader = DateReader(options, "f.csv")
    reader.learn(values)
    assert reader.dayfirst is dayfirst
    assert bool(options.warnings) is warned, options.warnings


# A forced order (True: --dayfirst, False: --monthfirst) and a value that contradicts it.
CONTRADICTIONS = [
    (True, "1/22/2014 12:00:00 AM"),
    (True, "01/13/2025"),
    (True, "12/31/99"),
    (True, "02.28.2025"),
    (True, "3/15/2024 10:00"),
    (False, "26/10/25"),
    (False, "13/01/2025"),
    (False, "31.12.1999"),
    (False, "22/1/2014 9:15 AM"),
    (False, "15-03-2024"),
]


@pytest.mark.parametrize(("forced", "text"), CONTRADICTIONS)
def test_a_forced_order_that_a_value_contradicts_is_refused(forced: bool, text: str):
    reader = DateReader(ReadOptions(dayfirst=forced), "f.csv")
    with pytest.raises(DateOrderContradiction, match="--dayfirst" if forced else "--monthfirst"):
        reader(text)


@pytest.mark.parametrize(("forced", "text"), [(True, "02/01/2025"), (False, "02/01/2025")])
def test_a_forced_order_reads_values_either_order_would_do(forced: bool, text: str):
    iso, _ = DateReader(ReadOptions(dayfirst=forced), "f.csv")(text)
    assert iso == ("2025-01-02" if forced else "2025-02-01")


def _import(path: Path, db: Path, *flags: str):
    result = CliRunner().invoke(main, ["import", "--db", str(db), *flags, str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _starts(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT start FROM events ORDER BY start")]


def test_geojson_with_day_first_two_digit_years_imports_every_feature(tmp_path):
    result = _import(FIXTURES / "dates_ddmmyy.geojson", tmp_path / "s.db")
    assert result.exit_code == 0, result.output
    assert "imported 6 events, skipped 0" in result.output
    assert "warning" not in result.output
    assert _starts(tmp_path / "s.db") == [
        "2025-10-26", "2025-11-03", "2025-12-01", "2025-12-15", "2025-12-31", "2026-01-02",
    ]  # fmt: skip


def test_geojson_forced_month_first_is_refused_at_the_feature_that_proves_it(tmp_path):
    path = FIXTURES / "dates_ddmmyy.geojson"
    result = _import(path, tmp_path / "s.db", "--monthfirst")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {path}: feature 1: '26/10/25' is day/month/year, not month/day/year as "
        "--monthfirst says"
    ]
    assert _starts(tmp_path / "s.db") == []


def test_csv_with_12_hour_and_24_hour_times_imports_every_row(tmp_path):
    result = _import(FIXTURES / "dates_ampm_and_24h.csv", tmp_path / "s.db")
    assert result.exit_code == 0, result.output
    assert "imported 6 events, skipped 0" in result.output
    assert "warning" not in result.output  # 1/22/2014 proves month/day for every row
    assert _starts(tmp_path / "s.db") == [
        "2014-01-22", "2014-01-22T15:05:00", "2014-01-23T14:30:00", "2014-02-01T23:59:59",
        "2014-02-02", "2014-12-31T09:00:00",
    ]  # fmt: skip


def test_csv_forced_day_first_is_refused_at_the_line_that_proves_it(tmp_path):
    path = FIXTURES / "dates_ampm_and_24h.csv"
    result = _import(path, tmp_path / "s.db", "--dayfirst")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {path}: line 2: '1/22/2014 12:00:00 AM' is month/day/year, not "
        "day/month/year as --dayfirst says"
    ]


def test_csv_order_is_proven_by_a_row_past_the_first_thousands(tmp_path):
    from desktop_app.ingest.delimited import DETECTION_ROWS

    path = tmp_path / "late.csv"
    rows = ["date,lat,lon,title"]
    rows += [f"01/02/2020,50,30,Row {i}" for i in range(DETECTION_ROWS + 10)]
    rows.append("25/12/2020,50,30,Christmas")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = _import(path, tmp_path / "s.db")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert set(_starts(tmp_path / "s.db")) == {"2020-02-01", "2020-12-25"}
