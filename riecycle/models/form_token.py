"""One-time tokens of create forms, so a double submit makes one record."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from riecycle.models.base import Base, utcnow


class UsedFormToken(Base):
    """A create form's token, stored in the same transaction as the record it created."""

    __tablename__ = "used_form_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Where the first submit led (its redirect), so a repeat lands on the same result.
    result_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
