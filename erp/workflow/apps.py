from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "erp.workflow"
    label = "workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        from erp.core.documents import hooks, timeline
        from erp.workflow import approvals, engine, notifications

        hooks.register_rule_check(engine.rule_check)
        hooks.register_approval_starter(approvals.approval_start)
        hooks.register_approval_handler(approvals.WorkflowApprovals())
        hooks.register_transition_listener(approvals.on_transition)
        hooks.register_transition_listener(notifications.on_document_transition)
        timeline.register(approvals.timeline_entries)
        notifications.register_kinds()
