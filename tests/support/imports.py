"""Uploading an import as a user, and counting what an import may have written."""

from io import BytesIO

from sqlalchemy import func, select

from riecycle.extensions import db
from riecycle.models import Attachment, Employee, Measure, MeasureStatusChange, Risk, RiskEvaluation, Team


def counts() -> tuple:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Risk, RiskEvaluation, Measure, MeasureStatusChange, Team, Employee)
    ) + (db.session.scalar(select(func.count()).select_from(Attachment)),)


def upload(client, data: bytes, filename="plan.xlsx", kind="plan"):
    return client.post(
        "/o/acme/export/importeren",
        data={"kind": kind, "file": (BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
