"""Which models offer custom fields (and can have business rules): every concrete
document type automatically, plus the master data that registers itself with one
line, e.g. in ``erp/partners/apps.py``::

    from erp.core.customfields.registry import register
    register(Partner)

A registered model also needs the GIN index (``erp.core.models.custom_fields_index``)."""

from __future__ import annotations

from django.apps import apps
from django.db import models

_registered: dict[str, type[models.Model]] = {}


def register(model: type[models.Model]) -> type[models.Model]:
    """Offer custom fields on ``model`` (usable as a class decorator)."""
    _registered[model._meta.label_lower] = model
    return model


def extensible_models() -> list[type[models.Model]]:
    """Registered models and every concrete document type, by name."""
    from erp.core.documents.models import Document

    found = dict(_registered)
    for model in apps.get_models():
        if issubclass(model, Document) and not model._meta.abstract:
            found.setdefault(model._meta.label_lower, model)
    return sorted(found.values(), key=lambda model: str(model._meta.verbose_name))


def model_for(label: str) -> type[models.Model] | None:
    """The extensible model named ``app_label.model`` or None."""
    return next((model for model in extensible_models() if model._meta.label_lower == label), None)


def is_document(model: type[models.Model]) -> bool:
    from erp.core.documents.models import Document

    return issubclass(model, Document)


def lookup_targets() -> list[type[models.Model]]:
    """What a “link to a record” field may point at: the extensible models, organizations and users."""
    from django.contrib.auth import get_user_model

    from erp.core.models import Organization

    targets = {model._meta.label_lower: model for model in extensible_models()}
    for model in (Organization, get_user_model()):
        targets.setdefault(model._meta.label_lower, model)
    return sorted(targets.values(), key=lambda model: str(model._meta.verbose_name))
