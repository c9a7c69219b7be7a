"""API keys: create, list, revoke, and who a presented key belongs to.

A presented key costs a database query only when it has the form of a key, is not
known to be unknown (negative cache, bounded, `unknown_key_cache_s`), and is not being
looked up already; the per-address throttle in front of this is the middleware's.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from affbill_gateway.adapters.orm import api_keys
from affbill_gateway.domain.keys import (
    MIN_CONFIGURED_LENGTH,
    Role,
    key_digest,
    looks_like_key,
    new_key,
    shown_prefix,
)
from affbill_gateway.domain.throttle import ExpiringLru
from affbill_gateway.service_layer import audit_trail
from affbill_runtime.internal_auth import Identity

SHOWN = (api_keys.c.key_id, api_keys.c.prefix, api_keys.c.name, api_keys.c.role,
         api_keys.c.created_at, api_keys.c.created_by, api_keys.c.revoked_at)
ACTIVE_ADMINS = (select(func.count()).select_from(api_keys)
                 .where(api_keys.c.role == Role.ADMIN, api_keys.c.revoked_at.is_(None)))


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's name is the "who" the services record."""

    key_id: uuid.UUID
    name: str
    role: Role

    @property
    def identity(self) -> Identity:
        """Who the gateway vouches for when it calls a service."""
        return Identity(str(self.key_id), self.name, self.role.value)


class KeyNameTaken(Exception):
    pass


class LastAdmin(Exception):
    pass


class UnknownKey(Exception):
    pass


CACHED_KEYS = 10_000  # good keys, unknown keys, and recently good keys: each at most this


class Keys:
    def __init__(self, engine: AsyncEngine, cache_s: float = 0.0, unknown_key_cache_s: float = 0.0,
                 recently_valid_s: float = 3600.0) -> None:
        self.engine = engine
        self.cache_s = cache_s
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self._unknown = ExpiringLru(CACHED_KEYS, unknown_key_cache_s)
        self._recently_valid = ExpiringLru(CACHED_KEYS, recently_valid_s)
        self._lookups: dict[str, asyncio.Future[Principal | None]] = {}
        self._revocations = 0  # a lookup that saw a revocation happen keeps nothing

    def recently_valid(self, key: str) -> bool:
        """Whether `key` belonged to an active key lately: its holder is no guesser."""
        return bool(key) and key_digest(key) in self._recently_valid

    async def authenticate(self, key: str) -> Principal | None:
        """The active key's owner, or None (unknown, revoked, or not a key at all)."""
        if not looks_like_key(key):
            return None
        digest = key_digest(key)
        hit = self._cache.get(digest)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        if digest in self._unknown:
            return None
        if (pending := self._lookups.get(digest)) is None:
            # one lookup per key at a time: the requests that arrive meanwhile share it
            pending = self._lookups[digest] = asyncio.ensure_future(self._lookup(digest))
            pending.add_done_callback(lambda _: self._lookups.pop(digest, None))
        return await asyncio.shield(pending)

    async def _lookup(self, digest: str) -> Principal | None:
        revocations = self._revocations
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(api_keys.c.key_id, api_keys.c.name, api_keys.c.role)
                                      .where(api_keys.c.key_hash == digest,
                                             api_keys.c.revoked_at.is_(None)))).first()
        principal = Principal(row.key_id, row.name, Role(row.role)) if row else None
        if principal is None:
            self._unknown.add(digest)  # bounded: guessing cannot fill memory
            self._recently_valid.discard(digest)
        elif revocations == self._revocations:
            self._recently_valid.add(digest)
            if self.cache_s > 0:
                if len(self._cache) > CACHED_KEYS:
                    self._cache.clear()
                self._cache[digest] = (time.monotonic() + self.cache_s, principal)
        return principal

    async def create(self, name: str, role: Role, created_by: str | None,
                     key: str | None = None) -> tuple[dict[str, Any], str]:
        """A new key; its clear text is returned this once and never stored."""
        key = key or new_key()
        try:
            async with self.engine.begin() as conn:
                row = (await conn.execute(insert(api_keys).values(
                    key_id=uuid.uuid4(), key_hash=key_digest(key), prefix=shown_prefix(key),
                    name=name, role=role, created_by=created_by).returning(*SHOWN))).one()
                await audit_trail.key_changed(conn, "create", None, row)
        except IntegrityError as exc:
            raise KeyNameTaken(name) from exc
        self._unknown.discard(key_digest(key))
        return dict(row._mapping), key

    async def list(self, limit: int, offset: int, revoked: bool = False
                   ) -> tuple[list[dict[str, Any]], int]:
        where = [] if revoked else [api_keys.c.revoked_at.is_(None)]
        async with self.engine.connect() as conn:
            total = await conn.scalar(select(func.count()).select_from(api_keys).where(*where))
            rows = (await conn.execute(select(*SHOWN).where(*where).order_by(
                api_keys.c.created_at, api_keys.c.key_id).limit(limit).offset(offset))).all()
        return [dict(r._mapping) for r in rows], total or 0

    async def revoke(self, key_id: uuid.UUID) -> dict[str, Any]:
        """Revoke a key (again: nothing changes). The last active admin key stays."""
        async with self.engine.begin() as conn:
            await conn.execute(text("select pg_advisory_xact_lock(hashtext('gateway.api_keys'))"))
            row = (await conn.execute(select(*SHOWN).where(api_keys.c.key_id == key_id))).first()
            if row is None:
                raise UnknownKey(str(key_id))
            if row.revoked_at is not None:
                return dict(row._mapping)
            if row.role == Role.ADMIN and await conn.scalar(ACTIVE_ADMINS) <= 1:
                raise LastAdmin(str(key_id))
            before = row
            row = (await conn.execute(update(api_keys).where(api_keys.c.key_id == key_id)
                                      .values(revoked_at=func.now()).returning(*SHOWN))).one()
            await audit_trail.key_changed(conn, "revoke", before, row)
        self._revocations += 1
        self._cache.clear()
        self._recently_valid.clear()
        return dict(row._mapping)

    async def ensure_bootstrap_admin(self, key: str, name: str) -> bool:
        """Create the configured first admin key unless an active admin key exists."""
        if len(key) < MIN_CONFIGURED_LENGTH or not looks_like_key(key):
            raise ValueError(f"AFFBILL_GATEWAY_BOOTSTRAP_ADMIN_KEY must have at least "
                             f"{MIN_CONFIGURED_LENGTH} printable ASCII characters, no spaces")
        async with self.engine.begin() as conn:
            await conn.execute(text("select pg_advisory_xact_lock(hashtext('gateway.api_keys'))"))
            if await conn.scalar(ACTIVE_ADMINS):
                return False
            row = (await conn.execute(insert(api_keys).values(
                key_id=uuid.uuid4(), key_hash=key_digest(key), prefix=shown_prefix(key),
                name=name, role=Role.ADMIN, created_by="configuration").returning(*SHOWN))).one()
            await audit_trail.key_changed(conn, "create", None, row, audit_trail.CONFIGURATION)
        self._unknown.discard(key_digest(key))
        return True
