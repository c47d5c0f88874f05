"""The sales actions beyond the generic document screens: convert, revise, mark lost and send a
quotation; deliver, invoice and cancel the remainder of an order; return a delivery; the
customer's contacts for the header forms. Each POST is one service call."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.core.decorators import permission_required
from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.core.web import form_error, post_action, redirect_to, render_form
from erp.partners.models import Address, AddressType, Contact
from erp.sales import deliveries, services, stock
from erp.sales.forms import QuantitiesForm, ReasonForm, SendForm
from erp.sales.models import Delivery, Quotation, SalesOrder
from erp.sales.screens import DELIVERY_SCREENS, QUOTATION_SCREENS, SALES_ORDER_SCREENS


def _quotation(request: HttpRequest, pk: int) -> Quotation:
    return get_object_or_404(QUOTATION_SCREENS.queryset(request.user), pk=pk)


def _order(request: HttpRequest, pk: int) -> SalesOrder:
    return get_object_or_404(SALES_ORDER_SCREENS.queryset(request.user), pk=pk)


def _delivery(request: HttpRequest, pk: int) -> Delivery:
    return get_object_or_404(DELIVERY_SCREENS.queryset(request.user), pk=pk)


def _refused(request: HttpRequest, error: DomainError, url: str) -> HttpResponse:
    messages.error(request, error.message)
    return redirect_to(request, url)


# --- quotations -------------------------------------------------------------------------------------


@require_POST
@permission_required("sales.view_quotation", "sales.add_salesorder")
def quotation_convert(request: HttpRequest, pk: int) -> HttpResponse:
    quotation = _quotation(request, pk)
    try:
        order = services.quotation_convert(quotation=quotation, by=request.user)
    except DomainError as error:
        return _refused(request, error, quotation.get_absolute_url())
    messages.success(
        request,
        _("%(quotation)s was accepted: sales order draft created. Check it and submit it.") % {"quotation": quotation},
    )
    return redirect_to(request, order.get_absolute_url())


@require_POST
@permission_required("sales.view_quotation", "sales.add_quotation")
def quotation_revise(request: HttpRequest, pk: int) -> HttpResponse:
    quotation = _quotation(request, pk)
    try:
        revision = services.quotation_revise(quotation=quotation, by=request.user)
    except DomainError as error:
        return _refused(request, error, quotation.get_absolute_url())
    messages.success(request, _("Revision %(revision)s created as a draft.") % {"revision": revision})
    return redirect_to(request, reverse("sales:quotation-update", args=[revision.pk]))


@require_POST
@permission_required("sales.view_quotation", "sales.cancel_quotation")
def quotation_lost(request: HttpRequest, pk: int) -> HttpResponse:
    quotation = _quotation(request, pk)
    return post_action(
        request,
        document=quotation,
        form_class=ReasonForm,
        invalid=_("Please give the reason why the quotation was lost."),
        act=lambda data: services.quotation_mark_lost(quotation=quotation, by=request.user, reason=data["reason"]),
        done=_("%(quotation)s was marked as lost.") % {"quotation": quotation},
    )


@require_POST
@permission_required("sales.view_quotation", "sales.send_quotation")
def quotation_send(request: HttpRequest, pk: int) -> HttpResponse:
    quotation = _quotation(request, pk)
    return post_action(
        request,
        document=quotation,
        form_class=SendForm,
        invalid=_("Enter a valid e-mail address."),
        act=lambda data: services.quotation_send(quotation=quotation, by=request.user, to=data["to"] or ""),
        done=_("%(quotation)s is being sent by e-mail.") % {"quotation": quotation},
    )


# --- orders ------------------------------------------------------------------------------------------


def _delivery_rows(order: SalesOrder) -> list[dict]:
    """The open stockable lines of the order with their stock situation."""
    lines = list(order.lines.select_related("product", "product__base_uom", "unit").order_by("position", "id"))
    situation = stock.availability(order, lines)
    return [
        {
            "key": line.pk,
            "label": f"{line.position}. {line.product.sku} {line.description}",
            "open": line.quantity_open,
            "unit": line.unit.code if line.unit_id else line.product.base_uom.code,
            "extra": situation.get(line.pk),
        }
        for line in lines
        if line.is_delivered_by_stock and line.quantity_open > 0
    ]


@permission_required("sales.view_salesorder", "sales.add_delivery")
def salesorder_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    """The quantities to deliver now (all that is open by default); the picks follow on the draft."""
    order = _order(request, pk)
    form = QuantitiesForm(request.POST or None, rows=_delivery_rows(order))
    if request.method == "POST" and form.is_valid():
        try:
            delivery = deliveries.delivery_create(order=order, by=request.user, quantities=form.quantities())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("Delivery %(delivery)s prepared: check the locations and lots, then complete it.")
                % {"delivery": delivery},
            )
            return redirect_to(request, delivery.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("Deliver %(order)s") % {"order": order},
        cancel_url=order.get_absolute_url(),
        template="sales/deliver_form.html",
        context={"order": order, "warehouse": stock.order_warehouse(order)},
    )


@require_POST
@permission_required("sales.view_salesorder", "sales.invoice_salesorder")
def salesorder_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    try:
        invoice = services.sales_order_invoice(order=order, by=request.user)
    except DomainError as error:
        return _refused(request, error, order.get_absolute_url())
    messages.success(
        request, _("Invoice draft for %(order)s created: check it and complete it to post it.") % {"order": order}
    )
    if request.user.has_perm("finance.view_customerinvoice"):
        return redirect_to(request, invoice.get_absolute_url())
    return redirect_to(request, order.get_absolute_url())


@require_POST
@permission_required("sales.view_salesorder", "sales.cancel_salesorder")
def salesorder_cancel_remainder(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason."))
        return redirect_to(request, order.get_absolute_url())
    try:
        services.sales_order_cancel_remainder(order=order, by=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return _refused(request, error, order.get_absolute_url())
    messages.success(request, _("The remainder of %(order)s was cancelled.") % {"order": order})
    return redirect_to(request, order.get_absolute_url())


# --- deliveries ----------------------------------------------------------------------------------------


@permission_required("sales.view_delivery", "sales.add_delivery")
def delivery_return(request: HttpRequest, pk: int) -> HttpResponse:
    """What comes back of a completed delivery (all by default), as a draft return."""
    delivery = _delivery(request, pk)
    # Only a completed delivery comes back (a draft or cancelled one offers nothing to return).
    returnable = delivery.status == Status.COMPLETED and not delivery.is_return
    left = deliveries.returnable_quantities(delivery) if returnable else {}
    lines = delivery.lines.select_related("order_line__product__base_uom").order_by("position", "id")
    rows = [
        {
            "key": line.pk,
            "label": f"{line.order_line.product.sku} {line.order_line.description}"
            + (f" ({line.lot_number})" if line.lot_number else ""),
            "open": left[line.pk],
            "unit": line.order_line.product.base_uom.code,
        }
        for line in lines
        if left.get(line.pk, 0) > 0
    ]
    form = QuantitiesForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            returned = deliveries.delivery_return_create(
                delivery=delivery, by=request.user, quantities=form.quantities()
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("Return %(return)s prepared: check the locations and serial numbers, then complete it.")
                % {"return": returned},
            )
            return redirect_to(request, returned.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("Return of %(delivery)s") % {"delivery": delivery},
        cancel_url=delivery.get_absolute_url(),
        template="sales/return_form.html",
        context={"delivery": delivery},
    )


# --- header form helpers ------------------------------------------------------------------------------


@permission_required("partners.view_contact")
def partner_choices(request: HttpRequest) -> HttpResponse:
    """The options of the contact select for the chosen customer, and (out of band) those of the
    shipping address select."""
    value = request.GET.get("partner", "")
    partner_id = int(value) if value.isdigit() else None
    return TemplateResponse(
        request,
        "sales/_partner_choices.html",
        {
            "contacts": Contact.objects.filter(partner_id=partner_id).order_by("name"),
            "addresses": Address.objects.filter(partner_id=partner_id, address_type=AddressType.SHIPPING)
            if request.GET.get("addresses")
            else None,
        },
    )
