"""Inventory screens besides the documents: warehouses, locations, lots and their traceability,
reorder rules and replenishment, and the stock reports."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.core.decorators import permission_required
from erp.core.exceptions import DomainError
from erp.core.listing import list_page
from erp.core.services import soft_delete
from erp.core.web import form_error, redirect_to, render_form
from erp.finance import selectors as ledger
from erp.inventory import checks, filters, selectors, services, tables
from erp.inventory.forms import LocationForm, ReorderRuleForm, WarehouseForm
from erp.inventory.models import Location, ProductValuation, Quant, ReorderRule, StockMove, ValuationEntry

ZERO = Decimal("0")


def _create_context(request: HttpRequest, permission: str, url_name: str, label: str) -> dict:
    return {"create_url": reverse(url_name) if request.user.has_perm(permission) else None, "create_label": label}


# --- warehouses -----------------------------------------------------------------------------------


@permission_required("inventory.view_warehouse")
def warehouse_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.warehouses_for(request.user).select_related("organization")
    return list_page(
        request,
        filterset=filters.WarehouseFilter(request.GET, queryset=queryset, request=request),
        table_class=tables.WarehouseTable,
        title=_("Warehouses"),
        export_name="warehouses",
        context=_create_context(request, "inventory.add_warehouse", "inventory:warehouse-create", _("New warehouse")),
    )


@permission_required("inventory.add_warehouse")
def warehouse_create(request: HttpRequest) -> HttpResponse:
    form = WarehouseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            warehouse = services.warehouse_create(
                organization=data["organization"],
                code=data["code"],
                name=data["name"],
                allow_negative_stock=data["allow_negative_stock"],
                address=data["address"],
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Warehouse %(code)s created with its locations.") % {"code": warehouse.code})
            return redirect_to(request, warehouse.get_absolute_url())
    return render_form(request, form=form, title=_("New warehouse"), cancel_url=reverse("inventory:warehouse-list"))


@permission_required("inventory.view_warehouse")
def warehouse_detail(request: HttpRequest, pk: int) -> HttpResponse:
    warehouse = get_object_or_404(
        selectors.warehouses_for(request.user).select_related("organization", "created_by"), pk=pk
    )
    locations = (
        Location.objects.filter(warehouse=warehouse)
        .annotate(on_hand=Sum("quants__quantity"), positions=Count("quants", filter=~Q(quants__quantity=0)))
        .order_by("full_name")
    )
    totals = ProductValuation.objects.filter(warehouse=warehouse).aggregate(
        value=Sum("value"), products=Count("pk", filter=~Q(quantity=0))
    )
    return TemplateResponse(
        request,
        "inventory/warehouse_detail.html",
        {
            "title": str(warehouse),
            "warehouse": warehouse,
            "locations": locations,
            "stock_value": totals["value"] or ZERO,
            "products": totals["products"],
            "can_edit": request.user.has_perm("inventory.change_warehouse"),
        },
    )


@permission_required("inventory.change_warehouse")
def warehouse_update(request: HttpRequest, pk: int) -> HttpResponse:
    warehouse = get_object_or_404(selectors.warehouses_for(request.user), pk=pk)
    form = WarehouseForm(request.POST or None, user=request.user, instance=warehouse)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            warehouse = services.warehouse_update(
                warehouse=warehouse,
                expected_version=data["version"] or warehouse.version,
                name=data["name"],
                allow_negative_stock=data["allow_negative_stock"],
                address=data["address"],
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Warehouse %(code)s saved.") % {"code": warehouse.code})
            return redirect_to(request, warehouse.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("Warehouse %(code)s") % {"code": warehouse.code},
        cancel_url=warehouse.get_absolute_url(),
    )


# --- locations ----------------------------------------------------------------------------------------


@permission_required("inventory.view_location")
def location_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.locations_for(request.user).select_related("warehouse", "account")
    return list_page(
        request,
        filterset=filters.LocationFilter(request.GET, queryset=queryset, request=request),
        table_class=tables.LocationTable,
        title=_("Locations"),
        export_name="locations",
        context=_create_context(request, "inventory.add_location", "inventory:location-create", _("New location")),
    )


@permission_required("inventory.add_location")
def location_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("parent", "").isdigit():
        parent = Location.objects.filter(pk=request.GET["parent"]).first()
        if parent is not None:
            initial = {"parent": parent.pk, "warehouse": parent.warehouse_id}
    form = LocationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            location = services.location_create(
                warehouse=data["warehouse"],
                parent=data["parent"],
                code=data["code"],
                name=data["name"],
                location_type=data["location_type"],
                account=data["account"],
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Location %(location)s created.") % {"location": location})
            return redirect_to(request, location.get_absolute_url())
    return render_form(request, form=form, title=_("New location"), cancel_url=reverse("inventory:location-list"))


@permission_required("inventory.view_location")
def location_detail(request: HttpRequest, pk: int) -> HttpResponse:
    location = get_object_or_404(
        selectors.locations_for(request.user).select_related("warehouse", "parent", "account"), pk=pk
    )
    quants = (
        Quant.objects.filter(location=location)
        .exclude(quantity=0, reserved=0)
        .select_related("product", "product__base_uom", "lot")
        .order_by("product__sku", "lot__name")[:200]
    )
    moves = (
        StockMove.objects.filter(Q(from_location=location) | Q(to_location=location))
        .select_related("product", "lot", "from_location", "to_location", "source_type")
        .order_by("-date", "-id")[:50]
    )
    return TemplateResponse(
        request,
        "inventory/location_detail.html",
        {
            "title": str(location),
            "location": location,
            "children": Location.objects.filter(parent=location).order_by("full_name"),
            "quants": quants,
            "moves": [(move, tables.document_url(move)) for move in moves],
            "can_edit": request.user.has_perm("inventory.change_location"),
        },
    )


@permission_required("inventory.change_location")
def location_update(request: HttpRequest, pk: int) -> HttpResponse:
    location = get_object_or_404(selectors.locations_for(request.user).select_related("warehouse"), pk=pk)
    form = LocationForm(request.POST or None, user=request.user, instance=location)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            location = services.location_update(
                location=location,
                expected_version=data["version"] or location.version,
                code=data["code"],
                name=data["name"],
                parent=data["parent"],
                account=data["account"],
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Location %(location)s saved.") % {"location": location})
            return redirect_to(request, location.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("Location %(location)s") % {"location": location},
        cancel_url=location.get_absolute_url(),
    )


@require_POST
@permission_required("inventory.change_location")
def location_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    location = get_object_or_404(selectors.locations_for(request.user), pk=pk)
    activate = request.POST.get("is_active") == "1"
    try:
        services.location_set_active(location=location, is_active=activate, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        text = _("%(location)s reactivated.") if activate else _("%(location)s deactivated.")
        messages.success(request, text % {"location": location})
    return redirect_to(request, location.get_absolute_url())


# --- lots and traceability ----------------------------------------------------------------------------


@permission_required("inventory.view_lot")
def lot_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        filterset=filters.LotFilter(request.GET, queryset=selectors.lots_for(request.user), request=request),
        table_class=tables.LotTable,
        title=_("Lot and serial numbers"),
        export_name="lots",
    )


@permission_required("inventory.view_lot")
def lot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from erp.inventory.models import Lot

    lot = get_object_or_404(Lot.objects.select_related("product", "product__base_uom", "created_by"), pk=pk)
    trace = selectors.trace(lot=lot)
    moves = [(move, tables.document_url(move)) for move in trace.moves]
    return TemplateResponse(
        request,
        "inventory/lot_detail.html",
        {"title": str(lot), "lot": lot, "trace": trace, "moves": moves},
    )


# --- reorder rules and replenishment ------------------------------------------------------------------


@permission_required("inventory.view_reorderrule")
def reorderrule_list(request: HttpRequest) -> HttpResponse:
    queryset = ReorderRule.objects.for_user(request.user).select_related("product", "warehouse")
    return list_page(
        request,
        filterset=filters.ReorderRuleFilter(request.GET, queryset=queryset, request=request),
        table_class=tables.ReorderRuleTable,
        title=_("Reorder rules"),
        export_name="reorder-rules",
        context=_create_context(
            request, "inventory.add_reorderrule", "inventory:reorderrule-create", _("New reorder rule")
        ),
    )


@permission_required("inventory.add_reorderrule")
def reorderrule_create(request: HttpRequest) -> HttpResponse:
    form = ReorderRuleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reorder_rule_create(
                product=data["product"],
                warehouse=data["warehouse"],
                min_quantity=data["min_quantity"],
                max_quantity=data["max_quantity"],
                multiple=data["multiple"],
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Reorder rule saved."))
            return redirect_to(request, reverse("inventory:reorderrule-list"))
    return render_form(
        request, form=form, title=_("New reorder rule"), cancel_url=reverse("inventory:reorderrule-list")
    )


@permission_required("inventory.change_reorderrule")
def reorderrule_update(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(ReorderRule.objects.for_user(request.user).select_related("product", "warehouse"), pk=pk)
    form = ReorderRuleForm(request.POST or None, user=request.user, instance=rule)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reorder_rule_update(
                rule=rule,
                expected_version=data["version"] or rule.version,
                min_quantity=data["min_quantity"],
                max_quantity=data["max_quantity"],
                multiple=data["multiple"],
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Reorder rule saved."))
            return redirect_to(request, reverse("inventory:reorderrule-list"))
    return render_form(
        request,
        form=form,
        title=_("Reorder rule: %(rule)s") % {"rule": rule},
        cancel_url=reverse("inventory:reorderrule-list"),
        template="inventory/reorderrule_form.html",
        context={"rule": rule, "can_delete": request.user.has_perm("inventory.delete_reorderrule")},
    )


@require_POST
@permission_required("inventory.delete_reorderrule")
def reorderrule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(ReorderRule.objects.for_user(request.user), pk=pk)
    soft_delete(instance=rule, by=request.user, reason=_("Reorder rule removed"))
    messages.success(request, _("Reorder rule removed."))
    return redirect_to(request, reverse("inventory:reorderrule-list"))


@permission_required("inventory.view_reorderrule")
def replenishment(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("below_minimum", "true")
    return list_page(
        request,
        filterset=filters.ReplenishmentFilter(
            data, queryset=selectors.replenishment(user=request.user), request=request
        ),
        table_class=tables.ReplenishmentTable,
        title=_("Replenishment"),
        export_name="replenishment",
    )


# --- reports ----------------------------------------------------------------------------------------


@permission_required("inventory.view_quant")
def stock_on_hand(request: HttpRequest) -> HttpResponse:
    filterset = filters.StockFilter(request.GET, queryset=selectors.stock_on_hand(request.user), request=request)
    totals = filterset.qs.aggregate(rows=Count("pk"), value=Sum("stock_value"))
    return list_page(
        request,
        filterset=filterset,
        table_class=tables.StockTable,
        title=_("Stock on hand"),
        export_name="stock-on-hand",
        context={"list_totals": [(_("Value"), totals["value"] or ZERO)]},
        row_count=totals["rows"],
    )


@permission_required("inventory.view_stockmove")
def movement_history(request: HttpRequest) -> HttpResponse:
    filterset = filters.MovementFilter(request.GET, queryset=StockMove.objects.none(), request=request)
    product = filterset.product_found
    context = {"product": product, "product_missing": bool(request.GET.get("product")) and product is None}
    if product is not None:
        warehouse = filterset.warehouse_found
        context["opening"] = selectors.opening_balance(
            product_id=product.pk,
            warehouse_id=warehouse.pk if warehouse else None,
            before=filterset.form.cleaned_data.get("date_from"),
        )
    return list_page(
        request,
        filterset=filterset,
        table_class=tables.MovementTable,
        title=_("Stock movements"),
        export_name="stock-movements",
        template="inventory/movement_report.html",
        context=context,
    )


@permission_required("inventory.view_valuationentry")
def valuation_report(request: HttpRequest) -> HttpResponse:
    filterset = filters.ValuationFilter(request.GET, queryset=ValuationEntry.objects.none(), request=request)
    day = filterset.day
    totals = filterset.qs.aggregate(rows=Count("product_id"), total=Sum("value"))
    total = totals["total"] or ZERO
    context = {"day": day, "list_totals": [(_("Value"), total)]}
    if not filterset.warehouse_code:
        accounts = checks.inventory_account_ids()
        balances = ledger.movements(date_from=None, date_to=day)
        context["ledger_balance"] = sum(
            (debit - credit for account, (debit, credit) in balances.items() if account in accounts), ZERO
        )
        context["stock_total"] = total
    return list_page(
        request,
        filterset=filterset,
        table_class=tables.ValuationTable,
        title=_("Inventory valuation"),
        export_name="inventory-valuation",
        template="inventory/valuation_report.html",
        context=context,
        row_count=totals["rows"],
    )


@permission_required("inventory.view_productvaluation")
def slow_moving(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("days", "90")
    filterset = filters.SlowMovingFilter(data, queryset=ProductValuation.objects.none(), request=request)
    totals = filterset.qs.aggregate(rows=Count("pk"), value=Sum("value"))
    return list_page(
        request,
        filterset=filterset,
        table_class=tables.SlowMovingTable,
        title=_("Slow-moving items"),
        export_name="slow-moving",
        context={"list_totals": [(_("Value"), totals["value"] or ZERO)]},
        row_count=totals["rows"],
    )
