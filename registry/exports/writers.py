"""Encoders turning an iterator of rows (dicts, as the API represents them) into an iterator
of byte chunks, in constant memory.

CSV and NDJSON are produced as the rows come; XLSX is written row by row to a temporary file
(XlsxWriter's constant-memory mode) and then sent from it. CSV and XLSX are flat: a nested
value (an object or a list) goes into its cell as JSON."""

import csv
import io
import json
import tempfile
from decimal import Decimal

import xlsxwriter
from django.core.serializers.json import DjangoJSONEncoder

from registry.choices import ExportFormat

CHUNK_BYTES = 64 * 1024
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, minus the header row
XLSX_MAX_CELL = 32_767  # Excel's limit on the characters of one cell

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.NDJSON: "application/x-ndjson; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def to_json(value):
    return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)


def cell(value):
    """The text of one flat cell."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return to_json(value)
    return str(value)


def _buffered(pieces):
    """Join small encoded pieces into chunks of about CHUNK_BYTES."""
    buffer, size = [], 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_BYTES:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


def _csv_pieces(columns, rows, lines_per_piece=200):
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")

    def piece():
        encoded = text.getvalue().encode()
        text.seek(0)
        text.truncate()
        return encoded

    writer.writerow(columns)
    yield piece()
    for number, row in enumerate(rows, start=1):
        writer.writerow([cell(row.get(name)) for name in columns])
        if number % lines_per_piece == 0:
            yield piece()
    yield piece()


def csv_from_lines(columns, lines, lines_per_piece=500):
    """The CSV file of the header and ``lines`` (each already encoded, ending ``\r\n``:
    see :mod:`registry.exports.copy_csv`), in chunks of about CHUNK_BYTES."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerow(columns)

    def pieces():
        yield text.getvalue().encode()
        batch = []
        for line in lines:
            batch.append(line)
            if len(batch) == lines_per_piece:
                yield b"".join(batch)
                batch = []
        yield b"".join(batch)

    return _buffered(pieces())


def _ndjson_pieces(columns, rows):
    for row in rows:
        yield (to_json(row) + "\n").encode()


class XlsxEncoder:
    """Writes the rows to a temporary workbook, then streams it; counts cut cells."""

    def __init__(self):
        self.truncated_cells = 0

    def __call__(self, columns, rows):
        with tempfile.TemporaryFile(suffix=".xlsx") as target:
            workbook = xlsxwriter.Workbook(
                target,
                {
                    "constant_memory": True,
                    "strings_to_numbers": False,
                    "strings_to_formulas": False,
                    "strings_to_urls": False,
                },
            )
            sheet = workbook.add_worksheet("data")
            sheet.write_row(0, 0, columns)
            for number, row in enumerate(rows, start=1):
                values = []
                for name in columns:
                    text = cell(row.get(name))
                    if len(text) > XLSX_MAX_CELL:
                        self.truncated_cells += 1
                        text = text[:XLSX_MAX_CELL]
                    values.append(text)
                sheet.write_row(number, 0, values)
            workbook.close()
            target.seek(0)
            while chunk := target.read(CHUNK_BYTES):
                yield chunk


def encoder(export_format):
    """A callable ``(columns, rows) -> iterator of byte chunks`` for the format."""
    if export_format == ExportFormat.XLSX:
        return XlsxEncoder()
    pieces = _csv_pieces if export_format == ExportFormat.CSV else _ndjson_pieces
    return lambda columns, rows: _buffered(pieces(columns, rows))


def workbook(sheets):
    """An XLSX workbook of small tables, one sheet each, as one bytes object. ``sheets``
    yields ``(name, title lines, header, rows)``; a name is cut to Excel's 31 characters,
    numbers (int, Decimal) are written as numbers and everything else as text."""
    target = io.BytesIO()
    book = xlsxwriter.Workbook(
        target,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    bold = book.add_format({"bold": True})
    for name, titles, header, rows in sheets:
        sheet = book.add_worksheet(name[:31])
        for number, title in enumerate(titles):
            sheet.write_string(number, 0, title, bold)
        top = len(titles)
        sheet.write_row(top, 0, [cell(value) for value in header], bold)
        for offset, row in enumerate(rows, start=top + 1):
            for column, value in enumerate(row):
                if isinstance(value, int | Decimal) and not isinstance(value, bool):
                    sheet.write_number(offset, column, float(value))
                else:
                    sheet.write_string(offset, column, cell(value))
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, max(len(header) - 1, 1), 14)
    book.close()
    return target.getvalue()
