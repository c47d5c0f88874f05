"""Files attached to records: upload, list, download, remove.

A module gives a model attachments with one line in its URLs::

    *attachment_urls(Partner, prefix="partners", name="partner",
                     view_perm="partners.view_partner", change_perm="partners.change_partner")

which adds ``<prefix>/<pk>/attachments/`` (POST: upload), ``…/<attachment>/`` (download) and
``…/<attachment>/delete/`` (POST). Downloading needs the record's view permission, uploading
and removing its change permission; the record is looked up in the current tenant, so an id
of another tenant's record is a 404. Files are stored per tenant (``erp.core.files``)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from erp.core import events
from erp.core.decorators import permission_required
from erp.core.exceptions import DomainError
from erp.core.files import MAX_UPLOAD_BYTES, file_response
from erp.core.models import Attachment
from erp.core.web import redirect_to

# Files a browser would run rather than save are refused outright.
REFUSED_SUFFIXES = frozenset({".exe", ".bat", ".cmd", ".com", ".msi", ".scr", ".js", ".vbs", ".ps1", ".sh", ".jar"})


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    description = forms.CharField(label=gettext_lazy("Description"), max_length=255, required=False)


def attachments_of(record: models.Model) -> models.QuerySet[Attachment]:
    content_type = ContentType.objects.get_for_model(type(record))
    return Attachment.objects.filter(content_type=content_type, object_id=str(record.pk)).select_related("created_by")


@transaction.atomic
def attachment_add(*, record: models.Model, upload, description: str = "", by) -> Attachment:
    name = (upload.name or "").rsplit("/", 1)[-1][:255] or "file"
    if upload.size > MAX_UPLOAD_BYTES:
        raise DomainError(
            _("The file is larger than %(size)d MB.") % {"size": MAX_UPLOAD_BYTES // 1_000_000}, field="file"
        )
    if not upload.size:
        raise DomainError(_("The file is empty."), field="file")
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in REFUSED_SUFFIXES:
        raise DomainError(_("Programs and scripts cannot be attached."), field="file")
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=str(record.pk),
        original_name=name,
        size=upload.size,
        description=description.strip(),
        created_by=by,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    events.record(verb=f"{record._meta.label_lower}.attachment_added", target=record, actor=by, data={"file": name})
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, record: models.Model, by) -> None:
    name = attachment.original_name
    stored = attachment.file
    attachment.delete()
    events.record(verb=f"{record._meta.label_lower}.attachment_removed", target=record, actor=by, data={"file": name})
    transaction.on_commit(lambda: stored.storage.delete(stored.name))


@dataclass(frozen=True)
class AttachmentUrls:
    """The URL names of one model's attachment views (for templates)."""

    upload: str
    download: str
    delete: str


def url_names(namespace: str, name: str) -> AttachmentUrls:
    return AttachmentUrls(
        upload=f"{namespace}:{name}-attachment-upload",
        download=f"{namespace}:{name}-attachment-download",
        delete=f"{namespace}:{name}-attachment-delete",
    )


def panel_context(record: models.Model, *, namespace: str, name: str, can_change: bool) -> dict:
    """What ``components/_attachments.html`` shows for ``record``."""
    names = url_names(namespace, name)
    return {
        "attachments": [
            {
                "attachment": attachment,
                "url": reverse(names.download, args=[record.pk, attachment.pk]),
                "delete_url": reverse(names.delete, args=[record.pk, attachment.pk]) if can_change else None,
            }
            for attachment in attachments_of(record)
        ],
        "attachment_upload_url": reverse(names.upload, args=[record.pk]) if can_change else None,
        "attachment_form": AttachmentForm() if can_change else None,
    }


def attachment_urls(model: type[models.Model], *, name: str, view_perm: str, change_perm: str, route: str) -> list:
    """URL patterns for the attachments of ``model`` under ``<route>/<pk>/attachments/``."""

    def record_of(pk: int) -> models.Model:
        return get_object_or_404(model._default_manager, pk=pk)

    @require_POST
    @permission_required(change_perm)
    def upload(request: HttpRequest, pk: int) -> HttpResponse:
        record = record_of(pk)
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Choose a file to attach."))
        else:
            try:
                attachment = attachment_add(
                    record=record,
                    upload=form.cleaned_data["file"],
                    description=form.cleaned_data["description"],
                    by=request.user,
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("%(file)s attached.") % {"file": attachment.original_name})
        return redirect_to(request, record.get_absolute_url())

    @permission_required(view_perm)
    def download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
        record = record_of(pk)
        attachment = get_object_or_404(attachments_of(record), pk=attachment_pk)
        return file_response(attachment.file, download_name=attachment.original_name)

    @require_POST
    @permission_required(change_perm)
    def delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
        record = record_of(pk)
        attachment = get_object_or_404(attachments_of(record), pk=attachment_pk)
        attachment_remove(attachment=attachment, record=record, by=request.user)
        messages.success(request, _("%(file)s removed.") % {"file": attachment.original_name})
        return redirect_to(request, record.get_absolute_url())

    base = f"{route}/<int:pk>/attachments/" if route else "<int:pk>/attachments/"
    return [
        path(base, upload, name=f"{name}-attachment-upload"),
        path(f"{base}<int:attachment_pk>/", download, name=f"{name}-attachment-download"),
        path(f"{base}<int:attachment_pk>/delete/", delete, name=f"{name}-attachment-delete"),
    ]
