"""Reads of users and roles for views."""

from __future__ import annotations

from django.contrib.auth.models import Permission

from erp.accounts.roles import is_grantable


def grantable_permissions() -> list[Permission]:
    """The permissions a role screen offers: the ERP's own, without history models and plumbing.

    Ordered by app, model and codename, with ``content_type`` loaded."""
    permissions = Permission.objects.select_related("content_type").order_by(
        "content_type__app_label", "content_type__model", "codename"
    )
    result = []
    for permission in permissions:
        content_type = permission.content_type
        model = content_type.model_class()
        if model is None or model.__name__.startswith("Historical"):
            continue
        if is_grantable(content_type.app_label, content_type.model):
            result.append(permission)
    return result
