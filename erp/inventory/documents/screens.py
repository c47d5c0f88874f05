"""The inventory documents' screens: the generic document screens configured per type, plus
the count sheet's "fill from stock" and the transfer's "receive" actions."""

from __future__ import annotations

from datetime import date

import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from erp.core.decorators import permission_required
from erp.core.documents.filters import DocumentFilterSet
from erp.core.documents.screens import DocumentScreens
from erp.core.documents.tables import DocumentTable, NumericColumn
from erp.core.exceptions import DomainError
from erp.core.web import redirect_to
from erp.finance.posting import entries_for
from erp.inventory.documents import effects, forms
from erp.inventory.filters import WarehouseCodeFilter
from erp.inventory.models import (
    GoodsIssue,
    GoodsReceipt,
    InternalTransfer,
    PhysicalCount,
    Scrap,
    StockAdjustment,
    StockMove,
)


class Label:
    """A translated label usable as a dict key: hashed by identity, so the key found at the
    lookup is the same in every language (a lazy string hashes as its current translation)."""

    def __init__(self, text) -> None:
        self.text = text

    def __str__(self) -> str:
        return str(self.text)


VALUE_TOTAL = {Label(gettext_lazy("Value")): Sum("total_gross_company")}


class StockDocumentTable(DocumentTable):
    warehouse = tables.Column(verbose_name=gettext_lazy("Warehouse"), accessor="warehouse__code")
    description = tables.Column(verbose_name=gettext_lazy("Description"))
    total_gross_company = NumericColumn(verbose_name=gettext_lazy("Value"))

    class Meta(DocumentTable.Meta):
        fields = (
            "number",
            "document_date",
            "warehouse",
            "description",
            "organization",
            "status",
            "total_gross_company",
        )
        sequence = fields


class StockDocumentFilterSet(DocumentFilterSet):
    warehouse = WarehouseCodeFilter()
    product = django_filters.CharFilter(label=gettext_lazy("Product (SKU)"), method="filter_product")

    search_fields = ("number", "description", "external_reference", "notes")

    def filter_product(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(lines__product__sku__iexact=value.strip()).distinct()


def _table(model):
    return type(
        f"{model.__name__}Table",
        (StockDocumentTable,),
        {"Meta": type("Meta", (StockDocumentTable.Meta,), {"model": model})},
    )


def _filterset(model):
    meta = type(
        "Meta",
        (),
        {"model": model, "fields": ["q", "status", "date_from", "date_to", "warehouse", "organization", "product"]},
    )
    return type(f"{model.__name__}FilterSet", (StockDocumentFilterSet,), {"Meta": meta})


def detail_context(document) -> dict:
    moves = list(
        StockMove.objects.filter(source_type=ContentType.objects.get_for_model(document), source_id=document.pk)
        .select_related("product", "lot", "from_location", "to_location")
        .order_by("date", "id")
    )
    context = {
        "moves": moves,
        "journal_entries": list(entries_for(document)),
        "line_columns": LINE_COLUMNS[type(document)],
        "today": timezone.localdate(),
    }
    if isinstance(document, InternalTransfer):
        context["receive_url"] = reverse("inventory:internaltransfer-receive", args=[document.pk])
        context["awaiting_arrival"] = (
            document.status == "completed" and document.crosses_warehouses and document.received_on is None
        )
    if isinstance(document, PhysicalCount):
        context["fill_url"] = reverse("inventory:physicalcount-fill", args=[document.pk])
    return context


def form_context() -> dict:
    return {"suggested_products": forms.products_suggested()}


# (label, attribute, numeric) per line column on the detail page and in the PDF.
_PRODUCT = (gettext_lazy("Product"), "product", False)
_QUANTITY = (gettext_lazy("Quantity"), "quantity", True)
_UNIT = (gettext_lazy("Unit"), "uom", False)
_LOT = (gettext_lazy("Lot / serials"), "lot_number", False)
LINE_COLUMNS = {
    GoodsReceipt: [
        _PRODUCT,
        _QUANTITY,
        _UNIT,
        (gettext_lazy("Unit cost"), "unit_cost", True),
        _LOT,
        (gettext_lazy("To"), "location", False),
    ],
    GoodsIssue: [_PRODUCT, _QUANTITY, _UNIT, _LOT, (gettext_lazy("From"), "location", False)],
    InternalTransfer: [
        _PRODUCT,
        _QUANTITY,
        _UNIT,
        _LOT,
        (gettext_lazy("From"), "from_location", False),
        (gettext_lazy("To"), "to_location", False),
    ],
    StockAdjustment: [
        _PRODUCT,
        (gettext_lazy("Change"), "quantity", True),
        _UNIT,
        (gettext_lazy("Unit cost"), "unit_cost", True),
        _LOT,
        (gettext_lazy("Location"), "location", False),
    ],
    PhysicalCount: [
        _PRODUCT,
        (gettext_lazy("Location"), "location", False),
        (gettext_lazy("Lot / serial"), "lot_number", False),
        (gettext_lazy("On hand (sheet)"), "expected_quantity", True),
        (gettext_lazy("Counted"), "counted_quantity", True),
        (gettext_lazy("Difference posted"), "difference", True),
    ],
    Scrap: [_PRODUCT, _QUANTITY, _UNIT, _LOT, (gettext_lazy("From"), "location", False)],
}


def _screens(model, *, slug: str, header_form, line_formset, title_plural, title_new):
    related = {
        GoodsReceipt: ("location",),
        GoodsIssue: ("location",),
        InternalTransfer: ("from_location", "to_location"),
        StockAdjustment: ("location",),
        PhysicalCount: ("location",),
        Scrap: ("location",),
    }[model]
    return DocumentScreens(
        model=model,
        namespace="inventory",
        slug=slug,
        header_form=header_form,
        line_formset=line_formset,
        table=_table(model),
        filterset=_filterset(model),
        title_plural=title_plural,
        title_new=title_new,
        list_select_related=("warehouse",),
        line_select_related=("product", *related)
        if model is PhysicalCount
        else ("product", "product__base_uom", "uom", *related),
        detail_template="inventory/documents/detail.html",
        pdf_template="inventory/pdf/stock_document.html",
        lines_template="inventory/documents/_lines.html",
        totals_template="inventory/documents/_totals.html",
        form_extra_template="inventory/documents/_form_extra.html",
        preview_totals=forms.receipt_preview if model is GoodsReceipt else None,
        list_totals=VALUE_TOTAL,
        extra_detail_context=detail_context,
        extra_form_context=form_context,
    )


ALL_SCREENS = (
    RECEIPT_SCREENS,
    ISSUE_SCREENS,
    TRANSFER_SCREENS,
    ADJUSTMENT_SCREENS,
    COUNT_SCREENS,
    SCRAP_SCREENS,
) = tuple(
    _screens(model, slug=slug, header_form=header, line_formset=lines, title_plural=plural, title_new=new)
    for model, slug, header, lines, plural, new in (
        (
            GoodsReceipt,
            "receipts",
            forms.GoodsReceiptForm,
            forms.GoodsReceiptLineFormSet,
            gettext_lazy("Goods receipts"),
            gettext_lazy("New goods receipt"),
        ),
        (
            GoodsIssue,
            "issues",
            forms.GoodsIssueForm,
            forms.GoodsIssueLineFormSet,
            gettext_lazy("Goods issues"),
            gettext_lazy("New goods issue"),
        ),
        (
            InternalTransfer,
            "transfers",
            forms.InternalTransferForm,
            forms.InternalTransferLineFormSet,
            gettext_lazy("Internal transfers"),
            gettext_lazy("New internal transfer"),
        ),
        (
            StockAdjustment,
            "adjustments",
            forms.StockAdjustmentForm,
            forms.StockAdjustmentLineFormSet,
            gettext_lazy("Stock adjustments"),
            gettext_lazy("New stock adjustment"),
        ),
        (
            PhysicalCount,
            "counts",
            forms.PhysicalCountForm,
            forms.CountLineFormSet,
            gettext_lazy("Physical counts"),
            gettext_lazy("New physical count"),
        ),
        (Scrap, "scrap", forms.ScrapForm, forms.ScrapLineFormSet, gettext_lazy("Scrap"), gettext_lazy("New scrap")),
    )
)


@require_POST
@permission_required("inventory.change_physicalcount")
def count_fill(request: HttpRequest, pk: int) -> HttpResponse:
    count = get_object_or_404(COUNT_SCREENS.queryset(request.user), pk=pk)
    try:
        lines = effects.count_sheet_fill(document=count, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The count sheet lists %(count)d stock positions.") % {"count": lines})
    return redirect_to(request, reverse("inventory:physicalcount-detail", args=[count.pk]))


@require_POST
@permission_required("inventory.receive_internaltransfer")
def transfer_receive(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_object_or_404(TRANSFER_SCREENS.queryset(request.user), pk=pk)
    detail = reverse("inventory:internaltransfer-detail", args=[transfer.pk])
    try:
        on = date.fromisoformat(request.POST.get("on_date") or timezone.localdate().isoformat())
    except ValueError:
        messages.error(request, _("Please enter a valid date."))
        return redirect_to(request, detail)
    try:
        effects.transfer_receive(document=transfer, by=request.user, on=on)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(document)s received.") % {"document": transfer})
    return redirect_to(request, detail)


def urls() -> list:
    patterns = [url for screens in ALL_SCREENS for url in screens.urls()]
    patterns += [
        path("counts/<int:pk>/fill/", count_fill, name="physicalcount-fill"),
        path("transfers/<int:pk>/receive/", transfer_receive, name="internaltransfer-receive"),
    ]
    return patterns
