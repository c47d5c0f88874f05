"""Catalog screens: products (with units, vendor prices and images), categories, units of
measure, price lists; imports and exports."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.catalog import imports, selectors, services
from erp.catalog.filters import CategoryFilter, PriceListFilter, ProductFilter, UnitFilter
from erp.catalog.forms import (
    CategoryForm,
    ConversionFormSet,
    PriceCheckForm,
    PriceListForm,
    PriceListItemFormSet,
    ProductForm,
    ProductImageForm,
    UnitForm,
    VendorPriceFormSet,
)
from erp.catalog.models import PriceList, Product, ProductCategory, ProductImage, UnitOfMeasure
from erp.catalog.pricing import price_for
from erp.catalog.tables import CategoryTable, PriceListTable, ProductTable, UnitTable
from erp.core.currency import RateNotFound
from erp.core.decorators import permission_required
from erp.core.exceptions import DomainError
from erp.core.files import file_response
from erp.core.formsets import child_rows, with_added_row
from erp.core.imports import import_page
from erp.core.listing import list_page
from erp.core.models import BusinessEvent
from erp.core.web import form_error, redirect_to, render_form

PRODUCT_FORM = "catalog/product_form.html"
ROWS_FORM = "catalog/rows_form.html"


def _version(form, record) -> int:
    sent = form.cleaned_data.get("version")
    return record.version if sent is None else sent


def _timeline(record, label: str) -> dict:
    return {
        "history": record.history.select_related("history_user").order_by("-history_date")[:20],
        "events": BusinessEvent.objects.filter(aggregate_type=label, aggregate_id=str(record.pk)).select_related(
            "actor"
        )[:20],
    }


def _toggle(request: HttpRequest, record, service, **kwargs) -> HttpResponse:
    activate = request.POST.get("is_active") == "1"
    try:
        service(is_active=activate, by=request.user, **kwargs)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        text = _("%(record)s reactivated.") if activate else _("%(record)s deactivated.")
        messages.success(request, text % {"record": record})
    return redirect_to(request, record.get_absolute_url())


# --- products ---------------------------------------------------------------------------------


@permission_required("catalog.view_product")
def product_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_add = user.has_perm("catalog.add_product")
    return list_page(
        request,
        filterset=ProductFilter(request.GET, queryset=selectors.product_list()),
        table_class=ProductTable,
        title=_("Products"),
        export_name="products",
        context={
            "create_url": reverse("catalog:product-create") if can_add else None,
            "create_label": _("New product"),
            "import_url": reverse("catalog:product-import")
            if can_add and user.has_perm("catalog.change_product")
            else None,
        },
    )


@permission_required("catalog.view_product")
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        product = selectors.product_detail(pk=pk)
    except Product.DoesNotExist:
        raise Http404 from None
    can_change = request.user.has_perm("catalog.change_product")
    return TemplateResponse(
        request,
        "catalog/product_detail.html",
        {
            "title": str(product),
            "product": product,
            "conversions": list(product.conversions.all()),
            "images": list(product.images.all()),
            "vendor_prices": list(product.vendor_prices.all()),
            "accounts": selectors.product_accounts(product),
            "valuation_method": selectors.valuation_method_for(product),
            "category_path": selectors.category_path(product.category_id),
            "can_change": can_change,
            "image_form": ProductImageForm() if can_change else None,
            **_timeline(product, "catalog.product"),
        },
    )


def _product_form(request: HttpRequest, product: Product | None) -> HttpResponse:
    instance = product or Product()
    data = request.POST if request.method == "POST" else None
    added = with_added_row(request, ("conversions", "vendor_prices")) if data is not None else None
    initial = None
    if product is None and data is None:
        initial = {"base_uom": UnitOfMeasure.objects.filter(code="pc").values_list("pk", flat=True).first()}
    form = ProductForm(added or data, instance=instance, initial=initial)
    conversion_set = ConversionFormSet(added or data, instance=instance, prefix="conversions")
    vendor_set = VendorPriceFormSet(added or data, instance=instance, prefix="vendor_prices")
    if data is not None and added is None and form.is_valid() and conversion_set.is_valid() and vendor_set.is_valid():
        rows = {
            "conversions": child_rows(conversion_set, services.CONVERSION_FIELDS),
            "vendor_prices": child_rows(vendor_set, services.VENDOR_PRICE_FIELDS),
            "custom_fields": form.cleaned_custom_fields,
        }
        for row in rows["vendor_prices"]:
            if row.values.get("uom") is None:
                row.values["uom"] = form.cleaned_data["purchase_uom"] or form.cleaned_data["base_uom"]
        try:
            if product is None:
                saved = services.product_create(**form.service_fields(), **rows, by=request.user)
            else:
                saved = services.product_update(
                    product=product,
                    expected_version=_version(form, product),
                    **form.service_fields(),
                    **rows,
                    by=request.user,
                )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("%(product)s saved.") % {"product": saved})
            for warning in getattr(saved, "rule_warnings", []):
                messages.warning(request, warning)
            return redirect_to(request, saved.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("New product") if product is None else _("Edit %(product)s") % {"product": product},
        cancel_url=product.get_absolute_url() if product else reverse("catalog:product-list"),
        template=PRODUCT_FORM,
        context={"conversion_set": conversion_set, "vendor_set": vendor_set},
    )


@permission_required("catalog.add_product")
def product_create(request: HttpRequest) -> HttpResponse:
    return _product_form(request, None)


@permission_required("catalog.change_product")
def product_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _product_form(request, get_object_or_404(Product.objects.select_related("base_uom"), pk=pk))


@require_POST
@permission_required("catalog.change_product")
def product_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product.objects.all(), pk=pk)
    return _toggle(request, product, services.product_set_active, product=product)


@permission_required("catalog.add_product", "catalog.change_product")
def product_import(request: HttpRequest) -> HttpResponse:
    return import_page(
        request,
        title=_("Import products"),
        planner=imports.products_plan,
        applier=lambda plan: imports.products_import(plan=plan, by=request.user),
        done_url=reverse("catalog:product-list"),
        cancel_url=reverse("catalog:product-list"),
        columns_help=imports.COLUMNS_HELP,
        example=imports.EXAMPLE,
        success_message=_("Products imported."),
    )


@require_POST
@permission_required("catalog.change_product")
def product_image_upload(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product.objects.all(), pk=pk)
    form = ProductImageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("image", [_("Choose an image.")])))
    else:
        try:
            services.product_image_add(product=product, upload=form.cleaned_data["image"], by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Image added."))
    return redirect_to(request, product.get_absolute_url())


@permission_required("catalog.view_product")
def product_image(request: HttpRequest, pk: int, image_pk: int) -> HttpResponse:
    image = get_object_or_404(ProductImage.objects.filter(product__deleted_at__isnull=True), pk=image_pk, product_id=pk)
    if request.GET.get("size") == "thumbnail" and image.thumbnail:
        return file_response(image.thumbnail, download_name="thumbnail.png", as_attachment=False)
    suffix = image.image.name.rsplit(".", 1)[-1]
    return file_response(image.image, download_name=f"{image.product_id}-{image.pk}.{suffix}", as_attachment=False)


@require_POST
@permission_required("catalog.change_product")
def product_image_delete(request: HttpRequest, pk: int, image_pk: int) -> HttpResponse:
    image = get_object_or_404(ProductImage.objects.select_related("product"), pk=image_pk, product_id=pk)
    services.product_image_remove(image=image, by=request.user)
    messages.success(request, _("Image removed."))
    return redirect_to(request, image.product.get_absolute_url())


# --- categories -------------------------------------------------------------------------------


@permission_required("catalog.view_productcategory")
def category_list(request: HttpRequest) -> HttpResponse:
    queryset = ProductCategory.objects.select_related("parent").annotate(product_count=Count("products"))
    can_add = request.user.has_perm("catalog.add_productcategory")
    return list_page(
        request,
        filterset=CategoryFilter(request.GET, queryset=queryset),
        table_class=CategoryTable,
        title=_("Product categories"),
        export_name="product-categories",
        context={
            "create_url": reverse("catalog:category-create") if can_add else None,
            "create_label": _("New category"),
        },
    )


@permission_required("catalog.view_productcategory")
def category_detail(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(
        ProductCategory.objects.select_related(
            "parent", "income_account", "expense_account", "inventory_account", "cogs_account"
        ),
        pk=pk,
    )
    return TemplateResponse(
        request,
        "catalog/category_detail.html",
        {
            "title": category.name,
            "category": category,
            "path": selectors.category_path(category.pk),
            "children": list(category.children.order_by("name")),
            "products": list(category.products.select_related("base_uom").order_by("sku")[:50]),
            "product_count": category.products.count(),
            "accounts": selectors.category_accounts(category),
            "valuation_method": selectors.category_valuation_method(category.pk),
            **_timeline(category, "catalog.productcategory"),
        },
    )


def _category_form(request: HttpRequest, category: ProductCategory | None) -> HttpResponse:
    initial = None
    if category is None and request.GET.get("parent", "").isdigit():
        initial = {"parent": request.GET["parent"]}
    form = CategoryForm(request.POST or None, instance=category or ProductCategory(), initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.CATEGORY_FIELDS}
        try:
            if category is None:
                saved = services.category_create(**fields, by=request.user)
            else:
                saved = services.category_update(
                    category=category, expected_version=_version(form, category), **fields, by=request.user
                )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Category %(name)s saved.") % {"name": saved.name})
            return redirect_to(request, saved.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("New product category") if category is None else _("Edit %(name)s") % {"name": category.name},
        cancel_url=category.get_absolute_url() if category else reverse("catalog:category-list"),
    )


@permission_required("catalog.add_productcategory")
def category_create(request: HttpRequest) -> HttpResponse:
    return _category_form(request, None)


@permission_required("catalog.change_productcategory")
def category_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _category_form(request, get_object_or_404(ProductCategory.objects.all(), pk=pk))


@require_POST
@permission_required("catalog.change_productcategory")
def category_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(ProductCategory.objects.all(), pk=pk)
    return _toggle(request, category, services.category_set_active, category=category)


# --- units of measure -------------------------------------------------------------------------


@permission_required("catalog.view_unitofmeasure")
def unit_list(request: HttpRequest) -> HttpResponse:
    can_add = request.user.has_perm("catalog.add_unitofmeasure")
    return list_page(
        request,
        filterset=UnitFilter(request.GET, queryset=UnitOfMeasure.objects.all()),
        table_class=UnitTable,
        title=_("Units of measure"),
        export_name="units",
        context={"create_url": reverse("catalog:unit-create") if can_add else None, "create_label": _("New unit")},
    )


def _unit_form(request: HttpRequest, unit: UnitOfMeasure | None) -> HttpResponse:
    form = UnitForm(request.POST or None, instance=unit or UnitOfMeasure())
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ("code", "name", "category", "ratio", "decimal_places")}
        try:
            if unit is None:
                saved = services.unit_create(**fields, by=request.user)
            else:
                saved = services.unit_update(
                    unit=unit, expected_version=_version(form, unit), **fields, by=request.user
                )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Unit %(code)s saved.") % {"code": saved.code})
            return redirect_to(request, reverse("catalog:unit-list"))
    return render_form(
        request,
        form=form,
        title=_("New unit of measure") if unit is None else _("Unit %(code)s") % {"code": unit.code},
        cancel_url=reverse("catalog:unit-list"),
        template="catalog/unit_form.html",
        context={"unit": unit, "in_use": unit is not None and services.unit_is_used(unit)},
    )


@permission_required("catalog.add_unitofmeasure")
def unit_create(request: HttpRequest) -> HttpResponse:
    return _unit_form(request, None)


@permission_required("catalog.change_unitofmeasure")
def unit_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_form(request, get_object_or_404(UnitOfMeasure.objects.all(), pk=pk))


@require_POST
@permission_required("catalog.change_unitofmeasure")
def unit_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(UnitOfMeasure.objects.all(), pk=pk)
    return _toggle(request, unit, services.unit_set_active, unit=unit)


# --- price lists ------------------------------------------------------------------------------


@permission_required("catalog.view_pricelist")
def pricelist_list(request: HttpRequest) -> HttpResponse:
    queryset = PriceList.objects.annotate(item_count=Count("items"))
    can_add = request.user.has_perm("catalog.add_pricelist")
    return list_page(
        request,
        filterset=PriceListFilter(request.GET, queryset=queryset),
        table_class=PriceListTable,
        title=_("Price lists"),
        export_name="price-lists",
        context={
            "create_url": reverse("catalog:pricelist-create") if can_add else None,
            "create_label": _("New price list"),
        },
    )


@permission_required("catalog.view_pricelist")
def pricelist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = get_object_or_404(PriceList.objects.select_related("currency"), pk=pk)
    items = list(selectors.price_list_items(price_list))
    products = Product.objects.filter(pk__in={item.product_id for item in items}).order_by("sku")
    check = PriceCheckForm(
        request.GET if "product" in request.GET else None,
        products=products,
        initial={"on": timezone.localdate()},
    )
    quote = None
    if check.is_bound and check.is_valid():
        product = check.cleaned_data["product"]
        try:
            quote = price_for(
                product,
                check.cleaned_data["quantity"],
                check.cleaned_data["on"],
                price_list,
                price_list.currency,
                uom=product.base_uom,
                items=[item for item in items if item.product_id == product.pk],
            )
        except (DomainError, RateNotFound) as error:
            check.add_error(None, error.message)
    return TemplateResponse(
        request,
        "catalog/pricelist_detail.html",
        {
            "title": str(price_list),
            "price_list": price_list,
            "items": items,
            "check": check,
            "quote": quote,
            "partner_count": price_list.partners.count(),
            **_timeline(price_list, "catalog.pricelist"),
        },
    )


def _pricelist_form(request: HttpRequest, price_list: PriceList | None) -> HttpResponse:
    instance = price_list or PriceList()
    data = request.POST if request.method == "POST" else None
    added = with_added_row(request, ("items",)) if data is not None else None
    form = PriceListForm(added or data, instance=instance)
    item_set = PriceListItemFormSet(added or data, instance=instance, prefix="items")
    if data is not None and added is None and form.is_valid() and item_set.is_valid():
        fields = {name: form.cleaned_data[name] for name in ("code", "name", "currency", "prices_include_tax", "notes")}
        items = child_rows(item_set, services.ITEM_FIELDS)
        try:
            if price_list is None:
                saved = services.price_list_create(**fields, items=items, by=request.user)
            else:
                saved = services.price_list_update(
                    price_list=price_list,
                    expected_version=_version(form, price_list),
                    **fields,
                    items=items,
                    by=request.user,
                )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Price list %(code)s saved.") % {"code": saved.code})
            return redirect_to(request, saved.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("New price list") if price_list is None else _("Edit %(list)s") % {"list": price_list},
        cancel_url=price_list.get_absolute_url() if price_list else reverse("catalog:pricelist-list"),
        template=ROWS_FORM,
        context={
            "formsets": [(item_set, _("Prices"), _("Add price"))],
            "rows_help": _(
                "Prices are per base unit, from the quantity given (in base units) on; "
                "the highest quantity the order reaches wins. Empty dates: always valid."
            ),
        },
    )


@permission_required("catalog.add_pricelist")
def pricelist_create(request: HttpRequest) -> HttpResponse:
    return _pricelist_form(request, None)


@permission_required("catalog.change_pricelist")
def pricelist_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _pricelist_form(request, get_object_or_404(PriceList.objects.all(), pk=pk))


@require_POST
@permission_required("catalog.change_pricelist")
def pricelist_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = get_object_or_404(PriceList.objects.all(), pk=pk)
    return _toggle(request, price_list, services.price_list_set_active, price_list=price_list)
