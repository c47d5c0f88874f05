"""Inline rows edited with their record (addresses of a partner, units of a product …).

The “add row” button clones the formset's empty form in the browser (``static/erp/app.js``,
``data-erp-formset-add``); without script it submits ``_op=add:<prefix>`` and the view
re-renders the form with one more row (``with_added_row``), saving nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, QueryDict


@dataclass
class ChildRow:
    """One inline row as the form sent it, for a service: ``pk`` None for a new row, ``delete``
    to remove an existing one."""

    values: dict[str, Any] = field(default_factory=dict)
    pk: int | None = None
    delete: bool = False


def with_added_row(request: HttpRequest, prefixes: Iterable[str]) -> QueryDict | None:
    """The POST data with one more row in the formset named by ``_op=add:<prefix>``, or None."""
    op = request.POST.get("_op", "")
    if not op.startswith("add:") or op[4:] not in set(prefixes):
        return None
    prefix = op[4:]
    data = request.POST.copy()
    total = data.get(f"{prefix}-TOTAL_FORMS", "0")
    data[f"{prefix}-TOTAL_FORMS"] = str((int(total) if total.isdigit() else 0) + 1)
    data.pop("_op", None)
    return data


def changed_forms(formset) -> Iterable:
    """The forms of a valid formset that carry something: existing rows and filled-in new ones."""
    for form in formset.forms:
        if form.instance.pk is None and not form.has_changed():
            continue
        yield form


def is_deleted(formset, form) -> bool:
    return bool(formset.can_delete and formset._should_delete_form(form))


def child_rows(formset, fields: Iterable[str]) -> list[ChildRow]:
    """The rows of a valid formset for a service: changed and existing ones, with their deletion."""
    names = tuple(fields)
    return [
        ChildRow(
            values={name: form.cleaned_data[name] for name in names if name in form.cleaned_data},
            pk=form.instance.pk,
            delete=is_deleted(formset, form),
        )
        for form in changed_forms(formset)
    ]


def sync_rows(manager, rows: Iterable[ChildRow], fields: Iterable[str], *, last=None, **extra) -> None:
    """Make a record's rows (``manager``: its related manager) what ``rows`` say: delete, then
    update and create. ``last(row)`` True puts a row after the others (a new default after the
    old one lost its flag); ``extra`` values are set on every written row. A pk that is not
    one of the record's rows is refused (a forged form)."""
    from django.utils.translation import gettext as _

    from erp.core.exceptions import DomainError

    rows = list(rows)
    names = set(fields)
    existing = {child.pk: child for child in manager.all()}
    if any(row.pk is not None and row.pk not in existing for row in rows):
        raise DomainError(_("A row of another record was sent. Reload the page."))
    for row in rows:
        if row.pk is not None and row.delete:
            existing.pop(row.pk).delete()
    kept = sorted((row for row in rows if not row.delete), key=lambda row: bool(last and last(row)))
    for row in kept:
        values = {name: value for name, value in row.values.items() if name in names}
        if row.pk is None:
            manager.create(**values, **extra)
            continue
        child = existing[row.pk]
        for name, value in {**values, **extra}.items():
            setattr(child, name, value)
        child.save()
