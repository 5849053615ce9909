"""The annual report of one department and year: every registered table computed, and the
report flattened for CSV (one line per value) and laid out for XLSX (one sheet per table)."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from registry.annual_report import tables
from registry.annual_report.choices import ColumnKind


def build(department, year):
    """The report as JSON-ready data: department, year, time of computation and the tables
    (title, row heading, columns, rows). Amounts are decimal strings in yuan, as in the
    rest of the API."""
    computed = []
    for table in tables.registered():
        rows = table.compute(department, year)
        amounts = [c.key for c in table.columns if c.kind == ColumnKind.AMOUNT]
        for row in rows:
            for key in amounts:
                row[key] = str(Decimal(row[key] or 0).quantize(Decimal("0.01")))
        computed.append(
            {
                "key": table.key,
                "title": str(table.title),
                "row_heading": str(table.row_heading),
                "columns": [
                    {"key": c.key, "label": str(c.label), "kind": c.kind} for c in table.columns
                ],
                "rows": rows,
            }
        )
    return {
        "department": {"code": department.code, "name": department.name_zh},
        "year": year,
        "generated_at": timezone.now(),
        "tables": computed,
    }


LONG_COLUMNS = (
    "table",
    "table_title",
    "row",
    "row_label",
    "column",
    "column_label",
    "value",
)


def long_rows(report):
    """One dict per value of every table (the CSV layout: a long table that any
    spreadsheet or statistics package can pivot)."""
    for table in report["tables"]:
        for row in table["rows"]:
            for column in table["columns"]:
                yield {
                    "table": table["key"],
                    "table_title": table["title"],
                    "row": row["key"],
                    "row_label": row["label"],
                    "column": column["key"],
                    "column_label": column["label"],
                    "value": row[column["key"]],
                }


def sheets(report):
    """``(sheet name, title lines, header, rows of cells)`` per table (the XLSX layout: each
    table as it is printed in the report). Counts and amounts are numbers."""
    for table in report["tables"]:
        header = [table["row_heading"], *(column["label"] for column in table["columns"])]
        body = []
        for row in table["rows"]:
            cells = [row["label"]]
            for column in table["columns"]:
                value = row[column["key"]]
                cells.append(Decimal(value) if column["kind"] == ColumnKind.AMOUNT else value)
            body.append(cells)
        yield table["key"], [heading(report), table["title"]], header, body


def file_name(report, extension):
    return f"annual-report-{report['department']['code']}-{report['year']}.{extension}"


def heading(report):
    """The line above each sheet's table."""
    return _("%(department)s %(year)s年政府信息公开工作年度报告统计表") % {
        "department": report["department"]["name"],
        "year": report["year"],
    }
