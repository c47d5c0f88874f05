from django.urls import path

from erp.workflow import views

app_name = "workflow"

urlpatterns = [
    path("approvals/", views.approval_queue, name="approval-queue"),
    path("approvals/<int:pk>/decide/", views.approval_decide, name="approval-decide"),
    path("rules/", views.rule_list, name="rule-list"),
    path("rules/new/", views.rule_create, name="rule-create"),
    path("rules/<int:pk>/", views.rule_detail, name="rule-detail"),
    path("rules/<int:pk>/edit/", views.rule_update, name="rule-update"),
    path("rules/<int:pk>/try/", views.rule_test, name="rule-test"),
    path("rules/<int:pk>/active/", views.rule_set_active, name="rule-set-active"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule-delete"),
    path("workflows/", views.definition_list, name="definition-list"),
    path("workflows/new/", views.definition_create, name="definition-create"),
    path("workflows/<int:pk>/", views.definition_detail, name="definition-detail"),
    path("workflows/<int:pk>/edit/", views.definition_update, name="definition-update"),
    path("workflows/<int:pk>/steps/new/", views.step_create, name="step-create"),
    path("workflows/<int:pk>/steps/<int:step_pk>/edit/", views.step_update, name="step-update"),
    path("workflows/<int:pk>/steps/<int:step_pk>/delete/", views.step_delete, name="step-delete"),
    path("delegations/", views.delegation_list, name="delegation-list"),
    path("delegations/new/", views.delegation_create, name="delegation-create"),
    path("delegations/<int:pk>/end/", views.delegation_delete, name="delegation-delete"),
]
