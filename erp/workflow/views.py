"""Workflow screens: business rules (write, try on a record, switch on), approval
workflows with their steps, the approver's queue and delegations."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.core.decorators import login_only, permission_required
from erp.core.exceptions import DomainError
from erp.core.listing import list_page
from erp.core.web import form_error, is_htmx_fragment, redirect_to, render_form
from erp.workflow import engine, selectors, services
from erp.workflow.conditions import ConditionError, compile_condition
from erp.workflow.filters import BusinessRuleFilter, DefinitionFilter, DelegationFilter
from erp.workflow.forms import (
    DecisionForm,
    DefinitionForm,
    DelegationForm,
    RuleDeleteForm,
    RuleEditor,
    RuleTestForm,
    StepEditor,
)
from erp.workflow.models import BusinessRule, Delegation, WorkflowDefinition, WorkflowStep
from erp.workflow.subjects import TRIGGER_LABELS, subject_for
from erp.workflow.tables import BusinessRuleTable, DefinitionTable, DelegationTable

RULE_TEMPLATE = "workflow/rule_form.html"
STEP_TEMPLATE = "workflow/step_form.html"


def _describe(condition: dict, subject_label: str) -> str:
    subject = subject_for(subject_label)
    if subject is None:
        return _("(unknown record type)")
    try:
        return compile_condition(condition, subject.fields()).describe()
    except ConditionError as error:
        return _("(cannot be read: %(error)s)") % {"error": error.message}


# --- business rules ----------------------------------------------------------------------------------------


@permission_required("workflow.view_businessrule")
def rule_list(request: HttpRequest) -> HttpResponse:
    filterset = BusinessRuleFilter(request.GET, queryset=selectors.rule_list())
    return list_page(
        request,
        filterset=filterset,
        table_class=BusinessRuleTable,
        title=_("Business rules"),
        export_name="business-rules",
        context={
            "create_url": reverse("workflow:rule-create")
            if request.user.has_perm("workflow.add_businessrule")
            else None,
            "create_label": _("New rule"),
        },
    )


def _rule_form(request: HttpRequest, editor: RuleEditor, *, title: str, cancel_url: str) -> HttpResponse:
    partial = "#form" if is_htmx_fragment(request) and request.method == "POST" else ""
    subject = editor.form.fields["subject"]
    if not subject.disabled:  # choosing the record type re-renders the form with its fields
        subject.widget.attrs.update(
            {
                "hx-post": request.get_full_path(),
                "hx-vals": json.dumps({"_op": "refresh"}),
                "hx-target": "#erp-form",
                "hx-swap": "outerHTML",
                "hx-include": "closest form",
            }
        )
    return TemplateResponse(
        request,
        RULE_TEMPLATE + partial,
        {"editor": editor, "form": editor.form, "title": title, "cancel_url": cancel_url},
    )


def _add_validation_errors(editor: RuleEditor, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        target = field if field in editor.form.fields else None
        for problem in problems:
            editor.form.add_error(target, problem)


@permission_required("workflow.add_businessrule")
def rule_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        editor = RuleEditor(data=request.POST)
        if editor.is_valid():
            try:
                rule = services.rule_create(by=request.user, **editor.values())
            except ValidationError as error:
                _add_validation_errors(editor, error)
            else:
                messages.success(request, _("Rule “%(rule)s” saved.") % {"rule": rule})
                return redirect_to(request, rule.get_absolute_url())
    else:
        editor = RuleEditor()
    return _rule_form(request, editor, title=_("New business rule"), cancel_url=reverse("workflow:rule-list"))


@permission_required("workflow.change_businessrule")
def rule_update(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(BusinessRule, pk=pk)
    if request.method == "POST":
        editor = RuleEditor(data=request.POST, rule=rule)
        if editor.is_valid():
            version = request.POST.get("version", "")
            try:
                rule = services.rule_update(
                    rule=rule,
                    expected_version=int(version) if version.isdigit() else rule.version,
                    by=request.user,
                    **editor.values(),
                )
            except ValidationError as error:
                _add_validation_errors(editor, error)
            except DomainError as error:
                form_error(editor.form, error)
            else:
                messages.success(request, _("Rule “%(rule)s” saved.") % {"rule": rule})
                return redirect_to(request, rule.get_absolute_url())
    else:
        editor = RuleEditor(rule=rule)
    return _rule_form(request, editor, title=_("Edit %(rule)s") % {"rule": rule}, cancel_url=rule.get_absolute_url())


def _action_descriptions(rule: BusinessRule) -> list[str]:
    subject = subject_for(rule.subject)
    if subject is None:
        return []
    fields = subject.fields()
    described = []
    for action in rule.actions:
        try:
            described.append(
                engine.compile_action(action, subject=subject, trigger=rule.trigger, fields=fields).describe()
            )
        except ConditionError as error:
            described.append(_("(cannot be read: %(error)s)") % {"error": error.message})
    return described


@permission_required("workflow.view_businessrule")
def rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(BusinessRule.objects.select_related("created_by", "updated_by"), pk=pk)
    subject = subject_for(rule.subject)
    return TemplateResponse(
        request,
        "workflow/rule_detail.html",
        {
            "title": rule.name,
            "rule": rule,
            "subject_name": subject.name if subject else rule.subject,
            "trigger_label": TRIGGER_LABELS.get(rule.trigger, rule.trigger),
            "condition": _describe(rule.conditions, rule.subject),
            "actions": _action_descriptions(rule),
            "history": rule.history.select_related("history_user").order_by("-history_date")[:20],
            "delete_form": RuleDeleteForm(),
        },
    )


def _records(subject, user) -> Any:
    """The records a rule may be tried on: documents of the user's organizations, or all master data."""
    manager = subject.model._default_manager
    queryset = manager.for_user(user) if hasattr(manager, "for_user") else manager.all()
    return queryset.order_by("-pk")


def _find_record(queryset, number: str):
    for field in ("number", "code"):
        if field in {f.name for f in queryset.model._meta.get_fields()}:
            found = queryset.filter(**{f"{field}__iexact": number}).first()
            if found is not None:
                return found
    return queryset.filter(pk=int(number)).first() if number.isdigit() else None


@permission_required("workflow.view_businessrule")
def rule_test(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(BusinessRule, pk=pk)
    subject = subject_for(rule.subject)
    if subject is None:
        raise Http404
    records = _records(subject, request.user)
    form = RuleTestForm(request.GET or None, records=[(str(r.pk), str(r)) for r in records[:50]])
    result, record = None, None
    if form.is_bound and form.is_valid():
        number = form.cleaned_data["number"].strip()
        chosen = form.cleaned_data["record"]
        record = _find_record(records, number) if number else records.filter(pk=chosen).first() if chosen else None
        if record is None:
            form.add_error("number" if number else "record", _("No such record (that you may see)."))
        else:
            try:
                result = engine.explain_rule(rule, record)
            except ConditionError as error:
                form.add_error(None, error.message)
    return TemplateResponse(
        request,
        "workflow/rule_test.html",
        {"title": _("Try %(rule)s") % {"rule": rule}, "rule": rule, "form": form, "result": result, "record": record},
    )


@require_POST
@permission_required("workflow.change_businessrule")
def rule_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(BusinessRule, pk=pk)
    is_active = request.POST.get("is_active") == "1"
    try:
        services.rule_set_active(rule=rule, is_active=is_active, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The rule is now active.") if is_active else _("The rule is now off."))
    return redirect_to(request, rule.get_absolute_url())


@require_POST
@permission_required("workflow.delete_businessrule")
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(BusinessRule, pk=pk)
    form = RuleDeleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason for the deletion."))
        return redirect_to(request, rule.get_absolute_url())
    services.rule_delete(rule=rule, by=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("Rule “%(rule)s” deleted.") % {"rule": rule})
    return redirect_to(request, reverse("workflow:rule-list"))


# --- approval workflows ----------------------------------------------------------------------------------


@permission_required("workflow.view_workflowdefinition")
def definition_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.definition_list().annotate(step_count=Count("steps"))
    filterset = DefinitionFilter(request.GET, queryset=queryset)
    return list_page(
        request,
        filterset=filterset,
        table_class=DefinitionTable,
        title=_("Approval workflows"),
        export_name="approval-workflows",
        context={
            "create_url": reverse("workflow:definition-create")
            if request.user.has_perm("workflow.add_workflowdefinition")
            else None,
            "create_label": _("New workflow"),
        },
    )


@permission_required("workflow.add_workflowdefinition")
def definition_create(request: HttpRequest) -> HttpResponse:
    form = DefinitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            definition = services.definition_create(
                name=data["name"],
                subject=data["subject"],
                description=data["description"],
                is_active=data["is_active"],
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Workflow saved: now add its steps."))
            return redirect_to(request, definition.get_absolute_url())
    return render_form(
        request, form=form, title=_("New approval workflow"), cancel_url=reverse("workflow:definition-list")
    )


@permission_required("workflow.change_workflowdefinition")
def definition_update(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_object_or_404(WorkflowDefinition, pk=pk)
    form = DefinitionForm(request.POST or None, instance=definition)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            definition = services.definition_update(
                definition=definition,
                expected_version=data["version"] or definition.version,
                name=data["name"],
                description=data["description"],
                is_active=data["is_active"],
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Workflow saved."))
            return redirect_to(request, definition.get_absolute_url())
    return render_form(
        request,
        form=form,
        title=_("Edit %(workflow)s") % {"workflow": definition},
        cancel_url=definition.get_absolute_url(),
    )


@permission_required("workflow.view_workflowdefinition")
def definition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_object_or_404(WorkflowDefinition.objects.select_related("created_by", "updated_by"), pk=pk)
    steps = [
        {"step": step, "condition": _describe(step.condition, definition.subject)}
        for step in definition.steps.select_related("role", "user")
    ]
    subject = subject_for(definition.subject)
    return TemplateResponse(
        request,
        "workflow/definition_detail.html",
        {
            "title": definition.name,
            "definition": definition,
            "subject_name": subject.name if subject else definition.subject,
            "steps": steps,
            "history": definition.history.select_related("history_user").order_by("-history_date")[:20],
        },
    )


def _step_form(request: HttpRequest, editor: StepEditor, *, definition, title: str) -> HttpResponse:
    partial = "#form" if is_htmx_fragment(request) and request.method == "POST" else ""
    return TemplateResponse(
        request,
        STEP_TEMPLATE + partial,
        {
            "editor": editor,
            "form": editor.form,
            "title": title,
            "definition": definition,
            "cancel_url": definition.get_absolute_url(),
        },
    )


def _edit_step(request: HttpRequest, definition: WorkflowDefinition, step: WorkflowStep | None) -> HttpResponse:
    title = (
        _("New step of %(workflow)s") % {"workflow": definition}
        if step is None
        else _("Edit step %(step)s") % {"step": step}
    )
    if request.method != "POST":
        return _step_form(request, StepEditor(definition=definition, step=step), definition=definition, title=title)
    editor = StepEditor(definition=definition, data=request.POST, step=step)
    if editor.is_valid():
        data = editor.form.cleaned_data
        try:
            services.step_save(
                definition=definition,
                step=step,
                name=data["name"],
                position=data["position"],
                role=data["role"],
                user=data["user"],
                mode=data["mode"],
                condition=editor.conditions.condition,
                by=request.user,
            )
        except DomainError as error:
            form_error(editor.form, error)
        else:
            messages.success(request, _("Step saved."))
            return redirect_to(request, definition.get_absolute_url())
    return _step_form(request, editor, definition=definition, title=title)


@permission_required("workflow.change_workflowdefinition")
def step_create(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_object_or_404(WorkflowDefinition, pk=pk)
    return _edit_step(request, definition, None)


@permission_required("workflow.change_workflowdefinition")
def step_update(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    definition = get_object_or_404(WorkflowDefinition, pk=pk)
    step = get_object_or_404(definition.steps, pk=step_pk)
    return _edit_step(request, definition, step)


@require_POST
@permission_required("workflow.change_workflowdefinition")
def step_delete(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    definition = get_object_or_404(WorkflowDefinition, pk=pk)
    step = get_object_or_404(definition.steps, pk=step_pk)
    services.step_delete(step=step, by=request.user)
    messages.success(request, _("Step removed."))
    return redirect_to(request, definition.get_absolute_url())


# --- the approver's queue --------------------------------------------------------------------------------


def _queue_response(request: HttpRequest, *, errors: dict[int, str] | None = None) -> HttpResponse:
    assignments = list(selectors.approval_queue(user=request.user))
    template = "workflow/approval_queue.html" + ("#queue" if is_htmx_fragment(request) else "")
    return TemplateResponse(
        request,
        template,
        {"title": _("Approvals"), "assignments": assignments, "errors": errors or {}},
    )


@login_only
def approval_queue(request: HttpRequest) -> HttpResponse:
    return _queue_response(request)


@require_POST
@login_only
def approval_decide(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(selectors.approval_queue(user=request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _queue_response(request, errors={assignment.pk: _("Please choose approve or reject.")})
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.approval_decide(
            assignment_id=assignment.pk, by=request.user, approve=approve, comment=form.cleaned_data["comment"]
        )
    except DomainError as error:
        if not is_htmx_fragment(request):
            messages.error(request, error.message)
            return redirect_to(request, reverse("workflow:approval-queue"))
        return _queue_response(request, errors={assignment.pk: error.message})
    instance = assignment.task.workflow_instance
    messages.success(
        request,
        (_("You approved %(document)s.") if approve else _("You rejected %(document)s."))
        % {"document": f"{instance.document_kind} {instance.document_label}"},
    )
    if is_htmx_fragment(request):
        response = _queue_response(request)
        response["HX-Trigger"] = json.dumps({"erp:notifications": True})  # the bell re-counts
        return response
    return redirect_to(request, reverse("workflow:approval-queue"))


# --- delegations -------------------------------------------------------------------------------------------


def _manages_delegations(user) -> bool:
    return user.has_perm("workflow.change_delegation")


@login_only
def delegation_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.delegation_list(user=request.user, everyone=_manages_delegations(request.user))
    filterset = DelegationFilter(request.GET, queryset=queryset)
    return list_page(
        request,
        filterset=filterset,
        table_class=DelegationTable,
        title=_("Delegations"),
        export_name="delegations",
        context={"create_url": reverse("workflow:delegation-create"), "create_label": _("New delegation")},
    )


@login_only
def delegation_create(request: HttpRequest) -> HttpResponse:
    for_anyone = _manages_delegations(request.user)
    form = DelegationForm(request.POST or None, user=request.user, for_anyone=for_anyone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.delegation_create(
                user=data["user"],
                delegate=data["delegate"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data["note"],
                by=request.user,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Delegation saved."))
            return redirect_to(request, reverse("workflow:delegation-list"))
    return render_form(request, form=form, title=_("New delegation"), cancel_url=reverse("workflow:delegation-list"))


@require_POST
@login_only
def delegation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    queryset = Delegation.objects.all()
    if not _manages_delegations(request.user):
        queryset = queryset.filter(Q(user=request.user) | Q(created_by=request.user))
    delegation = get_object_or_404(queryset, pk=pk)
    services.delegation_delete(
        delegation=delegation, by=request.user, reason=_("Ended by %(user)s") % {"user": request.user}
    )
    messages.success(request, _("Delegation ended."))
    return redirect_to(request, reverse("workflow:delegation-list"))
