"""All models, imported so metadata and Alembic see every table."""

from riecycle.models.approval import Approval
from riecycle.models.attachment import Attachment
from riecycle.models.audit import AuditContent, AuditEntry
from riecycle.models.employee import Employee
from riecycle.models.evaluation import Evaluation, EvaluationFactorScore
from riecycle.models.form_token import UsedFormToken
from riecycle.models.incident import Incident, IncidentAnalysis
from riecycle.models.measure import Measure, MeasureNote, MeasureStatusChange
from riecycle.models.organisation import Organisation
from riecycle.models.plan import CatalogueEntry, MeasureScore, PlanComment, PlanParticipation, PlanVersion
from riecycle.models.policy import ArbodienstContract, PolicyInstrument, PreventiemedewerkerAppointment
from riecycle.models.pulse import (
    PulseAnswer,
    PulseResponse,
    PulseRound,
    PulseRoundTeam,
    PulseSurvey,
    PulseToken,
    WegwijzerCheck,
)
from riecycle.models.reminders import Notification, ReminderLedger
from riecycle.models.report import ReportCopy
from riecycle.models.rie import (
    OnderzoekScore,
    OnderzoekTeam,
    Rie,
    RieTheme,
    Risk,
    RiskEvaluation,
    Toetsing,
    VerdiependOnderzoek,
)
from riecycle.models.sso import SsoConfig, SsoDomain, SsoIdentity
from riecycle.models.taxonomy import Factor, Theme
from riecycle.models.team import Team
from riecycle.models.user import Invitation, LoginThrottle, Membership, RecoveryCode, User, UserSession
from riecycle.models.voorlichting import Attendance, VoorlichtingSession
from riecycle.models.zelfinspectie import ChecklistAnswer, ChecklistRun

__all__ = [
    "Approval",
    "ArbodienstContract",
    "Attendance",
    "Attachment",
    "AuditContent",
    "AuditEntry",
    "CatalogueEntry",
    "ChecklistAnswer",
    "ChecklistRun",
    "Employee",
    "Evaluation",
    "EvaluationFactorScore",
    "Factor",
    "Incident",
    "IncidentAnalysis",
    "Invitation",
    "LoginThrottle",
    "Measure",
    "MeasureNote",
    "MeasureScore",
    "MeasureStatusChange",
    "Membership",
    "Notification",
    "OnderzoekScore",
    "OnderzoekTeam",
    "Organisation",
    "PlanComment",
    "PlanParticipation",
    "PlanVersion",
    "PolicyInstrument",
    "PreventiemedewerkerAppointment",
    "PulseAnswer",
    "PulseResponse",
    "PulseRound",
    "PulseRoundTeam",
    "PulseSurvey",
    "PulseToken",
    "RecoveryCode",
    "ReminderLedger",
    "ReportCopy",
    "Rie",
    "RieTheme",
    "Risk",
    "RiskEvaluation",
    "SsoConfig",
    "SsoDomain",
    "SsoIdentity",
    "Team",
    "Theme",
    "Toetsing",
    "User",
    "UsedFormToken",
    "UserSession",
    "VerdiependOnderzoek",
    "VoorlichtingSession",
    "WegwijzerCheck",
]
