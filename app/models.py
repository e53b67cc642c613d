"""Imports every model module so metadata and relationships are complete (Alembic, tests)."""

from app.accounts.models import Officer, Role
from app.accounts.officer_sessions import OfficerSession  # noqa: F401
from app.accounts.throttle import LoginThrottle  # noqa: F401
from app.admin.models import BankAccountChange, PasswordLink  # noqa: F401
from app.backoffice.models import AuditEntry
from app.citizens.models import Citizen  # noqa: F401
from app.core.workdays import CalendarOverride
from app.dossiers.models import Dossier, DossierEvent, DossierFile, DossierSequence
from app.feedback.models import Counter, Feedback, KioskRating, Rating, RatingOfficer, StatsDaily  # noqa: F401,E501
from app.notifications.models import Delivery, Notification, PushSubscription  # noqa: F401
from app.payments.models import BankTransaction, Payment, PaymentEntry, PaymentSequence  # noqa: F401,E501
from app.places.models import Agency, Village, VillageScan, agency_procedures
from app.privacy.models import DataRequest, Incident, SweepRecord  # noqa: F401
from app.procedures.models import Procedure, ProcedureDocument
from app.queues.models import QueueSequence, ServiceQueue, Ticket  # noqa: F401
from app.results.models import ResultDocument

__all__ = [
    "Agency", "AuditEntry", "CalendarOverride", "Dossier", "DossierEvent", "DossierFile",
    "DossierSequence", "Officer", "Procedure", "ProcedureDocument", "ResultDocument", "Role",
    "Village", "VillageScan", "agency_procedures",
]
