"""Which organizations a user may work in: the one place every view's queryset asks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from guardian.models import GroupObjectPermission, UserObjectPermission

CACHE_ATTRIBUTE = "_erp_organization_ids"


def _with_descendants(granted: Iterable[int], edges: Iterable[tuple[int, int | None]]) -> frozenset[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in edges:
        children[parent_id].append(pk)
    result: set[int] = set()
    stack = list(granted)
    while stack:
        pk = stack.pop()
        if pk in result:
            continue
        result.add(pk)
        stack.extend(children.get(pk, ()))
    return frozenset(result)


def organization_ids_for(user) -> frozenset[int]:
    """Ids of the organizations `user` may see: granted ones and their descendants.

    Cached on the user object, so a request pays for it once."""
    cached = getattr(user, CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    from erp.core.models import Organization

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        ids: frozenset[int] = frozenset()
    elif user.has_perm("core.access_all_organizations"):
        ids = frozenset(Organization.objects.values_list("pk", flat=True))
    else:
        rows = list(Organization.objects.annotate(granted=_granted_to(user)).values_list("pk", "parent_id", "granted"))
        granted = [pk for pk, _parent_id, is_granted in rows if is_granted]
        ids = _with_descendants(granted, [(pk, parent_id) for pk, parent_id, _granted in rows])
    setattr(user, CACHE_ATTRIBUTE, ids)
    return ids


def _granted_to(user) -> Exists:
    """Whether the organization row is granted to ``user`` directly or through one of their groups
    (django-guardian object permissions), as one expression: the whole answer is one query."""
    grant = {
        "object_pk": Cast(OuterRef("pk"), CharField()),
        "content_type__app_label": "core",
        "content_type__model": "organization",
        "permission__codename": "access_organization",
    }
    return Exists(UserObjectPermission.objects.filter(user=user, **grant)) | Exists(
        GroupObjectPermission.objects.filter(group__user=user, **grant)
    )


def forget(user) -> None:
    """Drop the cached answer after grants change."""
    if hasattr(user, CACHE_ATTRIBUTE):
        delattr(user, CACHE_ATTRIBUTE)
