"""Every gateway table, imported in one place for migrations and tests."""

from gateway.audit.models import AuditEntry
from gateway.auth.models import ApiKey, OAuthClient
from gateway.common.base import mapper_registry
from gateway.idempotency.models import IdempotencyRecord
from gateway.webhooks import models as webhook_models

metadata = mapper_registry.metadata

__all__ = ["ApiKey", "AuditEntry", "IdempotencyRecord", "OAuthClient", "metadata",
           "webhook_models"]
