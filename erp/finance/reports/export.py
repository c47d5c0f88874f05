"""A report as an Excel workbook (numbers as numbers, dates as dates, with formats) or as a
PDF (WeasyPrint, the company letterhead of ``components/pdf/base.html``, page numbers and
the table head repeated on every page)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from erp.core.documents.screens import render_pdf
from erp.core.models import Company
from erp.finance.reports.build import Report, describe

MONEY_FORMAT = "#,##0.00;-#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADING_FILL = PatternFill("solid", fgColor="EEF2F7")
BOLD_STYLES = frozenset({"group", "section", "subtotal", "total", "entry", "balance"})


def _attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Sheet:
    """Rows written one after another (openpyxl's ``append`` does not count empty rows)."""

    def __init__(self, sheet) -> None:
        self.sheet = sheet
        self.row = 0

    def put(self, values: list, *, bold: bool = False) -> int:
        self.row += 1
        for column, value in enumerate(values, start=1):
            cell = self.sheet.cell(row=self.row, column=column, value=value)
            if isinstance(value, Decimal):
                cell.number_format = MONEY_FORMAT
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
            if bold:
                cell.font = Font(bold=True)
        return self.row

    def skip(self) -> None:
        self.row += 1


def workbook(report: Report, *, company: Company | None) -> bytes:
    """The report on one sheet: title, company and filters on top, the table below (frozen head)."""
    book = Workbook()
    sheet = book.active
    sheet.title = report.title[:31]
    out = _Sheet(sheet)
    out.put([report.title])
    sheet["A1"].font = Font(bold=True, size=14)
    if company is not None:
        out.put([company.name])
    for label, text in [*describe(report), *report.summary]:
        out.put([label, text])
    out.skip()
    if report.column_groups:
        out.skip()
        column = 1
        for label, span in report.column_groups:
            cell = sheet.cell(row=out.row, column=column, value=label or None)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
            if span > 1:
                sheet.merge_cells(start_row=out.row, start_column=column, end_row=out.row, end_column=column + span - 1)
            column += span
    head = out.put([column.label for column in report.columns], bold=True)
    for index, column in enumerate(report.columns, start=1):
        cell = sheet.cell(row=head, column=index)
        cell.fill = HEADING_FILL
        if column.numeric:
            cell.alignment = Alignment(horizontal="right")
    sheet.freeze_panes = sheet.cell(row=head + 1, column=1)
    for row in report.rows:
        number = out.put([cell.value for cell in row.cells], bold=row.style in BOLD_STYLES)
        if row.level and len(report.columns) > 1 and not report.columns[1].numeric:
            sheet.cell(row=number, column=2).alignment = Alignment(indent=row.level)
    if report.checks:
        out.skip()
    for label, holds in report.checks:
        out.put([label, _("yes") if holds else _("NO")])
    for index, column in enumerate(report.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 16 if column.numeric else 14
    if len(report.columns) > 1 and not report.columns[1].numeric:
        sheet.column_dimensions["B"].width = 40
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(report: Report) -> HttpResponse:
    company = Company.objects.first()
    return _attachment(workbook(report, company=company), content_type=XLSX, filename=f"{report.filename}.xlsx")


def pdf_response(report: Report, *, request: HttpRequest) -> HttpResponse:
    company = Company.objects.first()
    context = {"report": report, "title": report.title, "company": company, "filters": describe(report)}
    content = render_pdf("finance/reports/pdf/report.html", context, request=request)
    return _attachment(content, content_type="application/pdf", filename=f"{report.filename}.pdf")
