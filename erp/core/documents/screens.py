"""Generic document screens, reused by every document type.

A document type describes itself once with a ``DocumentScreens`` object (model,
forms, table, filter, templates) and gets its URLs from ``screens.urls()``:

    <slug>/                 list: filters, totals row, CSV/Excel export
    <slug>/new/             create (header form + inline line formset)
    <slug>/<pk>/            detail: header, lines, totals, allowed actions, timeline
    <slug>/<pk>/edit/       edit a draft
    <slug>/<pk>/do/<action>/  POST: one transition (submit, complete, void, …)
    <slug>/<pk>/pdf/        the printable PDF (WeasyPrint)
    <slug>/totals/          POST: recomputed totals of an unsaved form (HTMX)

Line rows are added and removed by re-rendering the form on the server (buttons
named ``_op``), so it works with and without htmx."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from erp.core.decorators import permission_required
from erp.core.documents import hooks, panels, services, timeline
from erp.core.documents.forms import DocumentLineFormSet
from erp.core.documents.models import Action, Document, Status
from erp.core.documents.registry import effects_for
from erp.core.exceptions import ConcurrentModification, DomainError
from erp.core.listing import list_page
from erp.core.models import Company, Organization
from erp.core.web import form_error, is_htmx_fragment, redirect_to

ACTION_STYLES = {
    Action.SUBMIT: "outline-primary",
    Action.APPROVE: "success",
    Action.REJECT: "outline-danger",
    Action.START: "outline-primary",
    Action.COMPLETE: "primary",
    Action.CLOSE: "outline-secondary",
    Action.CANCEL: "outline-danger",
    Action.VOID: "outline-danger",
    Action.REVERSE_CORRECT: "outline-warning",
    Action.REVERSE_ACCRUAL: "outline-warning",
}
ACTIONS_NEEDING_REASON = {Action.REJECT, Action.CANCEL, Action.VOID, Action.REVERSE_CORRECT, Action.REVERSE_ACCRUAL}
CONFIRMATIONS = {
    Action.COMPLETE: gettext_lazy("Complete and post this document? Posted documents cannot be edited."),
    Action.VOID: gettext_lazy("Void this document? Its postings are undone with the original date."),
    Action.REVERSE_CORRECT: gettext_lazy("Reverse this document with a reversing document on its original date?"),
    Action.REVERSE_ACCRUAL: gettext_lazy("Reverse this document with a reversing document on the chosen date?"),
    Action.CANCEL: gettext_lazy("Cancel this document?"),
}


@dataclass
class DocumentScreens:
    model: type[Document]
    namespace: str
    slug: str
    header_form: type[forms.ModelForm]
    line_formset: type[DocumentLineFormSet]
    table: type
    filterset: type
    title_plural: str
    title_new: str
    list_select_related: tuple[str, ...] = ()
    line_select_related: tuple[str, ...] = ()
    detail_template: str = "components/document_detail.html"
    form_template: str = "components/document_form.html"
    pdf_template: str = "components/pdf/document.html"
    lines_template: str = "components/_document_lines.html"
    totals_template: str = "components/_document_totals.html"
    # optional markup inside the form (e.g. a <datalist> the line inputs refer to)
    form_extra_template: str = ""
    # URL names are "<namespace>:<name_prefix>-list" etc.; the model's name by default.
    name_prefix: str = ""
    # (unsaved header form, line formset) -> context for the totals partial
    preview_totals: Callable[[forms.ModelForm, forms.BaseInlineFormSet], dict[str, Any]] | None = None
    # label -> aggregate shown under the list (one query, which also counts the rows for the pager);
    # net and gross totals in the company currency by default
    list_totals: dict[str, Any] | None = None
    extra_detail_context: Callable[[Document], dict[str, Any]] | None = None
    extra_form_context: Callable[[], dict[str, Any]] | None = None
    views: dict[str, Callable] = field(default_factory=dict, init=False)

    # --- names and permissions -------------------------------------------------------------
    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name

    def perm(self, action: str) -> str:
        return f"{self.app_label}.{action}_{self.model_name}"

    @property
    def prefix(self) -> str:
        return self.name_prefix or self.model_name

    def url_name(self, view: str) -> str:
        return f"{self.namespace}:{self.prefix}-{view}"

    def queryset(self, user):
        return self.model.objects.for_user(user).select_related("organization", "currency", *self.list_select_related)

    # --- URLs -----------------------------------------------------------------------------------
    def urls(self) -> list:
        view = permission_required(self.perm("view"))
        add = permission_required(self.perm("add"))
        change = permission_required(self.perm("change"))
        return [
            path(f"{self.slug}/", view(self._bind(document_list)), name=f"{self.prefix}-list"),
            path(f"{self.slug}/new/", add(self._bind(document_create)), name=f"{self.prefix}-create"),
            path(f"{self.slug}/totals/", require_POST(view(self._bind(document_totals))), name=f"{self.prefix}-totals"),
            path(f"{self.slug}/<int:pk>/", view(self._bind(document_detail)), name=f"{self.prefix}-detail"),
            path(f"{self.slug}/<int:pk>/edit/", change(self._bind(document_update)), name=f"{self.prefix}-update"),
            path(f"{self.slug}/<int:pk>/pdf/", view(self._bind(document_pdf)), name=f"{self.prefix}-pdf"),
            path(
                f"{self.slug}/<int:pk>/do/<str:action>/",
                require_POST(view(self._bind(document_action))),
                name=f"{self.prefix}-action",
            ),
        ]

    def _bind(self, func: Callable) -> Callable:
        @wraps(func)
        def bound(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return func(request, *args, screens=self, **kwargs)

        return bound


# --- list ------------------------------------------------------------------------------------------


def document_list(request: HttpRequest, *, screens: DocumentScreens) -> HttpResponse:
    filterset = screens.filterset(request.GET, queryset=screens.queryset(request.user), request=request)
    expressions = screens.list_totals or NET_AND_GROSS
    keys = {f"total_{index}": label for index, label in enumerate(expressions)}
    # COUNT(*), not COUNT(id): with the totals it can be answered from an index on the organization
    # that includes the summed column, without reading the table (see erp.sales.models.list_indexes).
    aggregated = filterset.qs.aggregate(
        row_count=Count("*"), **{key: expressions[label] for key, label in keys.items()}
    )
    totals = [(label, aggregated[key] or 0) for key, label in keys.items()]
    create_url = reverse(screens.url_name("create")) if request.user.has_perm(screens.perm("add")) else None
    return list_page(
        request,
        filterset=filterset,
        table_class=screens.table,
        title=screens.title_plural,
        export_name=screens.slug,
        context={"create_url": create_url, "create_label": screens.title_new, "list_totals": totals},
        row_count=aggregated["row_count"],
    )


NET_AND_GROSS = {gettext_lazy("Net"): Sum("total_net_company"), gettext_lazy("Total"): Sum("total_gross_company")}


# --- detail and actions ----------------------------------------------------------------------------


def _detail_context(request: HttpRequest, document: Document, screens: DocumentScreens) -> dict[str, Any]:
    actions = services.available_actions(document, request.user)
    lines = list(document.lines.select_related(*screens.line_select_related).order_by("position", "id"))
    context = {
        "title": str(document),
        "document": document,
        "screens": screens,
        "lines": lines,
        "actions": [
            {
                "value": action,
                "label": Action(action).label,
                "style": ACTION_STYLES.get(action, "outline-secondary"),
                "needs_reason": action in ACTIONS_NEEDING_REASON,
                "confirm": CONFIRMATIONS.get(action, ""),
                "url": reverse(screens.url_name("action"), args=[document.pk, action]),
            }
            for action in actions
        ],
        "can_edit": document.is_editable and request.user.has_perm(screens.perm("change")),
        "urls": {
            "list": reverse(screens.url_name("list")),
            "pdf": reverse(screens.url_name("pdf"), args=[document.pk]),
            "update": reverse(screens.url_name("update"), args=[document.pk]),
            "reversal_of": reverse(screens.url_name("detail"), args=[document.reversal_of_id])
            if document.reversal_of_id
            else "",
        },
        "reversals": [
            (reversal, reverse(screens.url_name("detail"), args=[reversal.pk])) for reversal in document.reversals.all()
        ],
        "timeline": timeline.entries(document),
        "panels": panels.panels_for(document, user=request.user),
        "lines_template": screens.lines_template,
        "totals_template": screens.totals_template,
        "today": timezone.localdate(),
    }
    if screens.extra_detail_context:
        context.update(screens.extra_detail_context(document))
    return context


def document_detail(request: HttpRequest, pk: int, *, screens: DocumentScreens) -> HttpResponse:
    document = get_object_or_404(screens.queryset(request.user), pk=pk)
    return TemplateResponse(request, screens.detail_template, _detail_context(request, document, screens))


def document_action(request: HttpRequest, pk: int, action: str, *, screens: DocumentScreens) -> HttpResponse:
    document = get_object_or_404(screens.queryset(request.user), pk=pk)
    detail_url = reverse(screens.url_name("detail"), args=[document.pk])
    if action not in Action.values:
        messages.error(request, _("Unknown action."))
        return redirect_to(request, detail_url)
    on_date = None
    if request.POST.get("on_date"):
        try:
            on_date = date.fromisoformat(request.POST["on_date"])
        except ValueError:
            messages.error(request, _("Please enter a valid date."))
            return redirect_to(request, detail_url)
    try:
        result = services.perform(
            document=document,
            action=action,
            by=request.user,
            reason=request.POST.get("reason", ""),
            on_date=on_date,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect_to(request, detail_url)
    document.refresh_from_db()
    messages.success(request, _done_message(document, action))
    for warning in getattr(result, "rule_warnings", []):
        messages.warning(request, warning)
    if action in (Action.REVERSE_CORRECT, Action.REVERSE_ACCRUAL) and isinstance(result, Document):
        return redirect_to(request, reverse(screens.url_name("detail"), args=[result.pk]))
    return redirect_to(request, detail_url)


def _done_message(document: Document, action: str) -> str:
    if action in (Action.SUBMIT, Action.COMPLETE) and document.status == Status.IN_REVIEW:
        return _("%(document)s was sent for approval.") % {"document": document}
    return _("%(document)s now has the status “%(status)s”.") % {
        "document": document,
        "status": document.get_status_display(),
    }


# --- create and edit --------------------------------------------------------------------------------


def _initial_header(request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    company = Company.objects.select_related("currency").first()
    organization = getattr(request, "organization", None)
    return {
        "document_date": today,
        "accounting_date": today,
        "currency": company.currency_id if company else None,
        "organization": organization.pk if organization else None,
        "exchange_rate": 1,
    }


def _organizations(user):
    return Organization.objects.for_user(user).active().order_by("name")


def _restrict_organizations(form: forms.ModelForm, user) -> None:
    """The organizations the form offers, and what it offers of theirs: a header form may
    define ``restrict_to_organizations(organizations)`` for its other choices."""
    organizations = _organizations(user)
    if "organization" in form.fields:
        form.fields["organization"].queryset = organizations
    restrict = getattr(form, "restrict_to_organizations", None)
    if restrict is not None:
        restrict(organizations)


def _apply_row_operation(request: HttpRequest, formset: forms.BaseInlineFormSet) -> forms.BaseInlineFormSet | None:
    """``_op=add`` adds an empty row, ``_op=remove-<i>`` marks row i deleted: the form is re-rendered unsaved."""
    op = request.POST.get("_op", "")
    if not op:
        return None
    data = request.POST.copy()
    prefix = formset.prefix
    total = int(data.get(f"{prefix}-TOTAL_FORMS", "0") or 0)
    if op == "add":
        data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    elif op.startswith("remove-") and op[7:].isdigit():
        data[f"{prefix}-{int(op[7:])}-DELETE"] = "on"
    data.pop("_op", None)
    return type(formset)(data, instance=formset.instance, prefix=prefix, organizations=formset.organizations)


def _form_response(request, screens, form, formset, *, document=None, title: str) -> HttpResponse:
    partial = "#form" if is_htmx_fragment(request) and request.method == "POST" else ""
    cancel = (
        reverse(screens.url_name("detail"), args=[document.pk])
        if document and document.pk
        else reverse(screens.url_name("list"))
    )
    context = {
        "title": title,
        "form": form,
        "formset": formset,
        "screens": screens,
        "document": document,
        "cancel_url": cancel,
        "totals_url": reverse(screens.url_name("totals")),
        "totals_template": screens.totals_template,
        "form_extra_template": screens.form_extra_template,
        **(screens.preview_totals(form, formset) if screens.preview_totals else {}),
        **(screens.extra_form_context() if screens.extra_form_context else {}),
    }
    return TemplateResponse(request, screens.form_template + partial, context)


@transaction.atomic
def _save(form: forms.ModelForm, formset: forms.BaseInlineFormSet, *, by, expected_version: int | None) -> Document:
    document = form.instance
    if document.pk:
        current = type(document).objects.select_for_update().get(pk=document.pk)
        if not current.is_editable:
            raise DomainError(_("Only drafts can be edited."))
        if expected_version is not None and current.version != expected_version:
            raise ConcurrentModification(
                _("Someone else changed this document while you were editing it. Reload the page and try again.")
            )
        document.version = current.version + 1
    else:
        document.created_by = by
    document.updated_by = by
    document._history_user = by
    document.save()
    formset.instance = document
    formset.save()
    effects_for(document).recompute_totals(document)
    # Business rules on saving: they may block (DomainError, shown on the form), set fields or warn.
    document.rule_warnings = hooks.run_rules(document, trigger=hooks.BEFORE_SAVE, by=by)
    document.save()
    return document


def _edit(request: HttpRequest, *, screens: DocumentScreens, document: Document | None) -> HttpResponse:
    is_new = document is None
    instance = document or screens.model()
    title = screens.title_new if is_new else _("Edit %(document)s") % {"document": document}
    organizations = _organizations(request.user)
    if request.method == "POST":
        form = screens.header_form(request.POST, instance=instance)
        formset = screens.line_formset(request.POST, instance=instance, prefix="lines", organizations=organizations)
    else:
        form = screens.header_form(instance=instance, initial=_initial_header(request) if is_new else None)
        formset = screens.line_formset(instance=instance, prefix="lines", organizations=organizations)
    _restrict_organizations(form, request.user)
    if request.method == "POST":
        rebuilt = _apply_row_operation(request, formset)
        if rebuilt is not None:
            return _form_response(request, screens, form, rebuilt, document=document, title=title)
        if form.is_valid() and formset.is_valid():
            version = request.POST.get("version")
            try:
                saved = _save(
                    form,
                    formset,
                    by=request.user,
                    expected_version=int(version) if version and version.isdigit() else None,
                )
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, _("%(document)s saved.") % {"document": saved})
                for warning in saved.rule_warnings:
                    messages.warning(request, warning)
                return redirect_to(request, reverse(screens.url_name("detail"), args=[saved.pk]))
    return _form_response(request, screens, form, formset, document=document, title=title)


def document_create(request: HttpRequest, *, screens: DocumentScreens) -> HttpResponse:
    return _edit(request, screens=screens, document=None)


def document_update(request: HttpRequest, pk: int, *, screens: DocumentScreens) -> HttpResponse:
    document = get_object_or_404(screens.queryset(request.user), pk=pk)
    if not document.is_editable:
        messages.error(request, _("%(document)s is no longer a draft and cannot be edited.") % {"document": document})
        return redirect_to(request, reverse(screens.url_name("detail"), args=[document.pk]))
    return _edit(request, screens=screens, document=document)


def document_totals(request: HttpRequest, *, screens: DocumentScreens) -> HttpResponse:
    """Totals of the form as it is on screen, unsaved (hx-post on every change of a line)."""
    form = screens.header_form(request.POST, instance=screens.model())
    formset = screens.line_formset(request.POST, instance=screens.model(), prefix="lines")
    context = screens.preview_totals(form, formset) if screens.preview_totals else {}
    return TemplateResponse(request, screens.totals_template, context)


# --- PDF ---------------------------------------------------------------------------------------------


def render_pdf(template: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    from erp.core.pdf import html_to_pdf

    html = render_to_string(template, context, request=request)
    # Relative references (a logo, fonts) resolve from static/ on disk, never over HTTP.
    return html_to_pdf(html, base_url=f"{settings.BASE_DIR / 'static'}/")


def document_pdf(request: HttpRequest, pk: int, *, screens: DocumentScreens) -> HttpResponse:
    document = get_object_or_404(screens.queryset(request.user), pk=pk)
    context = _detail_context(request, document, screens)
    context["company"] = Company.objects.select_related("currency").first()
    pdf = render_pdf(screens.pdf_template, context, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = (document.number or f"draft-{document.pk}").replace("/", "-")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}.pdf"'
    return response
