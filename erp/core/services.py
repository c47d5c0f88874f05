"""Writes on core records: organizations, soft delete, optimistic locking."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.core import access, events
from erp.core.exceptions import ConcurrentModification, DomainError
from erp.core.models import AuditedModel, Organization


def versioned_update(*, instance: AuditedModel, expected_version: int, by, fields: dict) -> AuditedModel:
    """Save ``fields`` only if nobody saved the row since ``expected_version`` was read.

    Locks the row, compares versions, saves through the model (so history records it)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("versioned_update() must run inside transaction.atomic()")
    locked = type(instance).all_objects.select_for_update().get(pk=instance.pk)
    if locked.version != expected_version:
        raise ConcurrentModification(
            _("Someone else changed this record while you were editing it. Reload the page and try again.")
        )
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.updated_by = by
    locked._history_user = by
    locked.save()
    return locked


@transaction.atomic
def soft_delete(*, instance: AuditedModel, by, reason: str) -> AuditedModel:
    reason = reason.strip()[:255]
    if not reason:
        raise DomainError(_("Please give a reason for the deletion."), field="reason")
    instance.deleted_at = timezone.now()
    instance.deleted_by = by
    instance.deletion_reason = reason
    instance.is_active = False
    instance._change_reason = reason
    instance.save(update_fields=["deleted_at", "deleted_by", "deletion_reason", "is_active", "updated_at"])
    events.record(verb=f"{instance._meta.label_lower}.deleted", target=instance, actor=by, data={"reason": reason})
    return instance


def _ancestors(organization: Organization | None):
    seen = set()
    while organization is not None and organization.pk not in seen:
        seen.add(organization.pk)
        yield organization
        organization = organization.parent


@transaction.atomic
def organization_create(*, code: str, name: str, parent: Organization | None, by) -> Organization:
    code = code.strip().upper()
    if Organization.objects.filter(code__iexact=code).exists():
        raise DomainError(_("An organization with the code %(code)s already exists.") % {"code": code}, field="code")
    if parent is not None and not parent.is_active:
        raise DomainError(_("The parent organization is deactivated."), field="parent")
    organization = Organization(code=code, name=name.strip(), parent=parent, created_by=by, updated_by=by)
    organization.save()
    events.record(
        verb="core.organization.created",
        target=organization,
        actor=by,
        data={"parent": parent.code if parent else None},
    )
    access.forget(by)
    return organization


@transaction.atomic
def organization_update(
    *, organization: Organization, code: str, name: str, parent: Organization | None, expected_version: int, by
) -> Organization:
    """Rename and/or move an organization; refuses cycles in the tree."""
    code = code.strip().upper()
    if Organization.objects.filter(code__iexact=code).exclude(pk=organization.pk).exists():
        raise DomainError(_("An organization with the code %(code)s already exists.") % {"code": code}, field="code")
    if parent is not None and any(a.pk == organization.pk for a in _ancestors(parent)):
        raise DomainError(_("An organization cannot be moved below itself or one of its children."), field="parent")
    before = {"code": organization.code, "name": organization.name, "parent": organization.parent_id}
    organization = versioned_update(
        instance=organization,
        expected_version=expected_version,
        by=by,
        fields={"code": code, "name": name.strip(), "parent": parent},
    )
    verb = "core.organization.moved" if before["parent"] != organization.parent_id else "core.organization.updated"
    events.record(verb=verb, target=organization, actor=by, data={"before": before})
    return organization


@transaction.atomic
def organization_set_active(*, organization: Organization, is_active: bool, by) -> Organization:
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if not is_active and organization.children.filter(is_active=True).exists():
        raise DomainError(_("Deactivate its active sub-organizations first."))
    if is_active and organization.parent is not None and not organization.parent.is_active:
        raise DomainError(_("Reactivate the parent organization first."))
    organization.is_active = is_active
    organization.updated_by = by
    organization.version += 1
    organization.save(update_fields=["is_active", "updated_by", "updated_at", "version"])
    events.record(
        verb="core.organization.reactivated" if is_active else "core.organization.deactivated",
        target=organization,
        actor=by,
    )
    return organization
