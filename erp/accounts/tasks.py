"""Background work for users of a tenant."""

from __future__ import annotations

from django.utils import translation

from erp.core.tasks import tenant_task


@tenant_task(retries=3, retry_delay=30)
def send_invitation_email(*, user_id: int, domain: str, use_https: bool) -> None:
    """E-mail a new user the link to choose their password, in their language.

    Sent after the user is committed, so a failing mail server neither loses the user
    nor leaves them half-created; huey retries the delivery."""
    from erp.accounts.forms import PasswordResetForm
    from erp.accounts.models import User

    user = User.objects.get(pk=user_id)
    form = PasswordResetForm({"email": user.email})
    if not form.is_valid():
        return
    with translation.override(user.language):
        form.save(
            domain_override=domain,
            use_https=use_https,
            subject_template_name="accounts/email/invitation_subject.txt",
            email_template_name="accounts/email/invitation.txt",
        )
