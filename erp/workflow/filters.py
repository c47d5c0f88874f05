from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from erp.core.filters import SearchFilterSet, YesNoFilter
from erp.workflow.models import BusinessRule, Delegation, Trigger, WorkflowDefinition
from erp.workflow.subjects import subject_choices


class BusinessRuleFilter(SearchFilterSet):
    search_fields = ("name", "description")
    subject = django_filters.ChoiceFilter(label=_("Applies to"), choices=subject_choices)
    trigger = django_filters.ChoiceFilter(label=_("When"), choices=Trigger.choices)
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = BusinessRule
        fields = ["q", "subject", "trigger", "is_active"]


class DefinitionFilter(SearchFilterSet):
    search_fields = ("name", "description")
    subject = django_filters.ChoiceFilter(
        label=_("Document type"), choices=lambda: subject_choices(documents_only=True)
    )
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = WorkflowDefinition
        fields = ["q", "subject", "is_active"]


class DelegationFilter(SearchFilterSet):
    search_fields = ("user__email", "user__first_name", "delegate__email", "delegate__first_name", "note")

    class Meta:
        model = Delegation
        fields = ["q"]
