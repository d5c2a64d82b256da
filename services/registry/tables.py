"""Every registry table, imported in one place for migrations and tests."""

from services.registry.account.models import Account
from services.registry.calendar.models import CalendarYear
from services.registry.common.base import mapper_registry
from services.registry.common.outbox import OutboxDelivery, OutboxEvent
from services.registry.filing.models import Filing
from services.registry.organisation.models import Organisation
from services.registry.region.models import Region
from services.registry.registration.models import RegistrationRequest
from services.registry.website.models import Website

metadata = mapper_registry.metadata

__all__ = ["Account", "CalendarYear", "Filing", "Organisation", "OutboxDelivery",
           "OutboxEvent", "Region", "RegistrationRequest", "Website", "metadata"]
