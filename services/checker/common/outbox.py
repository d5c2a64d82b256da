"""The checker's outbox tables."""

from __future__ import annotations

from services.checker.common.base import CheckerTable
from shared.events import OutboxDeliveryBase, OutboxEventBase, ProcessedEventBase


class OutboxEvent(OutboxEventBase, CheckerTable, table=True):
    __tablename__ = "outbox_event"


class OutboxDelivery(OutboxDeliveryBase, CheckerTable, table=True):
    __tablename__ = "outbox_delivery"


class ProcessedEvent(ProcessedEventBase, CheckerTable, table=True):
    __tablename__ = "processed_event"
