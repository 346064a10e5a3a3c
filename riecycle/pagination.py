"""Simple offset pagination for select() statements."""

from dataclasses import dataclass, field
from math import ceil

from sqlalchemy import func, select

from riecycle.extensions import db
from riecycle.inputs import page_number


@dataclass
class Page:
    """Page `page` of `total` items, `per_page` at a time (items: the ones on it, when kept here)."""

    page: int
    per_page: int
    total: int
    items: list = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def page_of(total: int, per_page: int) -> Page:
    """The page asked for with ?page= (clamped to the last one), without loading anything."""
    number = page_number()
    page = Page(number, per_page, total)
    page.page = min(page.page, page.pages)
    return page


def paginate(stmt, per_page: int = 50) -> Page:
    """One page of a select(), with the page number from ?page=."""
    page = page_number()
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=list(items), page=page, per_page=per_page, total=total or 0)
