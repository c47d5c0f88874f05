"""The purchasing actions beyond the generic document screens: order a requisition's open lines
or ask vendors for quotations; invite and remove vendors, enter their replies and award a request
for quotation; cancel the remainder of an order; requisitions from the replenishment
suggestions. Each POST is one service call."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.catalog.models import Tracking
from erp.core.decorators import permission_required
from erp.core.exceptions import DomainError
from erp.core.web import form_error, post_action, redirect_to, render_form
from erp.inventory import selectors as stock_selectors
from erp.inventory.models import GoodsReceipt, Warehouse
from erp.purchasing import billing, credits, returns, services
from erp.purchasing.forms import (
    BillForm,
    PurchasingSettingsForm,
    ReasonForm,
    ReceiveForm,
    ReplyForm,
    ReturnCreditForm,
    ReturnForm,
    SendForm,
    VendorForm,
    vendors,
)
from erp.purchasing.models import PurchaseOrder, PurchaseRequisition, RequestForQuotation
from erp.purchasing.screens import PURCHASE_ORDER_SCREENS, REQUISITION_SCREENS, RFQ_SCREENS
from erp.purchasing.selectors import purchasing_settings


def _requisition(request: HttpRequest, pk: int) -> PurchaseRequisition:
    return get_object_or_404(REQUISITION_SCREENS.queryset(request.user), pk=pk)


def _rfq(request: HttpRequest, pk: int) -> RequestForQuotation:
    return get_object_or_404(RFQ_SCREENS.queryset(request.user), pk=pk)


def _order(request: HttpRequest, pk: int) -> PurchaseOrder:
    return get_object_or_404(PURCHASE_ORDER_SCREENS.queryset(request.user), pk=pk)


def _refused(request: HttpRequest, error: DomainError, url: str) -> HttpResponse:
    messages.error(request, error.message)
    return redirect_to(request, url)


def _ids(request: HttpRequest, name: str) -> list[int]:
    return [int(value) for value in request.POST.getlist(name) if value.isdigit()]


# --- requisitions -----------------------------------------------------------------------------------


@require_POST
@permission_required("purchasing.view_purchaserequisition", "purchasing.add_purchaseorder")
def requisition_order(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft orders for the ticked open lines (all open lines when none is ticked)."""
    requisition = _requisition(request, pk)
    try:
        orders = services.requisition_order(
            requisition=requisition, by=request.user, line_ids=_ids(request, "lines") or None
        )
    except DomainError as error:
        return _refused(request, error, requisition.get_absolute_url())
    messages.success(
        request,
        _("%(count)d purchase order draft(s) created: check them and submit them.") % {"count": len(orders)},
    )
    if len(orders) == 1:
        return redirect_to(request, orders[0].get_absolute_url())
    return redirect_to(request, requisition.get_absolute_url())


@require_POST
@permission_required("purchasing.view_purchaserequisition", "purchasing.add_requestforquotation")
def requisition_quote(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft request for quotation of the ticked open lines to the chosen vendors (the lines'
    suggested vendors when none is chosen)."""
    requisition = _requisition(request, pk)
    chosen = list(vendors().filter(pk__in=_ids(request, "vendors")))
    try:
        rfq = services.requisition_request_quotes(
            requisition=requisition, vendors=chosen, by=request.user, line_ids=_ids(request, "lines") or None
        )
    except DomainError as error:
        return _refused(request, error, requisition.get_absolute_url())
    messages.success(request, _("Request for quotation draft created: invite vendors and send it."))
    return redirect_to(request, rfq.get_absolute_url())


@permission_required("inventory.view_reorderrule", "purchasing.add_purchaserequisition")
def requisition_from_replenishment(request: HttpRequest) -> HttpResponse:
    """The reorder rules whose forecast is below their minimum, with what to order; POST: draft
    requisitions for them."""
    rules = stock_selectors.replenishment(user=request.user)
    suggestions = [(rule, stock_selectors.suggested_quantity(rule)) for rule in rules]
    suggestions = [(rule, quantity) for rule, quantity in suggestions if quantity > 0]
    if request.method == "POST":
        try:
            made = services.requisitions_from_replenishment(suggestions=suggestions, by=request.user)
        except DomainError as error:
            return _refused(request, error, reverse("purchasing:purchaserequisition-replenish"))
        messages.success(
            request, _("%(count)d requisition draft(s) created from the reorder rules.") % {"count": len(made)}
        )
        if len(made) == 1:
            return redirect_to(request, made[0].get_absolute_url())
        return redirect_to(request, reverse("purchasing:purchaserequisition-list"))
    return TemplateResponse(
        request,
        "purchasing/replenishment.html",
        {"title": _("Reorder suggestions"), "suggestions": suggestions},
    )


# --- requests for quotation -----------------------------------------------------------------------------


@require_POST
@permission_required("purchasing.view_requestforquotation", "purchasing.change_requestforquotation")
def rfq_vendor_add(request: HttpRequest, pk: int) -> HttpResponse:
    rfq = _rfq(request, pk)
    form = VendorForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a vendor."))
        return redirect_to(request, rfq.get_absolute_url())
    try:
        services.rfq_vendor_add(rfq=rfq, partner=form.cleaned_data["partner"], by=request.user)
    except DomainError as error:
        return _refused(request, error, rfq.get_absolute_url())
    messages.success(request, _("%(partner)s invited.") % {"partner": form.cleaned_data["partner"]})
    return redirect_to(request, rfq.get_absolute_url())


@require_POST
@permission_required("purchasing.view_requestforquotation", "purchasing.change_requestforquotation")
def rfq_vendor_remove(request: HttpRequest, pk: int, vendor_id: int) -> HttpResponse:
    rfq = _rfq(request, pk)
    try:
        services.rfq_vendor_remove(rfq=rfq, vendor_id=vendor_id, by=request.user)
    except DomainError as error:
        return _refused(request, error, rfq.get_absolute_url())
    messages.success(request, _("The invitation was removed."))
    return redirect_to(request, rfq.get_absolute_url())


@permission_required("purchasing.view_requestforquotation", "purchasing.change_requestforquotation")
def rfq_reply(request: HttpRequest, pk: int, vendor_id: int) -> HttpResponse:
    """Enter an invited vendor's reply: a price per line it quotes."""
    rfq = _rfq(request, pk)
    invited = get_object_or_404(rfq.vendors.select_related("partner"), pk=vendor_id)
    lines = list(rfq.lines.select_related("product", "unit").order_by("position", "id"))
    initial = {"replied_on": invited.replied_on or timezone.localdate(), "reference": invited.reference}
    initial["valid_until"], initial["notes"] = invited.valid_until, invited.notes
    for quote in invited.quotes.all():
        initial[f"price-{quote.line_id}"] = quote.unit_price
        initial[f"quantity-{quote.line_id}"] = quote.quantity
        initial[f"lead-{quote.line_id}"] = quote.lead_time_days
    form = ReplyForm(request.POST or None, lines=lines, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        quotes = {
            line.pk: services.QuoteData(
                unit_price=data[f"price-{line.pk}"],
                quantity=data.get(f"quantity-{line.pk}"),
                lead_time_days=data.get(f"lead-{line.pk}"),
            )
            for line in lines
            if data.get(f"price-{line.pk}") is not None
        }
        try:
            services.rfq_reply(
                rfq=rfq,
                partner=invited.partner,
                quotes=quotes,
                by=request.user,
                replied_on=data["replied_on"],
                valid_until=data.get("valid_until"),
                reference=data.get("reference") or "",
                notes=data.get("notes") or "",
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The reply of %(partner)s was saved.") % {"partner": invited.partner})
            return redirect_to(request, rfq.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("Reply of %(partner)s to %(rfq)s") % {"partner": invited.partner, "rfq": rfq},
        cancel_url=rfq.get_absolute_url(),
        template="purchasing/rfq_reply_form.html",
        context={"rfq": rfq, "invited": invited},
    )


@require_POST
@permission_required("purchasing.view_requestforquotation", "purchasing.send_requestforquotation")
def rfq_send(request: HttpRequest, pk: int) -> HttpResponse:
    rfq = _rfq(request, pk)
    try:
        sent = services.rfq_send(rfq=rfq, by=request.user)
    except DomainError as error:
        return _refused(request, error, rfq.get_absolute_url())
    messages.success(
        request, _("%(rfq)s is being sent to %(count)d vendor(s) by e-mail.") % {"rfq": rfq, "count": len(sent)}
    )
    return redirect_to(request, rfq.get_absolute_url())


@require_POST
@permission_required("purchasing.view_requestforquotation", "purchasing.add_purchaseorder")
def rfq_award(request: HttpRequest, pk: int, vendor_id: int) -> HttpResponse:
    rfq = _rfq(request, pk)
    invited = get_object_or_404(rfq.vendors.select_related("partner"), pk=vendor_id)
    try:
        order = services.rfq_award(rfq=rfq, partner=invited.partner, by=request.user)
    except DomainError as error:
        return _refused(request, error, rfq.get_absolute_url())
    messages.success(
        request,
        _("%(rfq)s was awarded to %(partner)s: purchase order draft created.")
        % {"rfq": rfq, "partner": invited.partner},
    )
    return redirect_to(request, order.get_absolute_url())


# --- purchase orders ------------------------------------------------------------------------------------


@require_POST
@permission_required("purchasing.view_purchaseorder", "purchasing.cancel_purchaseorder")
def purchaseorder_cancel_remainder(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    return post_action(
        request,
        document=order,
        form_class=ReasonForm,
        invalid=_("Please give a reason."),
        act=lambda data: services.purchase_order_cancel_remainder(order=order, by=request.user, reason=data["reason"]),
        done=_("The remainder of %(order)s was cancelled.") % {"order": order},
    )


@require_POST
@permission_required("purchasing.view_purchaseorder", "purchasing.send_purchaseorder")
def purchaseorder_send(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    return post_action(
        request,
        document=order,
        form_class=SendForm,
        invalid=_("Enter a valid e-mail address."),
        act=lambda data: services.purchase_order_send(order=order, by=request.user, to=data["to"] or ""),
        done=_("%(order)s is being sent by e-mail.") % {"order": order},
    )


def _receive_rows(order: PurchaseOrder) -> list[dict]:
    """The stocked lines still awaited (less what draft receipts are about to receive)."""
    lines = [
        line
        for line in order.lines.select_related("product", "product__base_uom", "unit").order_by("position", "id")
        if line.is_stocked
    ]
    pending = services.pending_receipts(lines)
    rows = []
    for line in lines:
        still = line.quantity_open - pending.get(line.pk, 0)
        if still > 0:
            unit = line.unit.code if line.unit_id else line.product.base_uom.code
            rows.append(
                {
                    "key": line.pk,
                    "label": f"{line.position}. {line.product.sku} {line.description}",
                    "open": still,
                    "unit": unit,
                }
            )
    return rows


@permission_required("purchasing.view_purchaseorder", "inventory.add_goodsreceipt")
def purchaseorder_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """What arrives now, into which warehouse: a draft goods receipt at the order's prices."""
    order = _order(request, pk)
    warehouses = Warehouse.objects.for_user(request.user).filter(organization=order.organization).order_by("code")
    form = ReceiveForm(request.POST or None, rows=_receive_rows(order), warehouses=warehouses)
    if request.method == "POST" and form.is_valid():
        try:
            receipt = services.purchase_order_receive(
                order=order,
                warehouse=form.cleaned_data["warehouse"],
                by=request.user,
                quantities=form.quantities(),
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("Goods receipt %(receipt)s prepared: check the locations and lots, then complete it.")
                % {"receipt": receipt},
            )
            return redirect_to(request, receipt.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("Receive %(order)s") % {"order": order},
        cancel_url=order.get_absolute_url(),
        template="purchasing/receive_form.html",
        context={"order": order},
    )


def _return_rows(order: PurchaseOrder) -> list[dict]:
    """The received lines of the order's receipts that may still go back to the vendor."""
    rows = []
    for row in returns.returnable_rows(order):
        if row.left <= 0:
            continue
        line = row.line
        rows.append(
            {
                "key": line.pk,
                "receipt": row.receipt,
                "label": f"{row.receipt.number} · {line.position}. {line.product.sku} {line.product.name}",
                "received": line.quantity,
                "returned": row.returned,
                "left": row.left,
                "unit": line.uom.code if line.uom_id else line.product.base_uom.code,
                "lots_received": line.lot_number,
                "tracked": line.product.tracking != Tracking.NONE,
            }
        )
    return rows


@permission_required("purchasing.view_purchaseorder", "inventory.add_goodsreceipt")
def purchaseorder_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Goods received against the order go back to the vendor: chosen lines, in part; the return
    is completed at once (stock out at the received cost against goods received not invoiced)."""
    order = _order(request, pk)
    form = ReturnForm(request.POST or None, rows=_return_rows(order), initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            done = returns.purchase_return_create(
                order=order,
                quantities=form.quantities(),
                lots=form.lots(),
                on=form.cleaned_data["on"],
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("Returned to the vendor: %(returns)s.") % {"returns": ", ".join(str(item) for item in done)},
            )
            return redirect_to(request, order.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("Return goods of %(order)s to the vendor") % {"order": order},
        cancel_url=order.get_absolute_url(),
        template="purchasing/return_form.html",
        context={"order": order},
    )


@require_POST
@permission_required("purchasing.view_purchaseorder", "finance.add_vendorbill")
def purchaseorder_return_credit(request: HttpRequest, pk: int, return_pk: int) -> HttpResponse:
    """The vendor's credit note for goods a return of the order sent back after they were billed:
    a draft credit note of the bill (the order page and the return ask for its number and date; a
    refusal shows the form again, next to the field)."""
    order = _order(request, pk)
    document = get_object_or_404(
        GoodsReceipt.objects.filter(lines__vendor_return__order_line__order=order).distinct(), pk=return_pk
    )
    form = ReturnCreditForm(request.POST)
    if form.is_valid():
        try:
            note = credits.purchase_return_credit(
                document=document,
                vendor_invoice_number=form.cleaned_data["vendor_invoice_number"],
                on=form.cleaned_data["on"],
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("Vendor credit note %(note)s prepared for %(return)s: check it, then post it.")
                % {"note": note, "return": document},
            )
            return redirect_to(request, note.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("Vendor credit note for %(return)s") % {"return": document},
        cancel_url=order.get_absolute_url(),
        submit_label=_("Prepare the credit note"),
    )


def _bill_rows(order: PurchaseOrder) -> list[dict]:
    """The received order lines no bill claims yet, with what arrived of each."""
    rows: dict[int, dict] = {}
    for link in billing.unbilled_links(order):
        line = link.order_line
        row = rows.setdefault(
            line.pk,
            {
                "key": line.pk,
                "label": f"{line.position}. {line.description}",
                "quantity": 0,
                "unit": line.unit.code if line.unit_id else "",
                "price": line.unit_price,
                "discount": line.discount_percent,
            },
        )
        row["quantity"] += link.billable
    return list(rows.values())


@permission_required("purchasing.view_purchaseorder", "finance.add_vendorbill")
def purchaseorder_bill(request: HttpRequest, pk: int) -> HttpResponse:
    """The vendor's bill of what arrived: a draft vendor bill at the prices the vendor charges."""
    order = _order(request, pk)
    form = BillForm(request.POST or None, rows=_bill_rows(order), initial={"document_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            bill = billing.purchase_order_bill(
                order=order,
                vendor_invoice_number=form.cleaned_data["vendor_invoice_number"],
                by=request.user,
                on=form.cleaned_data["document_date"],
                prices=form.prices(),
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("Vendor bill %(bill)s prepared: check it, then post it.") % {"bill": bill},
            )
            return redirect_to(request, bill.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("Bill %(order)s") % {"order": order},
        cancel_url=order.get_absolute_url(),
        template="purchasing/bill_form.html",
        context={"order": order},
    )


# --- settings ----------------------------------------------------------------------------------------


@permission_required("purchasing.change_purchasingsettings")
def purchasing_settings_edit(request: HttpRequest) -> HttpResponse:
    """The three-way match's tolerances, what a bill outside them does and who approves it."""
    current = purchasing_settings()
    initial = {
        "price_tolerance_percent": current.price_tolerance_percent,
        "quantity_tolerance_percent": current.quantity_tolerance_percent,
        "mismatch_action": current.mismatch_action,
        "mismatch_role": current.mismatch_role,
        "version": current.version,
    }
    form = PurchasingSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.purchasing_settings_update(
                by=request.user, expected_version=form.cleaned_data.pop("version"), **form.cleaned_data
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The purchasing settings have been saved."))
            return redirect_to(request, reverse("purchasing:settings"))
    return render_form(request, form=form, title=_("Purchasing settings"), submit_label=_("Save"))
