"""All models, imported so metadata and Alembic see every table."""

from riecycle.models.approval import Approval
from riecycle.models.attachment import Attachment
from riecycle.models.audit import AuditEntry
from riecycle.models.employee import Employee
from riecycle.models.evaluation import Evaluation
from riecycle.models.measure import Measure, MeasureNote, MeasureStatusChange
from riecycle.models.organisation import Organisation
from riecycle.models.rie import Rie, RieTheme, Risk, RiskEvaluation, Toetsing
from riecycle.models.taxonomy import Factor, Theme
from riecycle.models.team import Team
from riecycle.models.user import LoginThrottle, Membership, User
from riecycle.models.voorlichting import Attendance, VoorlichtingSession

__all__ = [
    "Approval",
    "Attendance",
    "Attachment",
    "AuditEntry",
    "Employee",
    "Evaluation",
    "Factor",
    "LoginThrottle",
    "Measure",
    "MeasureNote",
    "MeasureStatusChange",
    "Membership",
    "Organisation",
    "Rie",
    "RieTheme",
    "Risk",
    "RiskEvaluation",
    "Team",
    "Theme",
    "Toetsing",
    "User",
    "VoorlichtingSession",
]
