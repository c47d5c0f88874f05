"""Default roles appear in every tenant schema after its migrations run."""

from __future__ import annotations

from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django_tenants.utils import get_public_schema_name


@receiver(post_migrate, dispatch_uid="erp.accounts.roles_sync")
def sync_roles_after_migrate(sender, app_config, using="default", **kwargs) -> None:
    # post_migrate is sent once per app; the last app's signal comes after every
    # app's permissions exist.
    if app_config is not list(apps.get_app_configs())[-1]:
        return
    if connection.schema_name == get_public_schema_name():
        return
    from erp.accounts.services import roles_sync

    roles_sync()
