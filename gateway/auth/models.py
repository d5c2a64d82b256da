"""Credential tables: API keys and OAuth2 clients, each with roles, a scope and a hashed secret."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from gateway.common.base import GatewayTable
from shared.db import UTCDateTime


class CredentialBase(SQLModel):
    """What an API key and an OAuth2 client share: who it is, what it may do, its secret."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200)
    roles: list[str] = Field(sa_type=JSON)
    all_regions: bool = False
    regions: list[str] = Field(default_factory=list, sa_type=JSON)
    organisations: list[str] = Field(default_factory=list, sa_type=JSON)
    # The region of each organisation when the credential was made, so a supervisor's listing
    # can tell which organisation-scoped credentials lie inside its region without the registry.
    anchor_regions: list[str] = Field(default_factory=list, sa_type=JSON)
    # HMAC-SHA256(salt, secret): the secret is 256 random bits, so a slow hash buys nothing and
    # would cost every request; the salt keeps equal hashes from ever meaning equal secrets.
    salt: str = Field(max_length=64)
    secret_hash: str = Field(max_length=64)
    # The last four characters of the secret, to tell keys apart in a listing.
    hint: str = Field(max_length=8)
    # Bumped by each rotation; OAuth2 tokens carry it, so rotating kills the tokens issued before.
    generation: int = 1
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)
    rotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiKey(CredentialBase, GatewayTable, table=True):
    __tablename__ = "api_key"


class OAuthClient(CredentialBase, GatewayTable, table=True):
    __tablename__ = "oauth_client"
