"""Every reporting table, imported in one place for migrations and tests."""

from services.reporting.circular.models import Circular
from services.reporting.common.base import mapper_registry
from services.reporting.common.outbox import OutboxDelivery, OutboxEvent, ProcessedEvent
from services.reporting.error_report.models import ErrorReport
from services.reporting.notice.models import Notice, NoticeContact
from services.reporting.rectification.models import RectificationEvent, RectificationItem
from services.reporting.result.models import LateFiling, Result

metadata = mapper_registry.metadata

__all__ = ["Circular", "ErrorReport", "LateFiling", "Notice", "NoticeContact", "OutboxDelivery",
           "OutboxEvent", "ProcessedEvent", "RectificationEvent", "RectificationItem", "Result", "metadata"]
