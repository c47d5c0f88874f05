"""CSV imports with a preview: read the file, check every row, show what would
happen (and every error, with its line number), and write only after the user
confirms a file in which every row is valid.

All or nothing: a file with one bad row writes nothing. Imports feed
bookkeeping (rates, the chart of accounts), where a half-applied file is worse
than none: a missing rate silently falls back to an older one, a missing parent
account breaks the tree. The preview lists every problem at once, so the user
fixes the file and uploads it again.

A module supplies a *planner* (text → ``ImportPlan``, validated, nothing
written) and an *applier* (valid plan → rows written); ``import_page`` is the
screen around them."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.core.exceptions import DomainError
from erp.core.web import redirect_to

MAX_BYTES = 2_000_000
MAX_ROWS = 5_000
PREVIEW_ROWS = 200
TEMPLATE = "components/import_page.html"

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
ACTION_LABELS = {
    CREATE: gettext_lazy("new"),
    UPDATE: gettext_lazy("update"),
    UNCHANGED: gettext_lazy("unchanged"),
}


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    action: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, ""))


@dataclass
class ImportPlan:
    columns: list[str]
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows) and not any(row.errors for row in self.rows)

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    def counts(self) -> dict[str, int]:
        counter = Counter(row.action for row in self.rows if not row.errors)
        return {
            "create": counter[CREATE],
            "update": counter[UPDATE],
            "unchanged": counter[UNCHANGED],
            "invalid": len(self.error_rows),
        }

    def preview_rows(self) -> list[ImportRow]:
        """Every row with an error, then the first valid ones."""
        valid = [row for row in self.rows if not row.errors]
        return self.error_rows + valid[: max(PREVIEW_ROWS - len(self.error_rows), 0)]


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252 as spreadsheets save it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", (name or "").strip().lower())


def read_csv(
    text: str, *, required: Sequence[str], optional: Sequence[str] = (), aliases: dict[str, str] | None = None
) -> ImportPlan:
    """Split ``text`` into rows keyed by column name (comma, semicolon or tab separated).

    Headers are matched case-insensitively, spaces and hyphens read as underscores;
    ``aliases`` maps other header spellings to column names. Blank lines are skipped."""
    aliases = aliases or {}
    columns = list(required) + list(optional)
    plan = ImportPlan(columns=columns)
    if not text.strip():
        plan.errors.append(_("The file is empty."))
        return plan
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        plan.errors.append(_("The file has no header line."))
        return plan
    names = [aliases.get(_normalise_header(h), _normalise_header(h)) for h in header]
    missing = [name for name in required if name not in names]
    if missing:
        plan.errors.append(
            _("Missing column(s): %(missing)s. Expected: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ", ".join(columns)}
        )
        return plan
    duplicates = sorted(name for name, count in Counter(names).items() if count > 1 and name in columns)
    if duplicates:
        plan.errors.append(_("Column(s) given twice: %(names)s.") % {"names": ", ".join(duplicates)})
        return plan
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(plan.rows) >= MAX_ROWS:
                plan.errors.append(_("The file has more than %(max)d rows: split it.") % {"max": MAX_ROWS})
                return plan
            row = ImportRow(
                line=reader.line_num,
                values={name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(names)},
            )
            row.values = {name: row.values.get(name, "") for name in columns}
            if len(values) > len(names) and any(v.strip() for v in values[len(names) :]):
                row.errors.append(_("More values than columns."))
            plan.rows.append(row)
    except csv.Error as error:
        plan.errors.append(
            _("The file is not valid CSV near line %(line)d: %(error)s") % {"line": reader.line_num, "error": error}
        )
    if not plan.rows and not plan.errors:
        plan.errors.append(_("The file has a header but no rows."))
    return plan


def parse_decimal(text: str) -> Decimal:
    """``1234.5``, ``1234,5`` (decimal comma) or ``1,234.5`` / ``1.234,5`` (grouped) → Decimal."""
    value = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif value.count(",") == 1:
        value = value.replace(",", ".")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not result.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text})
    return result


DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")


def parse_date(text: str) -> date:
    """ISO dates (2025-01-31), or 31.01.2025 / 31/01/2025 as European spreadsheets write them."""
    value = (text or "").strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date (use YYYY-MM-DD).") % {"value": text})


TRUE_WORDS = frozenset({"1", "true", "yes", "y", "x", "ja", "j", "wahr"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "n", "nein", "falsch"})


def parse_bool(text: str) -> bool:
    value = (text or "").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValueError(_("“%(value)s” is not yes or no.") % {"value": text})


XLSX_MAGIC = b"PK\x03\x04"


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    return str(value)


def xlsx_to_csv(data: bytes) -> str:
    """The first sheet of an Excel workbook as CSV text (dates ISO, numbers without float noise),
    so a spreadsheet goes through the same planner, preview and confirmation as a CSV file."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a damaged or foreign file
        raise forms.ValidationError(_("The file is not a readable Excel workbook (.xlsx).")) from None
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for count, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True)):
        if count > MAX_ROWS + 1:
            break
        writer.writerow([_cell_text(value) for value in row])
    workbook.close()
    return buffer.getvalue()


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or Excel file"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,text/csv,text/plain,.xlsx,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    payload = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict:
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_BYTES:
                raise forms.ValidationError(
                    _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // 1_000_000}
                )
            raw = upload.read()
            data["text"] = xlsx_to_csv(raw) if raw.startswith(XLSX_MAGIC) else decode(raw)
        elif data.get("payload"):
            data["text"] = data["payload"]
        else:
            raise forms.ValidationError(_("Choose a CSV or Excel file to import."))
        if len(data["text"]) > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // 1_000_000})
        return data


def import_page(
    request: HttpRequest,
    *,
    title: str,
    planner: Callable[[str], ImportPlan],
    applier: Callable[[ImportPlan], Any],
    done_url: str,
    cancel_url: str,
    columns_help: Sequence[tuple[str, str]],
    example: str = "",
    success_message: str = "",
) -> HttpResponse:
    """Upload → preview (every row, every error) → confirm → write, all in one transaction.

    The confirmed text travels back in a hidden field and is checked again, inside the
    transaction that writes it: what is written is exactly what was last shown as valid."""
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    plan: ImportPlan | None = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        if request.POST.get("confirm") == "1":
            try:
                with transaction.atomic():
                    plan = planner(text)
                    if plan.is_valid:
                        applier(plan)
                        messages.success(request, success_message or _("Import finished."))
                        return redirect_to(request, done_url)
            except DomainError as error:
                plan = plan or ImportPlan(columns=[])
                plan.errors.append(error.message)
            except IntegrityError:
                plan = planner(text)
                plan.errors.append(_("Someone changed the same records meanwhile. Check the preview and try again."))
        else:
            plan = planner(text)
        form = ImportForm(initial={"payload": text})
    return TemplateResponse(
        request,
        TEMPLATE,
        {
            "title": title,
            "form": form,
            "plan": plan,
            "counts": plan.counts() if plan else None,
            "cancel_url": cancel_url,
            "columns_help": columns_help,
            "example": example,
            "max_rows": MAX_ROWS,
        },
    )
