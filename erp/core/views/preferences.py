"""The signed-in user's notification preferences: which kinds also arrive by e-mail."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from erp.core import notifications
from erp.core.decorators import login_only
from erp.core.web import redirect_to, render_form


class NotificationPreferencesForm(forms.Form):
    def __init__(self, *args, chosen: dict[str, bool], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind in notifications.kinds():
            self.fields[kind.verb] = forms.BooleanField(label=kind.label, required=False, initial=chosen[kind.verb])


@login_only
def notification_preferences(request: HttpRequest) -> HttpResponse:
    form = NotificationPreferencesForm(request.POST or None, chosen=notifications.email_choices(request.user))
    if request.method == "POST" and form.is_valid():
        notifications.preferences_set(user=request.user, email=form.cleaned_data)
        messages.success(request, _("Your notification preferences have been saved."))
        return redirect_to(request, reverse("core:notification-preferences"))
    return render_form(
        request,
        form=form,
        title=_("E-mail notifications"),
        cancel_url=reverse("accounts:profile"),
        template="core/notification_preferences.html",
    )
