"""The reusable list page: a django-filter form, a django-tables2 table,
HTMX search/sort/paging with the URL pushed, and CSV/Excel export of the
filtered list."""

from __future__ import annotations

import csv
import inspect
import io
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django_tables2 import RequestConfig, Table

from erp.core.customfields.tables import custom_field_columns

PER_PAGE = 25
EXPORT_FORMATS = ("csv", "xlsx")
LIST_TEMPLATE = "components/list_page.html"


def _export_rows(table: Table) -> list[list[Any]]:
    return [list(row) for row in table.as_values()]


def export_response(table: Table, *, name: str, fmt: str) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    rows = _export_rows(table)
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=name[:31])
        for row in rows:
            sheet.append([value if isinstance(value, (int, float)) else str(value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response


_SIGNATURES_KEPT = 4096


def cell_signatures_cached() -> None:
    """django-tables2 inspects the signature of a column's render method for every cell it renders
    (``inspect.signature``: about a third of a list page's table); the signature of a function does
    not change, so keep it per function (installed once from ``CoreConfig.ready``)."""
    from django_tables2 import utils

    if getattr(utils.signature, "erp_cached", False):
        return
    inspect_signature = utils.signature
    kept: dict = {}

    def signature(fn):
        bound = inspect.ismethod(fn)
        key = (fn.__func__ if bound else fn, bound)
        try:
            return kept[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable callable
            return inspect_signature(fn)
        if len(kept) >= _SIGNATURES_KEPT:  # functions made per request must not pile up
            kept.clear()
        kept[key] = result = inspect_signature(fn)
        return result

    signature.erp_cached = True
    utils.signature = signature


class CountedPaginator(Paginator):
    """A paginator told the row count instead of asking the database for it."""

    def __init__(self, *args, count: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.count = count


def list_page(
    request: HttpRequest,
    *,
    filterset,
    table_class: type[Table],
    title: str,
    export_name: str,
    template: str = LIST_TEMPLATE,
    context: dict[str, Any] | None = None,
    row_count: int | None = None,
) -> HttpResponse:
    """Render a list page; under HTMX only its ``table`` partial. ``row_count``: the number of
    filtered rows when the caller counted them already (it saves the paginator's COUNT query).

    Custom fields join the table by themselves: those marked “column in lists” on screen,
    all of them in exports (``erp.core.customfields.tables``)."""
    fmt = request.GET.get("_export")
    extra_columns = custom_field_columns(filterset.qs.model, export=fmt in EXPORT_FORMATS)
    table = table_class(filterset.qs, extra_columns=extra_columns) if extra_columns else table_class(filterset.qs)
    if fmt in EXPORT_FORMATS:
        return export_response(table, name=export_name, fmt=fmt)
    paginate = {"per_page": PER_PAGE}
    if row_count is not None:
        paginate.update(paginator_class=CountedPaginator, count=row_count)
    RequestConfig(request, paginate=paginate).configure(table)
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        # A page extending the generic list page inherits its ``table`` partial.
        templates = [f"{template}#table", f"{LIST_TEMPLATE}#table"]
    else:
        templates = [template]
    return TemplateResponse(
        request, templates, {"filter": filterset, "table": table, "title": title, **(context or {})}
    )
