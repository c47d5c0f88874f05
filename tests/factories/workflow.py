"""Arrangement for workflow tests: approver roles, workflows with steps, journal entries to approve."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group, Permission

from erp.workflow import services
from erp.workflow.models import ApprovalMode, WorkflowDefinition

JOURNAL_ENTRY = "finance.journalentry"


def role(name: str, *codenames: str) -> Group:
    """A role with the given ``app_label.codename`` permissions (created or extended)."""
    group, _created = Group.objects.get_or_create(name=name)
    for codename in codenames:
        app_label, code = codename.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=code))
    return group


def grant(group_name: str, *codenames: str) -> Group:
    return role(group_name, *codenames)


def above(amount: str) -> dict:
    return {"field": "total_gross", "op": "gt", "value": amount}


def workflow(
    *steps: dict, subject: str = JOURNAL_ENTRY, by=None, name: str = "Journal approvals"
) -> WorkflowDefinition:
    """``workflow({"name": "Manager", "role": group, "condition": above("10000")}, …)``."""
    definition = services.definition_create(name=name, subject=subject, by=by)
    for position, step in enumerate(steps, start=1):
        services.step_save(
            definition=definition,
            name=step["name"],
            position=position,
            role=step.get("role"),
            user=step.get("user"),
            mode=step.get("mode", ApprovalMode.ANY),
            condition=step.get("condition"),
            by=by,
        )
    return definition


def entry_of(amount: str | Decimal, *, accounts, organization, on: date, by):
    """A draft journal entry of ``amount`` (rent paid from the bank) with its totals, as the entry screen saves it."""
    from erp.core.documents.registry import effects_for
    from tests.factories.ledger import draft_entry

    entry = draft_entry(
        organization=organization,
        on=on,
        lines=[(accounts.rent, str(amount), "0"), (accounts.bank, "0", str(amount))],
        by=by,
    )
    effects_for(entry).recompute_totals(entry)
    entry.save()
    return entry
