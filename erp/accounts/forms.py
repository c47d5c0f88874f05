from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from erp.accounts import throttle
from erp.accounts.models import User, time_zone_choices
from erp.accounts.roles import label as role_label
from erp.core.models import Organization


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses further attempts after repeated failures for the same e-mail."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("E-mail address or password is wrong."),
        "locked": _("Too many failed sign-in attempts. Please wait %(minutes)d minutes and try again."),
    }

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mail address")
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "autofocus": True})

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        if email and throttle.is_locked(self.request, email):
            from django.conf import settings

            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": max(1, settings.ERP_LOGIN_LOCKOUT_SECONDS // 60)},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            if email:
                throttle.record_failure(self.request, email)
            raise
        throttle.reset(self.request, email)
        return cleaned


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Also reaches invited users who have not chosen a password yet.

    Django's form skips users with an unusable password; here every account is a
    local one, so an invitation (and a lost invitation) is a password reset too."""

    def get_users(self, email: str):
        return User.objects.filter(email__iexact=email.strip(), is_active=True)


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Group) -> str:
        return role_label(obj.name)


class OrganizationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name} ({obj.code})"


class UserForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    roles = RoleChoiceField(
        label=_("Roles"),
        queryset=Group.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organizations = OrganizationChoiceField(
        label=_("Organizations"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Access to an organization includes its sub-organizations."),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = Organization.objects.for_user(user).active().order_by("name")


class UserCreateForm(UserForm):
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to send an invitation e-mail in which the user sets their own password."),
    )

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            password_validation.validate_password(password)
        return password


class UserEditForm(UserForm):
    is_active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("Deactivated users cannot sign in; their history stays.")
    )

    def __init__(self, *args, granted: list[Organization] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.granted = list(granted)

    def clean_organizations(self) -> list[Organization]:
        """The chosen organizations, plus the user's grants this form does not offer (deactivated ones,
        or ones outside the editor's own access), which an edit must not silently take away."""
        offered = set(self.fields["organizations"].queryset.values_list("pk", flat=True))
        kept = [organization for organization in self.granted if organization.pk not in offered]
        return [*self.cleaned_data["organizations"], *kept]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "language", "time_zone"]


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)

    def __init__(self, *args, instance: Group | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance = instance

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Group.objects.filter(name__iexact=name)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("A role with this name already exists."))
        return name
