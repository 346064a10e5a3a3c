"""Uploaded documents: size limit, content check by magic bytes, SHA-256, stored in the database."""

import hashlib
import mimetypes
import zipfile
from io import BytesIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.utils import secure_filename

from riecycle.extensions import db
from riecycle.models import Attachment
from riecycle.services import ServiceError

# Allowed document types: extension -> content type. The content must match (sniffed).
ALLOWED = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain",
    "csv": "text/csv",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
}
OOXML_MARKER = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


def _sniff_ok(ext: str, data: bytes) -> bool:
    """Whether the bytes really are the kind of file the extension claims."""
    if ext == "pdf":
        return data.startswith(b"%PDF-")
    if ext == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("jpg", "jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if ext in ("txt", "csv"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return b"\x00" not in data
    if ext in OOXML_MARKER or ext == "odt":
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError):
            return False
        if ext == "odt":
            return "mimetype" in names
        return any(n.startswith(OOXML_MARKER[ext]) for n in names) and not any(
            n.lower().endswith("vbaproject.bin") for n in names
        )
    return False


def validate_upload(filename: str, data: bytes) -> tuple[str, str]:
    """Return (safe filename, content type) or raise ServiceError; stores nothing."""
    safe = secure_filename(filename or "") or "document"
    ext = safe.rsplit(".", 1)[-1].lower() if "." in safe else ""
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    if not data:
        raise ServiceError(_("Het bestand is leeg."), "file")
    if len(data) > limit:
        raise ServiceError(
            _("Het bestand is te groot (maximaal %(mb)s MB).", mb=limit // (1024 * 1024)), "file"
        )
    if ext not in ALLOWED:
        raise ServiceError(
            _("Dit bestandstype is niet toegestaan. Toegestaan: %(t)s.", t=", ".join(sorted(ALLOWED))),
            "file",
        )
    if not _sniff_ok(ext, data):
        raise ServiceError(_("De inhoud van het bestand past niet bij de extensie .%(e)s.", e=ext), "file")
    return safe, ALLOWED[ext]


def store(org, owner_type: str, owner_id: int, filename: str, data: bytes, user=None) -> Attachment:
    """Validate and store one document for a record."""
    safe, content_type = validate_upload(filename, data)
    attachment = Attachment(
        organisation_id=org.id,
        owner_type=owner_type,
        owner_id=owner_id,
        filename=safe,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by_id=user.id if user else None,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def store_upload(org, owner_type: str, owner_id: int, file_storage, user=None) -> Attachment | None:
    """Store a werkzeug FileStorage from a form; None when no file was chosen."""
    if file_storage is None or not getattr(file_storage, "filename", ""):
        return None
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    data = file_storage.stream.read(limit + 1)
    return store(org, owner_type, owner_id, file_storage.filename, data, user)


def for_owner(owner_type: str, owner_id: int) -> list[Attachment]:
    """The documents of one record, oldest first (data not loaded)."""
    return list(
        db.session.scalars(
            select(Attachment)
            .where(
                Attachment.owner_type == owner_type,
                Attachment.owner_id == owner_id,
                Attachment.deleted_at.is_(None),
            )
            .order_by(Attachment.created_at)
        )
    )


def guess_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"
