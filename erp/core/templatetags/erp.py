from __future__ import annotations

from django import template

from erp.core import events, middleware
from erp.core.models import BusinessEvent, Notification, Organization

register = template.Library()


@register.simple_tag(takes_context=True)
def switchable_organizations(context) -> list[Organization]:
    request = context.get("request")
    if request is None:
        return []
    return middleware.switchable_organizations(request)


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()


@register.filter
def describe_event(event: BusinessEvent) -> str:
    """``{{ event|describe_event }}``: “Organization created” instead of ``core.organization.created``."""
    return events.describe(event)
