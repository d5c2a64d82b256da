"""Every checker table, imported in one place for migrations and tests."""

from services.checker.common.base import mapper_registry
from services.checker.common.outbox import OutboxDelivery, OutboxEvent, ProcessedEvent
from services.checker.emblem.models import EmblemReference
from services.checker.feeds.models import AccountPost
from services.checker.finding.models import Finding, Sighting
from services.checker.plan.models import Plan
from services.checker.probe.models import MonitoredSite, ProbeSample
from services.checker.profile.models import RuleProfile, WordEntry
from services.checker.repost.models import RepostResult, RepostTask
from services.checker.run.models import Run, Task

metadata = mapper_registry.metadata


__all__ = ["AccountPost", "EmblemReference", "Finding", "MonitoredSite", "OutboxDelivery", "OutboxEvent",
           "Plan", "ProbeSample", "ProcessedEvent",
           "RepostResult", "RepostTask", "RuleProfile", "Run", "Sighting", "Task", "WordEntry",
           "metadata"]
