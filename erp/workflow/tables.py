from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from erp.workflow.models import BusinessRule, Delegation, WorkflowDefinition
from erp.workflow.subjects import TRIGGER_LABELS, subject_for


def _subject_name(label: str) -> str:
    subject = subject_for(label)
    return subject.name if subject else label


class BusinessRuleTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"), linkify=True)
    subject = tables.Column(verbose_name=_("Applies to"))
    trigger = tables.Column(verbose_name=_("When"))
    priority = tables.Column(verbose_name=_("Priority"), attrs={"td": {"class": "numeric"}})
    is_active = tables.BooleanColumn(verbose_name=_("Active"))
    updated_at = tables.DateTimeColumn(verbose_name=_("Updated"), short=True)

    class Meta:
        model = BusinessRule
        fields = ("name", "subject", "trigger", "priority", "is_active", "updated_at")
        order_by = ("subject", "trigger", "priority")
        empty_text = _("No business rules yet.")

    def render_subject(self, value: str) -> str:
        return _subject_name(value)

    def value_subject(self, value: str) -> str:
        return _subject_name(value)

    def render_trigger(self, value: str) -> str:
        return str(TRIGGER_LABELS.get(value, value))


class DefinitionTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"), linkify=True)
    subject = tables.Column(verbose_name=_("Document type"))
    step_count = tables.Column(verbose_name=_("Steps"), attrs={"td": {"class": "numeric"}})
    is_active = tables.BooleanColumn(verbose_name=_("Active"))
    updated_at = tables.DateTimeColumn(verbose_name=_("Updated"), short=True)

    class Meta:
        model = WorkflowDefinition
        fields = ("name", "subject", "step_count", "is_active", "updated_at")
        order_by = ("subject", "name")
        empty_text = _("No approval workflows yet.")

    def render_subject(self, value: str) -> str:
        return _subject_name(value)

    def value_subject(self, value: str) -> str:
        return _subject_name(value)


class DelegationTable(tables.Table):
    user = tables.Column(verbose_name=_("Approver away"))
    delegate = tables.Column(verbose_name=_("Delegate"))
    starts_on = tables.DateColumn(verbose_name=_("From"))
    ends_on = tables.DateColumn(verbose_name=_("Until"))
    note = tables.Column(verbose_name=_("Note"))
    actions = tables.TemplateColumn(
        template_name="workflow/_delegation_actions.html", verbose_name="", orderable=False, exclude_from_export=True
    )

    class Meta:
        model = Delegation
        fields = ("user", "delegate", "starts_on", "ends_on", "note", "actions")
        order_by = ("-starts_on",)
        empty_text = _("No delegations.")
