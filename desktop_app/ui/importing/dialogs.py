"""The dialogs of a dataset import: set-up (columns, day order, encoding, bad rows),
progress with Cancel, the report of bad rows, and the preferences for online geocoding.

Dialogs only gather choices and show results; :mod:`desktop_app.ui.importing.commands`
runs the import with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.geo.geocoder import USER_AGENT
from desktop_app.ingest.delimited import ROLES, Table
from desktop_app.ingest.interpret import MANY, interpret
from desktop_app.ingest.loose_dates import detect_dayfirst
from desktop_app.ingest.pipeline import ImportReport, Progress
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.source import Source
from desktop_app.ui import settings as opt
from desktop_app.ui.settings import Settings

# Encodings offered when detection is wrong; the detected one is marked in the list.
ENCODINGS: tuple[tuple[str, str], ...] = (
    ("utf-8", "UTF-8"),
    ("utf-8-sig", "UTF-8 with byte-order mark"),
    ("utf-16", "UTF-16"),
    ("utf-16-le", "UTF-16 little-endian"),
    ("utf-16-be", "UTF-16 big-endian"),
    ("cp1251", "Windows-1251 (Cyrillic)"),
    ("cp1252", "Windows-1252 (Western European)"),
    ("cp1250", "Windows-1250 (Central European)"),
    ("koi8-r", "KOI8-R (Russian)"),
    ("iso-8859-1", "ISO-8859-1 (Latin-1)"),
)
_UNICODE = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be")
ROLE_LABELS: dict[str, str] = {
    "date": "Date (start)",
    "end": "End date",
    "lat": "Latitude",
    "lon": "Longitude",
    "title": "Title",
    "text": "Description",
    "place": "Place name",
    "id": "Identifier",
    "category": "Category",
    "source": "Sources",
    "country": "Country",
    "time": "Time of day",
    "year": "Year",
    "admin": "Region (kept)",
    "origin": "Origin place",
    "origin_lat": "Origin latitude",
    "origin_lon": "Origin longitude",
    "actors": "Actors",
    "url": "Link",
    "precision": "Date precision",
}
PREVIEW_ROWS = 50
SAMPLES_SHOWN = 3


@dataclass
class TablePreview:
    """The first rows of a CSV/TSV file and what detection made of them (no Qt)."""

    path: Path
    encoding: str
    detected_encoding: str
    headers: list[str]
    rows: list[list[str]]
    detected: dict[str, int]
    acled: bool
    dayfirst: bool | None
    ambiguous_dates: bool
    problems: list[str] = field(default_factory=list)
    #: Why each column has its role (or none), in column order.
    reasons: list[str] = field(default_factory=list)
    #: Each column's detected role ("" for none), in column order: the roles of
    #: :data:`~desktop_app.ingest.interpret.MANY` may be several columns'.
    column_roles: list[str] = field(default_factory=list)

    def date_order(self, column: int | None) -> tuple[bool | None, bool]:
        """``(dayfirst, ambiguous)`` of the dates in ``column``: what the values tell about
        the order of day and month, and whether they could be read both ways."""
        if column is None:
            return None, False
        values = [r[column] for r in self.rows if column < len(r)]
        dayfirst = detect_dayfirst(values)
        ambiguous = dayfirst is None and any("/" in v or "." in v.strip(".") for v in values)
        return dayfirst, ambiguous

    def samples(self, column: int) -> list[str]:
        values = [r[column].strip() for r in self.rows if column < len(r) and r[column].strip()]
        return values[:SAMPLES_SHOWN]


def preview_table(path: str | Path, encoding: str | None = None) -> TablePreview:
    """Read the header and first rows of a delimited file, as the import would.

    Raises :class:`ImportFailed` for a file that cannot be read at all.
    """
    from desktop_app.ingest import acled, gdelt, ucdp

    path = Path(path)
    source = Source(path, encoding)
    detected_encoding = Source(path).encoding
    try:
        rows: list[list[str]] = []
        problems: list[str] = []
        for item in Table(source):
            if isinstance(item, BadRecord):
                problems.append(str(item))
            else:
                rows.append(item[1])
            # Bad rows count too: a file of nothing but bad rows is not read to its end.
            if len(rows) + len(problems) > PREVIEW_ROWS:
                break
    finally:
        source.close()
    if not rows:
        raise ImportFailed(BadRecord(str(path), None, "the file is empty"))
    headers = [h.strip().lstrip("\ufeff") for h in rows[0]]
    body = rows[1:]
    gdelt_headers = gdelt.gdelt_columns(headers)
    if gdelt_headers is not None:
        # A GDELT file has no header row: its first line is an event too.
        headers, body = gdelt_headers, rows
    layout = ucdp.LAYOUT if ucdp.is_ucdp(headers) else None
    found = interpret(headers, body, layout=layout)
    is_acled = acled.is_acled(headers)
    preview = TablePreview(
        path, source.encoding, detected_encoding, headers, body, found.roles, is_acled,
        None, False, problems, [g.why for g in found.guesses],
        [g.role or "" for g in found.guesses],
    )  # fmt: skip
    date_column = headers.index("event_date") if is_acled else found.roles.get("date")
    preview.dayfirst, preview.ambiguous_dates = preview.date_order(date_column)
    return preview


def _detected_roles(preview: TablePreview) -> dict[int, str]:
    """Column index -> detected role, every column of a role of several columns too."""
    if preview.column_roles:
        return {i: role for i, role in enumerate(preview.column_roles) if role}
    return {index: role for role, index in preview.detected.items()}


def plain_tip(text: str) -> str:
    """A tooltip showing ``text`` as it is: Qt takes a tooltip that looks like markup for
    rich text, so file content is escaped inside a paragraph of its own."""
    return f"<p style='white-space:pre-wrap'>{escape(text)}</p>" if text else ""


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def encoding_label(key: str) -> str:
    return dict(ENCODINGS).get(key, key)


class ImportSetupDialog(QDialog):
    """What to do with a file before it is imported.

    For CSV/TSV files: which column holds which role (detected roles preselected, one
    combo box per header; actors and sources may be several columns', every other role
    one column's), whether 03/04/2025 is day/month or month/day, and the text
    encoding (the detected one marked; a legacy code page is pointed out). For every
    format: skip bad rows and report them, or abort at the first one.

    Parameters
    ----------
    path
        The file.
    fmt
        Its format (``csv``, ``geojson``, ...).
    preview
        For delimited files, :func:`preview_table`'s result; None for other formats.
    on_error
        The choice to preselect (the last one the user made).
    """

    def __init__(
        self,
        path: Path,
        fmt: str,
        preview: TablePreview | None = None,
        on_error: str = "skip",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.fmt = fmt
        self.preview = preview
        self.setObjectName("ImportSetupDialog")
        self.setWindowTitle(self.tr("Import %1").replace("%1", self.path.name))
        self.setAccessibleName(self.tr("Import settings"))
        self._combos: list[QComboBox] = []
        layout = QVBoxLayout(self)

        intro = QLabel(
            self.tr("File: %1 · Format: %2").replace("%1", self.path.name).replace("%2", fmt)
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setToolTip(str(self.path))
        layout.addWidget(intro)
        self.notes = QLabel()
        self.notes.setObjectName("ImportSetupNotes")
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.RichText)
        self.notes.setAccessibleName(self.tr("Things to check"))
        layout.addWidget(self.notes)

        self.encoding_box = QComboBox()
        self.encoding_box.setAccessibleName(self.tr("Text encoding"))
        self.encoding_box.setToolTip(self.tr("How the file's bytes become text"))
        self.dayfirst_box = QComboBox()
        self.dayfirst_box.setAccessibleName(self.tr("Order of day and month"))
        self.dayfirst_box.setToolTip(self.tr("Whether 02/06/2025 is 2 June or 6 February"))
        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName(self.tr("Columns of the file and their roles"))
        columns = preview is not None and not preview.acled
        if preview is not None:
            layout.addWidget(self._columns_group(preview), 1 if columns else 0)
        layout.addWidget(self._errors_group(on_error))
        layout.addWidget(self._repeats_group())
        if not columns:
            layout.addStretch(1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton(
            self.tr("&Import"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._refresh_notes()
        if columns:
            self.resize(760, 560)
        else:
            # Nothing to stretch: as tall as the content, no taller.
            self.resize(640, self.sizeHint().height())

    # -- building --------------------------------------------------------------------------

    def _columns_group(self, preview: TablePreview) -> QGroupBox:
        group = QGroupBox(self.tr("Columns"))
        group.setAccessibleName(self.tr("Columns"))
        form = QVBoxLayout(group)
        top = QFormLayout()
        for key, label in ENCODINGS:
            text = self.tr(label)
            if key == preview.detected_encoding:
                text = self.tr("%1 (detected)").replace("%1", text)
            self.encoding_box.addItem(text, key)
        if self.encoding_box.findData(preview.detected_encoding) < 0:
            self.encoding_box.addItem(
                self.tr("%1 (detected)").replace("%1", preview.detected_encoding),
                preview.detected_encoding,
            )
        self.encoding_box.setCurrentIndex(self.encoding_box.findData(preview.encoding))
        self.encoding_box.currentIndexChanged.connect(self._on_encoding_chosen)
        top.addRow(self.tr("Text &encoding:"), self.encoding_box)
        self.dayfirst_box.addItem(self.tr("Detect from the data"), None)
        self.dayfirst_box.addItem(self.tr("Day first (31/12/2024)"), True)
        self.dayfirst_box.addItem(self.tr("Month first (12/31/2024)"), False)
        self._preset_date_order(preview.dayfirst, preview.ambiguous_dates)
        self.dayfirst_box.currentIndexChanged.connect(self._refresh_notes)
        top.addRow(self.tr("&Dates like 03/04/2025:"), self.dayfirst_box)
        form.addLayout(top)

        if preview.acled:
            label = QLabel(
                self.tr(
                    "ACLED export recognised: its own columns are used (event_date, "
                    "time_precision, latitude, longitude, actors, notes, source)."
                )
            )
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            form.addWidget(label)
            self.table.hide()
            return group
        self.table.setHorizontalHeaderLabels(
            [self.tr("Column"), self.tr("Example values"), self.tr("Used as")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        form.addWidget(self.table, 1)
        self._fill_columns(preview, _detected_roles(preview))
        return group

    def _fill_columns(self, preview: TablePreview, role_of: dict[int, str]) -> None:
        """One row per column: its name, example values, and its role (``role_of``:
        column index -> role)."""
        self.table.setRowCount(len(preview.headers))
        self._combos = []
        for row, name in enumerate(preview.headers):
            item = QTableWidgetItem(name)
            item.setToolTip(plain_tip(name))
            self.table.setItem(row, 0, item)
            samples = preview.samples(row)
            sample_item = QTableWidgetItem(" · ".join(_short(s) for s in samples))
            sample_item.setToolTip(plain_tip("\n".join(samples)))
            self.table.setItem(row, 1, sample_item)
            combo = QComboBox()
            combo.setAccessibleName(self.tr("Role of column %1").replace("%1", name))
            why = preview.reasons[row] if row < len(preview.reasons) else ""
            combo.setToolTip(
                self.tr("What this column holds for each event (detected from: %1)").replace(
                    "%1", why
                )
                if why
                else self.tr("What this column holds for each event")
            )
            combo.addItem(self.tr("(kept as attribute)"), "")
            for role in ROLES:
                combo.addItem(self.tr(ROLE_LABELS[role]), role)
            combo.setCurrentIndex(max(0, combo.findData(role_of.get(row, ""))))
            combo.currentIndexChanged.connect(lambda _i, r=row: self._on_role_chosen(r))
            self.table.setCellWidget(row, 2, combo)
            self._combos.append(combo)

    def _errors_group(self, on_error: str) -> QGroupBox:
        group = QGroupBox(self.tr("Rows that cannot be read"))
        group.setAccessibleName(self.tr("Rows that cannot be read"))
        box = QVBoxLayout(group)
        self.skip_radio = QRadioButton(self.tr("&Skip them and list them in a report afterwards"))
        self.abort_radio = QRadioButton(
            self.tr("&Abort at the first one and save nothing from this file")
        )
        self.skip_radio.setToolTip(self.tr("Import every row that can be read"))
        self.abort_radio.setToolTip(self.tr("Save nothing unless every row can be read"))
        self._error_group = QButtonGroup(self)
        for radio in (self.skip_radio, self.abort_radio):
            self._error_group.addButton(radio)
            box.addWidget(radio)
        (self.abort_radio if on_error == "abort" else self.skip_radio).setChecked(True)
        return group

    def _repeats_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Rows that repeat an earlier row exactly"))
        group.setAccessibleName(self.tr("Rows that repeat an earlier row exactly"))
        box = QVBoxLayout(group)
        self.drop_repeats_radio = QRadioButton(self.tr("&Drop them and count them in the report"))
        self.keep_repeats_radio = QRadioButton(self.tr("&Keep each as an event of its own"))
        self.drop_repeats_radio.setToolTip(
            self.tr("A row identical to an earlier one is one event, its lines reported")
        )
        self.keep_repeats_radio.setToolTip(
            self.tr("Every row is an event, even one identical to an earlier row")
        )
        self._repeats_buttons = QButtonGroup(self)
        for radio in (self.drop_repeats_radio, self.keep_repeats_radio):
            self._repeats_buttons.addButton(radio)
            box.addWidget(radio)
        self.drop_repeats_radio.setChecked(True)
        return group

    # -- reactions ---------------------------------------------------------------------

    def _preset_date_order(self, dayfirst: bool | None, ambiguous: bool) -> None:
        if dayfirst is not None:
            self.dayfirst_box.setCurrentIndex(1 if dayfirst else 2)
        elif ambiguous:
            # Nothing in the data tells; make the user see the choice being made.
            self.dayfirst_box.setCurrentIndex(2)
        else:
            self.dayfirst_box.setCurrentIndex(0)

    def _on_role_chosen(self, row: int) -> None:
        # A second column given a role of one column is not cleared behind the user's
        # back: problems() names both and the import waits for a choice.
        role = self._combos[row].currentData()
        dates = self.columns().get("date", [])
        if role == "date" or not dates:
            # Another date column: what its values tell about day and month order.
            column = self.preview.headers.index(dates[0]) if dates else None
            order = self.preview.date_order(column)
            self.preview.dayfirst, self.preview.ambiguous_dates = order
            self._preset_date_order(*order)
        self._refresh_notes()

    def _on_encoding_chosen(self) -> None:
        encoding = self.encoding_box.currentData()
        try:
            fresh = preview_table(self.path, encoding)
        except (ImportFailed, ValueError, LookupError) as exc:
            self.notes.setText(f"<b>{escape(str(exc))}</b>")
            return
        keep = self.columns()
        fresh.detected_encoding = self.preview.detected_encoding
        self.preview = fresh
        if not fresh.acled and self._combos:
            names = {
                fresh.headers.index(h): role
                for role, headers in keep.items()
                for h in headers
                if h in fresh.headers
            }
            self._fill_columns(fresh, names or _detected_roles(fresh))
        self._refresh_notes()

    def _refresh_notes(self) -> None:
        notes = [escape(n) for n in self.notes_text()]
        blocking = [escape(p) for p in self.problems()]
        parts = [f"<p style='color:#b00020'><b>{p}</b></p>" for p in blocking]
        parts += [f"<p>{n}</p>" for n in notes]
        self.notes.setText("".join(parts))
        self.notes.setVisible(bool(parts))
        self.import_button.setEnabled(not blocking)

    # -- what the user chose --------------------------------------------------------------

    def columns(self) -> dict[str, list[str]]:
        """Role -> the headers of the columns given it, in file order."""
        if self.preview is None:
            return {}
        found: dict[str, list[str]] = {}
        for row, combo in enumerate(self._combos):
            if combo.currentData():
                found.setdefault(combo.currentData(), []).append(self.preview.headers[row])
        return found

    def roles(self) -> dict[str, str | tuple[str, ...]]:
        """Role -> header for the roles given to a column; the headers, as a tuple, for
        a role given several."""
        return {
            role: headers[0] if len(headers) == 1 else tuple(headers)
            for role, headers in self.columns().items()
        }

    def mapping(self) -> dict[str, str | tuple[str, ...]]:
        """The column mapping for the pipeline (``ReadOptions.columns``).

        Every role is named, an empty header for the roles no column has, so that what
        the user unticked is not detected again. Empty for ACLED exports (their own
        columns) and non-delimited files.
        """
        if self.preview is None or self.preview.acled:
            return {}
        chosen = self.roles()
        return {role: chosen.get(role, "") for role in ROLES}

    def places_to_confirm(self) -> bool:
        """Whether rows are placed by looking up a place name, so the user may have
        guesses to confirm before the import is saved: a place column, and no
        coordinates in some of the first rows (a file with coordinates in every one is
        not read twice for the few rows that may lack them)."""
        columns = self.columns()
        if "place" not in columns or self.preview is None:
            return False
        if "lat" not in columns or "lon" not in columns:
            return True
        headers = self.preview.headers
        lat, lon = headers.index(columns["lat"][0]), headers.index(columns["lon"][0])
        return any(
            not (row[lat].strip() and row[lon].strip())
            for row in self.preview.rows
            if len(row) > max(lat, lon)
        )

    def dayfirst(self) -> bool | None:
        return self.dayfirst_box.currentData() if self.preview is not None else None

    def encoding(self) -> str | None:
        return self.encoding_box.currentData() if self.preview is not None else None

    def repeats(self) -> str:
        """``drop`` or ``keep``: what the import does with rows repeating earlier ones."""
        return "keep" if self.keep_repeats_radio.isChecked() else "drop"

    def on_error(self) -> str:
        return "abort" if self.abort_radio.isChecked() else "skip"

    def set_role(self, header: str, role: str) -> None:
        """Give ``role`` to the column called ``header`` ("" for none)."""
        combo = self._combos[self.preview.headers.index(header)]
        combo.setCurrentIndex(combo.findData(role))

    def problems(self) -> list[str]:
        """What stops the import from starting."""
        if self.preview is None or self.preview.acled:
            return []
        roles = self.columns()
        found = []
        if "date" not in roles:
            found.append(self.tr("No column holds the date: choose one under “Used as”."))
        if ("lat" in roles) != ("lon" in roles):
            found.append(self.tr("Choose both a latitude and a longitude column, or neither."))
        for role, headers in roles.items():
            if len(headers) > 1 and role not in MANY:
                found.append(
                    self.tr("“%1” takes one column, but %2 have it: %3. Choose one.")
                    .replace("%1", self.tr(ROLE_LABELS[role]))
                    .replace("%2", str(len(headers)))
                    .replace("%3", ", ".join(headers))
                )
        return found

    def notes_text(self) -> list[str]:
        """What the user should check before importing (not blocking)."""
        preview = self.preview
        if preview is None:
            return []
        notes = []
        if preview.detected_encoding not in _UNICODE:
            notes.append(
                self.tr(
                    "This file is not UTF-8. It was read as %1; if the example values "
                    "look wrong, choose another encoding."
                ).replace("%1", self.tr(encoding_label(preview.detected_encoding)))
            )
        if preview.ambiguous_dates and self.dayfirst_box.currentData() is not True:
            notes.append(
                self.tr(
                    "No date in the first rows tells whether 03/04 is 3 April or 4 March: "
                    "check the order of day and month."
                )
            )
        roles = self.roles()
        if not preview.acled and "lat" not in roles and "place" not in roles:
            notes.append(
                self.tr("No coordinates and no place names: events will be on the timeline only.")
            )
        elif not preview.acled and "lat" not in roles:
            notes.append(
                self.tr(
                    "Rows are placed by looking up their place names; you confirm the "
                    "guesses before anything is saved."
                )
            )
        return notes


class ImportProgressDialog(QDialog):
    """Rows read, rows per second, time left, and Cancel.

    Closing the dialog (Esc, the window's close button) asks to cancel, like the button.
    With ``reading_places`` it says that the file's place names are being read for the
    user to confirm, before anything is saved.
    """

    cancelRequested = Signal()

    def __init__(
        self, name: str, parent: QWidget | None = None, *, reading_places: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ImportProgressDialog")
        self.setWindowTitle(self.tr("Importing"))
        self.setAccessibleName(self.tr("Import progress"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        title = (
            self.tr("Reading the place names of %1 (nothing is saved yet)…")
            if reading_places
            else self.tr("Importing %1…")
        )
        self.title = QLabel(title.replace("%1", name))
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.title)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setAccessibleName(self.tr("Part of the file read"))
        layout.addWidget(self.bar)
        self.stats = QLabel(self.tr("Starting…"))
        self.stats.setTextFormat(Qt.TextFormat.PlainText)
        self.stats.setAccessibleName(self.tr("Rows read and time left"))
        layout.addWidget(self.stats)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self.request_cancel)
        layout.addWidget(buttons)
        self.resize(440, self.sizeHint().height())
        self._cancelling = False

    def show_progress(self, progress: Progress) -> None:
        if self._cancelling:
            return
        self.bar.setValue(round(progress.fraction * 1000))
        parts = [
            self.tr("%1 rows").replace("%1", f"{progress.records:,}"),
            self.tr("%1 rows/s").replace("%1", f"{progress.records_per_s:,.0f}"),
        ]
        left = progress.seconds_left
        if left is not None:
            parts.append(time_left_text(left, self.tr))
        self.stats.setText(" · ".join(parts))

    def show_note(self, text: str) -> None:
        """A line from the store (it waits for another import, say) until rows come."""
        if not self._cancelling:
            self.stats.setText(text)

    def request_cancel(self) -> None:
        if not self._cancelling:
            self._cancelling = True
            self.cancel_button.setEnabled(False)
            self.stats.setText(self.tr("Cancelling: nothing will be saved…"))
            self.cancelRequested.emit()

    def reject(self) -> None:  # Esc
        self.request_cancel()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.request_cancel()
        event.ignore()

    def finish(self) -> None:
        """Close for good (the import ended)."""
        self._cancelling = True
        super().reject()


def time_left_text(seconds: float, tr) -> str:
    if seconds < 1:
        return tr("less than a second left")
    if seconds < 90:
        return tr("about %1 s left").replace("%1", str(round(seconds)))
    if seconds < 5400:
        return tr("about %1 min left").replace("%1", str(round(seconds / 60)))
    return tr("about %1 h left").replace("%1", f"{seconds / 3600:.1f}")


def report_text(report: ImportReport | None, problems: list[BadRecord]) -> str:
    """The bad rows as plain text, one per line: file, line, reason."""
    lines = [f"warning: {w}" for w in (report.warnings if report else [])]
    lines += [str(p) for p in problems]
    if report is not None and report.skipped > len(problems):
        lines.append(f"... and {report.skipped - len(problems):,} more bad rows")
    return "\n".join(lines)


class ImportReportDialog(QDialog):
    """What an import did, and every bad row (file, line, reason) in plain text.

    Parameters
    ----------
    summary
        One sentence: what was saved.
    report
        The pipeline's report (None when the import was aborted).
    problems
        The bad rows to list.
    """

    def __init__(
        self,
        summary: str,
        report: ImportReport | None,
        problems: list[BadRecord],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ImportReportDialog")
        self.setWindowTitle(self.tr("Import report"))
        self.setAccessibleName(self.tr("Import report"))
        layout = QVBoxLayout(self)
        # What every row became, the columns' roles and the day order, under the sentence.
        summary = "\n".join([summary, *(report.summary_lines() if report else [])])
        self.summary = QLabel(summary)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setAccessibleName(self.tr("Bad rows: file, line and reason"))
        self.text.setPlainText(report_text(report, problems))
        listed = bool(self.text.toPlainText())
        self.text.setVisible(listed)
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton(self.tr("&Copy"))
        copy.setToolTip(self.tr("Copy the summary and the list of rows to the clipboard"))
        copy.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(summary + "\n" + self.text.toPlainText())
        )
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 420 if listed else 220)


def user_agent(contact: str) -> str:
    """The descriptive user agent Nominatim asks for, with the user's contact if given."""
    contact = contact.strip()
    if not contact:
        return USER_AGENT
    return USER_AGENT.removesuffix(")") + f"; contact: {contact})"


class PreferencesDialog(QDialog):
    """The user's preferences: for now, online geocoding of unknown place names."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setObjectName("PreferencesDialog")
        self.setWindowTitle(self.tr("Preferences"))
        self.setAccessibleName(self.tr("Preferences"))
        layout = QVBoxLayout(self)
        group = QGroupBox(self.tr("Place names"))
        box = QVBoxLayout(group)
        self.online = QCheckBox(
            self.tr("Look up place names &online when the offline gazetteer does not know them")
        )
        self.online.setAccessibleName(self.tr("Online geocoding"))
        self.online.setToolTip(self.tr("Ask OpenStreetMap Nominatim, at most once a second"))
        self.online.setChecked(settings.get(opt.ONLINE_GEOCODING))
        box.addWidget(self.online)
        note = QLabel(
            self.tr(
                "Unknown names from imported files are sent to OpenStreetMap Nominatim "
                "(nominatim.openstreetmap.org), at most one per second. Answers are kept "
                "in the store, so no name is asked twice. Off by default."
            )
        )
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        box.addWidget(note)
        form = QFormLayout()
        self.contact = QLineEdit(settings.get(opt.GEOCODER_CONTACT))
        self.contact.setPlaceholderText(self.tr("optional: an e-mail address"))
        self.contact.setAccessibleName(self.tr("Contact sent to Nominatim"))
        self.contact.setToolTip(self.tr("Nominatim asks heavy users for a way to reach them"))
        form.addRow(self.tr("&Contact:"), self.contact)
        self.agent = QLabel()
        self.agent.setTextFormat(Qt.TextFormat.PlainText)
        self.agent.setWordWrap(True)
        self.agent.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Sent as:"), self.agent)
        box.addLayout(form)
        layout.addWidget(group)
        self.contact.textChanged.connect(self._refresh)
        self.online.toggled.connect(self._refresh)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._refresh()
        # Room for the wrapped notes (sizeHint does not know the final width yet).
        self.resize(560, 280)

    def _refresh(self) -> None:
        self.agent.setText(user_agent(self.contact.text()))
        self.contact.setEnabled(self.online.isChecked())

    def accept(self) -> None:
        self.settings.set(opt.ONLINE_GEOCODING, self.online.isChecked())
        self.settings.set(opt.GEOCODER_CONTACT, self.contact.text().strip())
        super().accept()
