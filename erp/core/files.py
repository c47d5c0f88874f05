"""Uploaded files, stored per tenant: ``MEDIA_ROOT/<schema>/<folder>/<year>/<month>/<random>.<ext>``.

Nothing under MEDIA_ROOT is served as a public URL. A file reaches the browser only
through a view that looks its record up in the current tenant's schema and checks the
user's permission (``file_response``), so one tenant can never fetch another's files,
not even by guessing a name."""

from __future__ import annotations

import mimetypes
import uuid
from pathlib import PurePosixPath

from django.db import connection
from django.http import FileResponse, Http404
from django.utils import timezone

from erp.core.exceptions import TenantRequired

MAX_UPLOAD_BYTES = 10_000_000


def current_schema() -> str:
    schema = getattr(connection, "schema_name", "") or ""
    if not schema or schema == "public":
        raise TenantRequired("Files belong to a tenant: no tenant schema is active.")
    return schema


def tenant_path(folder: str, filename: str) -> str:
    """Where a new upload goes; the original name only lends its extension."""
    suffix = PurePosixPath(filename or "").suffix.lower()
    suffix = suffix if suffix[1:].isalnum() and len(suffix) <= 10 else ""
    return f"{current_schema()}/{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def belongs_to_tenant(name: str) -> bool:
    """The stored file name lies in the current tenant's folder (a second line of defence)."""
    return bool(name) and name.startswith(f"{current_schema()}/") and ".." not in name


def file_response(field_file, *, download_name: str, as_attachment: bool = True) -> FileResponse:
    """Stream a stored file; 404 when it is missing or outside the tenant's folder."""
    if not field_file or not belongs_to_tenant(field_file.name):
        raise Http404
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(download_name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=as_attachment, filename=download_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0"
    return response
