"""Handed-over copies of the report "RI&E en Plan van Aanpak PSA" (riecycle/services/report).

Each copy keeps the file itself, its SHA-256, the date, who made it and for whom, so the list
shows what was given to whom. A large report is made by the scheduler process: the copy waits
(wachtend) until the job has written it (klaar) or gave up (mislukt).
"""

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from riecycle.models.base import Base, one_of
from riecycle.models.mixins import DomainMixin

if TYPE_CHECKING:
    from riecycle.models.user import User


class ReportFormat(StrEnum):
    PDF = "pdf"
    DOCX = "docx"


class ReportAudience(StrEnum):
    """For whom the copy was made."""

    INSPECTIE = "inspectie"
    OR = "or"
    INTERN = "intern"


class ReportState(StrEnum):
    WACHTEND = "wachtend"
    KLAAR = "klaar"
    MISLUKT = "mislukt"


REPORT_FORMATS = tuple(ReportFormat)
REPORT_AUDIENCES = tuple(ReportAudience)
REPORT_STATES = tuple(ReportState)


class ReportCopy(DomainMixin, Base):
    __tablename__ = "report_copies"
    __audit_label__ = "Overgedragen rapport"
    __audit_exclude__ = ("data", "annex_data", "error")
    __table_args__ = (
        Index("ix_report_copies_state", "state", "created_at"),
        one_of("format", ReportFormat),
        one_of("audience", ReportAudience),
        one_of("state", ReportState),
        one_of("lang", ("nl", "en")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[str] = mapped_column(String(10))
    lang: Mapped[str] = mapped_column(String(5), default="nl")
    audience: Mapped[str] = mapped_column(String(20))
    # The day whose state the report shows (None: the day it was made).
    as_of: Mapped[date | None]
    report_date: Mapped[date]
    state: Mapped[str] = mapped_column(String(20), default="wachtend")
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    # A summarised report names the evidence workbook as its complete annex: kept with it.
    annex_filename: Mapped[str | None] = mapped_column(String(255))
    annex_sha256: Mapped[str | None] = mapped_column(String(64))
    annex_data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)

    made_by: Mapped["User | None"] = relationship("User", lazy="joined")

    @property
    def label(self) -> str:
        return self.filename
