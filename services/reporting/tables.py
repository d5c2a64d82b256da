"""Every reporting table, imported in one place for migrations and tests."""

from services.reporting.attachment.models import Attachment
from services.reporting.circular.models import Circular
from services.reporting.common.base import mapper_registry
from services.reporting.common.outbox import OutboxDelivery, OutboxEvent, ProcessedEvent
from services.reporting.consolidation.models import ConsolidationDecision
from services.reporting.dispute.models import Dispute
from services.reporting.error_report.models import ErrorReport
from services.reporting.notice.models import Notice, NoticeContact
from services.reporting.practice.models import Practice, PracticeVersion
from services.reporting.rectification.models import RectificationEvent, RectificationItem
from services.reporting.repost.models import RepostCopy
from services.reporting.result.models import LateFiling, Result

metadata = mapper_registry.metadata

__all__ = ["Attachment", "Circular", "ConsolidationDecision", "Dispute", "ErrorReport",
           "LateFiling", "Notice", "NoticeContact", "OutboxDelivery", "OutboxEvent", "Practice",
           "PracticeVersion", "ProcessedEvent", "RectificationEvent", "RectificationItem", "RepostCopy",
           "Result",
           "metadata"]
