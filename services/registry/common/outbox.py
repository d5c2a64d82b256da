"""The registry's outbox tables."""

from __future__ import annotations

from services.registry.common.base import RegistryTable
from shared.events import OutboxDeliveryBase, OutboxEventBase


class OutboxEvent(OutboxEventBase, RegistryTable, table=True):
    __tablename__ = "outbox_event"


class OutboxDelivery(OutboxDeliveryBase, RegistryTable, table=True):
    __tablename__ = "outbox_delivery"
