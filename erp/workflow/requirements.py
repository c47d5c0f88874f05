"""Approvals other modules require of a document on submit, beside its workflow's steps and the
business rules: e.g. purchasing's three-way match asks the role named in its settings to
approve a vendor bill whose prices or quantities differ from the order.

A provider is called with the document and the submitting user inside the submit's
transaction and returns the steps it requires (none: nothing to approve). They become
steps of the document's one approval (``erp.workflow.services.approval_start``) after its
workflow's steps and the rules' approvals, decided like any other step: by the role's
members who may approve the document type, never by the person who submitted it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import Group


@dataclass(frozen=True)
class Requirement:
    name: str  # the step's name, as the approver and the timeline see it
    role: Group


Provider = Callable[..., list[Requirement]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    _providers.append(provider)
    return provider


def required(document, *, by) -> list[Requirement]:
    found: list[Requirement] = []
    for provider in _providers:
        found.extend(provider(document, by=by) or [])
    return found
