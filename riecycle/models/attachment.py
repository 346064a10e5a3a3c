"""Uploaded documents, stored in the database so every app machine can serve them."""

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from riecycle.models.base import Base
from riecycle.models.mixins import DomainMixin


class Attachment(DomainMixin, Base):
    __tablename__ = "attachments"
    __audit_label__ = "Document"
    __audit_exclude__ = ("data",)
    __table_args__ = (Index("ix_attachment_owner", "owner_type", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The record it belongs to, e.g. ("rie", 3) or ("measure", 12).
    owner_type: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def label(self) -> str:
        return self.filename

    @property
    def audit_personal(self) -> bool:
        from riecycle.models.measure import measure_is_personal

        return self.owner_type == "measure" and measure_is_personal(self, self.owner_id)
