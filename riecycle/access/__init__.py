"""The one policy layer for who may see what (docs/domain.md §9).

Roles and permissions (roles.py), who is looking (viewer.py), visibility as SQL (filters.py),
the pseudonym of an individual measure (pseudonym.py), who may read and delete which documents
(documents.py) and the audit log as a viewer may read it (audit.py). Views, exports, the
checklist rules, the calendar, mails and notifications ask this package; none decides itself.
"""

from riecycle.access.pseudonym import pseudonym, pseudonym_of
from riecycle.access.roles import (
    ALL_ROLES,
    AUDITOR,
    BEHEERDER,
    LEIDINGGEVENDE,
    OR_LID,
    PERMISSIONS,
    PREVENTIE,
    ROLE_LABELS,
    role_can,
)
from riecycle.access.viewer import Viewer, current_viewer, viewer_for, viewer_of

__all__ = [
    "ALL_ROLES",
    "AUDITOR",
    "BEHEERDER",
    "LEIDINGGEVENDE",
    "OR_LID",
    "PERMISSIONS",
    "PREVENTIE",
    "ROLE_LABELS",
    "Viewer",
    "current_viewer",
    "pseudonym",
    "pseudonym_of",
    "role_can",
    "viewer_for",
    "viewer_of",
]
