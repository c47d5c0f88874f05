"""Dashboard, global search, notifications and the activity log."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.core import dashboard as dashboard_cards
from erp.core import search as global_search
from erp.core.decorators import login_only, permission_required
from erp.core.filters import BusinessEventFilter
from erp.core.listing import list_page
from erp.core.models import BusinessEvent, Notification, Organization
from erp.core.tables import BusinessEventTable
from erp.core.web import is_htmx_fragment, redirect_to


def _visible_events(user):
    events = BusinessEvent.objects.select_related("actor", "organization")
    if user.has_perm("core.view_businessevent"):
        return events.filter(
            Q(organization_id__in=Organization.objects.for_user(user).values("pk")) | Q(organization__isnull=True)
        )
    return events.filter(actor=user)


@login_only
def dashboard(request: HttpRequest) -> HttpResponse:
    organizations = Organization.objects.for_user(request.user).active().select_related("parent").order_by("name")
    return TemplateResponse(
        request,
        "core/dashboard.html",
        {
            "title": _("Dashboard"),
            "organizations": organizations,
            "events": _visible_events(request.user)[:15],
            "cards": dashboard_cards.cards(request),
        },
    )


@login_only
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    groups = global_search.run(user=request.user, query=query) if len(query) >= 2 else []
    return TemplateResponse(
        request,
        "core/search.html",
        {"title": _("Search"), "search_query": query, "groups": groups, "too_short": 0 < len(query) < 2},
    )


@permission_required("core.view_businessevent")
def event_list(request: HttpRequest) -> HttpResponse:
    filterset = BusinessEventFilter(request.GET, queryset=_visible_events(request.user))
    return list_page(
        request, filterset=filterset, table_class=BusinessEventTable, title=_("Activity"), export_name="activity"
    )


@login_only
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The bell's badge; polled by htmx every 30 seconds."""
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    return TemplateResponse(request, "core/_notification_bell.html#badge", {"unread_notifications": unread})


@login_only
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(recipient=request.user)[:100]
    return TemplateResponse(
        request, "core/notification_list.html", {"title": _("Notifications"), "notifications": notifications}
    )


@require_POST
@login_only
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    if (
        notification.url
        and not is_htmx_fragment(request)
        and url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()})
    ):
        return redirect_to(request, notification.url)
    return redirect_to(request, reverse("core:notification-list"))


@require_POST
@login_only
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect_to(request, reverse("core:notification-list"))
