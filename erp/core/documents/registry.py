"""Each document type declares what its transitions do: a ``DocumentEffects``
subclass registered for the model. The core services call it; they never know
about stock or ledgers themselves."""

from __future__ import annotations

from datetime import date

from django.db import models

from erp.core.exceptions import DomainError


class DocumentEffects:
    """Default effects: nothing to post, nothing depends on the document."""

    # Actions that make no sense for the document type (e.g. closing a journal entry):
    # never offered on the detail page, refused when posted anyway.
    hidden_actions: frozenset[str] = frozenset()

    def check_submit(self, document) -> None:
        """Raise DomainError when the document is not ready to leave Draft (e.g. no lines)."""

    def check_complete(self, document) -> None:
        """Raise DomainError when completing is not possible now (e.g. period closed)."""

    def on_complete(self, document, *, by) -> None:
        """Post: stock moves, journal entries, follow-up documents."""

    def void_blockers(self, document) -> list[str]:
        """Why the document cannot be voided now (period closed, documents depending on it)."""
        return []

    def on_void(self, document, *, by) -> None:
        """Undo the effects, dated like the original."""

    def reverse_correct_blockers(self, document) -> list[str]:
        """Why a reversal on the original date is impossible now (period closed …)."""
        return []

    def reverse_accrual_blockers(self, document, *, on_date: date | None) -> list[str]:
        """Why a reversal dated ``on_date`` is impossible; with ``on_date=None``, why a reversal
        on any date is (the detail page asks before the user has chosen the date)."""
        return []

    def on_reverse(self, document, *, by, on_date: date) -> models.Model | None:
        """Create and post the reversing document dated ``on_date``; return it."""
        raise DomainError(f"{document._meta.verbose_name} cannot be reversed.")

    def recompute_totals(self, document) -> None:
        """Recompute and store the document's totals from its lines."""


_EFFECTS: dict[type[models.Model], DocumentEffects] = {}


def register(model: type[models.Model], effects: DocumentEffects) -> None:
    _EFFECTS[model] = effects


def effects_for(document_or_model) -> DocumentEffects:
    model = document_or_model if isinstance(document_or_model, type) else type(document_or_model)
    for klass in model.__mro__:
        if klass in _EFFECTS:
            return _EFFECTS[klass]
    return DocumentEffects()
