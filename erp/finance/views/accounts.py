"""The chart of accounts: tree and list, detail, create/edit, (de)activate, delete, import and export."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.core.decorators import permission_required
from erp.core.exceptions import DomainError
from erp.core.imports import import_page
from erp.core.listing import list_page
from erp.core.models import BusinessEvent
from erp.core.web import form_error, redirect_to, render_form
from erp.finance import charts, services
from erp.finance.filters import AccountFilter
from erp.finance.forms import AccountForm, ChartLoadForm, DeleteForm
from erp.finance.models import Account
from erp.finance.tables import AccountTable


def _tree(accounts: list[Account]) -> list[dict]:
    by_parent: dict[int | None, list[Account]] = {}
    ids = {a.pk for a in accounts}
    for account in accounts:
        parent = account.parent_id if account.parent_id in ids else None
        by_parent.setdefault(parent, []).append(account)

    def build(parent_id: int | None) -> list[dict]:
        return [{"node": a, "children": build(a.pk)} for a in by_parent.get(parent_id, [])]

    return build(None)


@permission_required("finance.view_account")
def account_list(request: HttpRequest) -> HttpResponse:
    queryset = Account.objects.select_related("parent")
    filterset = AccountFilter(request.GET, queryset=queryset)
    show_tree = not any(value for key, value in request.GET.items() if key not in ("page", "sort"))
    accounts = list(queryset.order_by("code")) if show_tree else None
    user = request.user
    can_add = user.has_perm("finance.add_account")
    return list_page(
        request,
        filterset=filterset,
        table_class=AccountTable,
        title=_("Chart of accounts"),
        export_name="accounts",
        template="finance/account_list.html",
        context={
            "tree": _tree(accounts) if accounts else None,
            "chart_empty": show_tree and not accounts,
            "create_url": reverse("finance:account-create") if can_add else None,
            "create_label": _("New account"),
            "can_import": can_add and user.has_perm("finance.change_account"),
            "load_form": ChartLoadForm() if can_add and show_tree and not accounts else None,
        },
    )


@permission_required("finance.view_account")
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("parent", "currency", "created_by", "updated_by"), pk=pk)
    children = list(account.children.order_by("code"))
    tax_codes = list(account.tax_codes.order_by("code"))
    usage = account.usage()
    history = account.history.select_related("history_user").order_by("-history_date")[:20]
    events = BusinessEvent.objects.filter(
        aggregate_type="finance.account", aggregate_id=str(account.pk)
    ).select_related("actor")[:20]
    return TemplateResponse(
        request,
        "finance/account_detail.html",
        {
            "title": str(account),
            "account": account,
            "children": children,
            "tax_codes": tax_codes,
            "usage": usage,
            "deletion_refusal": services.account_deletion_refusal(account, has_children=bool(children), usage=usage),
            "delete_form": DeleteForm(),
            "history": history,
            "events": events,
        },
    )


def _account_fields(form: AccountForm) -> dict:
    data = form.cleaned_data
    return {
        "code": data["code"],
        "name": data["name"],
        "parent": data["parent"],
        "account_type": data["account_type"],
        "role": data["role"] or "",
        "is_group": data["is_group"],
        "reconcilable": data["reconcilable"],
        "currency": data["currency"],
        "description": data["description"],
    }


@permission_required("finance.add_account")
def account_create(request: HttpRequest) -> HttpResponse:
    initial = None
    if request.method == "GET" and request.GET.get("parent", "").isdecimal():
        parent = Account.objects.groups().filter(pk=request.GET["parent"]).first()
        if parent is not None:
            initial = {"parent": parent.pk, "account_type": parent.account_type}
    form = AccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_create(**_account_fields(form), by=request.user)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Account %(account)s created.") % {"account": account})
            return redirect_to(request, account.get_absolute_url())
    return render_form(request, form=form, title=_("New account"), cancel_url=reverse("finance:account-list"))


@permission_required("finance.change_account")
def account_update(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    form = AccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_update(
                account=account,
                expected_version=form.cleaned_data["version"] or account.version,
                **_account_fields(form),
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Account %(account)s saved.") % {"account": account})
            return redirect_to(request, account.get_absolute_url())
    return render_form(
        request, form=form, title=_("Edit %(account)s") % {"account": account}, cancel_url=account.get_absolute_url()
    )


@require_POST
@permission_required("finance.change_account")
def account_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    activate = request.POST.get("is_active") == "1"
    try:
        services.account_set_active(account=account, is_active=activate, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            (_("%(account)s reactivated.") if activate else _("%(account)s deactivated.")) % {"account": account},
        )
    return redirect_to(request, account.get_absolute_url())


@require_POST
@permission_required("finance.delete_account")
def account_delete(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    form = DeleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason for the deletion."))
        return redirect_to(request, account.get_absolute_url())
    try:
        services.account_delete(account=account, by=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect_to(request, account.get_absolute_url())
    messages.success(request, _("Account %(account)s deleted.") % {"account": account})
    return redirect_to(request, reverse("finance:account-list"))


@permission_required("finance.add_account", "finance.change_account")
def account_import(request: HttpRequest) -> HttpResponse:
    return import_page(
        request,
        title=_("Import accounts"),
        planner=charts.accounts_plan,
        applier=lambda plan: charts.accounts_import(plan=plan, by=request.user),
        done_url=reverse("finance:account-list"),
        cancel_url=reverse("finance:account-list"),
        columns_help=charts.COLUMNS_HELP,
        example=charts.EXAMPLE,
        success_message=_("Accounts imported."),
    )


@permission_required("finance.view_account")
def account_export(request: HttpRequest) -> HttpResponse:
    """The whole chart in the import format, to edit and import again or to load elsewhere."""
    accounts = Account.objects.select_related("parent").order_by("code")
    response = HttpResponse(charts.accounts_export_csv(accounts), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="chart-of-accounts-{stamp}.csv"'
    return response


@require_POST
@permission_required("finance.add_account")
def chart_load(request: HttpRequest) -> HttpResponse:
    form = ChartLoadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a template."))
    else:
        try:
            with transaction.atomic():
                created = charts.chart_load(template=form.cleaned_data["chart"], by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(count)d accounts loaded.") % {"count": created})
    return redirect_to(request, reverse("finance:account-list"))
