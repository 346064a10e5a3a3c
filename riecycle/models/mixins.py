"""Column mixins: timestamps, soft delete and organisation scope."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from riecycle.models.base import utcnow


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SoftDeleteMixin:
    deleted_at: Mapped[datetime | None] = mapped_column(default=None, index=True)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class OrgScopedMixin:
    """A record that belongs to exactly one organisation (the tenant)."""

    @declared_attr
    def organisation_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("organisations.id"), index=True)


class DomainMixin(OrgScopedMixin, TimestampMixin, SoftDeleteMixin):
    """Tenant-scoped, timestamped, soft-deleted and audited."""

    __audited__ = True
