"""The base of every document's line formset."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet


class DocumentLineFormSet(forms.BaseInlineFormSet):
    """Line formsets of the generic document screens derive from this.

    - ``organizations``: when a line has an ``organization`` field, the organizations the user
      works in (the screens pass them), so a line cannot be booked to another one;
    - ``shared_choice_fields``: select fields whose choices every row renders from one query
      instead of one query per row (e.g. the account of a journal line)."""

    shared_choice_fields: tuple[str, ...] = ()

    def __init__(self, *args, organizations: QuerySet | None = None, **kwargs) -> None:
        self.organizations = organizations
        self._choices: dict[str, list] = {}
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        self._prepare(form)
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        self._prepare(form)
        return form

    def _prepare(self, form: forms.BaseForm) -> None:
        if self.organizations is not None and "organization" in form.fields:
            form.fields["organization"].queryset = self.organizations
        for name in self.shared_choice_fields:
            if name not in self._choices:
                self._choices[name] = list(form.fields[name].choices)
            form.fields[name].widget.choices = self._choices[name]
