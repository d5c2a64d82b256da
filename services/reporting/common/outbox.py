"""Reporting's outbox tables and the record of events it consumed."""

from __future__ import annotations

from services.reporting.common.base import ReportingTable
from shared.events import OutboxDeliveryBase, OutboxEventBase, ProcessedEventBase


class OutboxEvent(OutboxEventBase, ReportingTable, table=True):
    __tablename__ = "outbox_event"


class OutboxDelivery(OutboxDeliveryBase, ReportingTable, table=True):
    __tablename__ = "outbox_delivery"


class ProcessedEvent(ProcessedEventBase, ReportingTable, table=True):
    __tablename__ = "processed_event"
