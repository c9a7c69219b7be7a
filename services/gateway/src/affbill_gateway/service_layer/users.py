"""The web UI's users and sessions: create, list, change, sign in, find the signed-in user.

A session row holds the SHA-256 of the cookie's id, its CSRF token and its expiry; a
disabled user's sessions end with the change, and an expired or unknown session is
nobody. Every change to a user is in the audit trail with who did it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from affbill_gateway.adapters.orm import ui_sessions, ui_users
from affbill_gateway.domain import users as rules
from affbill_gateway.domain.keys import Role
from affbill_gateway.service_layer.keys import Principal
from affbill_runtime import audit
from affbill_runtime.acting import Actor

UI_USER = "ui_user"
SHOWN = (ui_users.c.user_id, ui_users.c.username, ui_users.c.display_name, ui_users.c.role,
         ui_users.c.disabled, ui_users.c.created_at, ui_users.c.created_by)
ACTIVE_ADMINS = (select(func.count()).select_from(ui_users)
                 .where(ui_users.c.role == Role.ADMIN, ui_users.c.disabled.is_(False)))


@dataclass(frozen=True)
class SignedIn:
    """The user of a live session, with the token its POSTs must carry."""

    user_id: uuid.UUID
    username: str
    display_name: str
    role: Role
    csrf_token: str

    @property
    def principal(self) -> Principal:
        """The user as the API sees a caller: the username is the "who" services record."""
        return Principal(self.user_id, self.username, self.role)


class UsernameTaken(Exception):
    pass


class UnknownUser(Exception):
    pass


class LastAdminUser(Exception):
    pass


def _row(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


class Users:
    def __init__(self, engine: AsyncEngine, session_hours: float = 12.0) -> None:
        self.engine = engine
        self.session_s = session_hours * 3600

    async def create(self, username: str, display_name: str, role: Role,
                     password: str | None, who: Actor) -> dict[str, Any]:
        """A new user (ValueError names a bad username or password)."""
        rules.check_username(username)
        hashed = rules.hash_password(password) if password is not None else None
        try:
            async with self.engine.begin() as conn:
                row = (await conn.execute(insert(ui_users).values(
                    user_id=uuid.uuid4(), username=username,
                    display_name=display_name.strip() or username, role=role,
                    password_hash=hashed, created_by=who.name).returning(*SHOWN))).one()
                await audit.record(conn, entity_kind=UI_USER, entity_id=row.user_id,
                                   action="create", after=_row(row), who=who)
        except IntegrityError as exc:
            raise UsernameTaken(username) from exc
        return _row(row)

    async def list(self) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(*SHOWN).order_by(ui_users.c.username))).all()
        return [_row(r) for r in rows]

    async def change(self, user_id: uuid.UUID, who: Actor, *, role: Role | None = None,
                     disabled: bool | None = None, password: str | None = None
                     ) -> dict[str, Any]:
        """Change a user's role, disabled flag or password; the last active admin stays
        one. Disabling or a new password ends the user's sessions."""
        values: dict[str, Any] = {k: v for k, v in (("role", role), ("disabled", disabled))
                                  if v is not None}
        if password is not None:
            values["password_hash"] = rules.hash_password(password)
        async with self.engine.begin() as conn:
            await conn.execute(text("select pg_advisory_xact_lock(hashtext('gateway.ui_users'))"))
            before = (await conn.execute(select(*SHOWN).where(
                ui_users.c.user_id == user_id))).first()
            if before is None:
                raise UnknownUser(str(user_id))
            row = (await conn.execute(update(ui_users).where(ui_users.c.user_id == user_id)
                                      .values(**values).returning(*SHOWN))).one()
            if before.role == Role.ADMIN and not before.disabled and \
                    (row.role != Role.ADMIN or row.disabled) and not await conn.scalar(
                        ACTIVE_ADMINS):
                raise LastAdminUser(str(user_id))
            if row.disabled or password is not None:
                await conn.execute(delete(ui_sessions).where(ui_sessions.c.user_id == user_id))
            await audit.record(conn, entity_kind=UI_USER, entity_id=user_id, action="change",
                               before=_row(before), after=_row(row), who=who)
        return _row(row)

    async def sign_in(self, username: str, password: str) -> tuple[str, SignedIn] | None:
        """A new session (its id for the cookie) when the password is right and the user
        active; None otherwise, at the same cost whether or not the user exists."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(*SHOWN, ui_users.c.password_hash).where(
                ui_users.c.username == username))).first()
        if not rules.password_matches(row.password_hash if row else None, password) \
                or row is None or row.disabled:
            return None
        return await self._open_session(row)

    async def _open_session(self, row: Any) -> tuple[str, SignedIn]:
        session_id, csrf = rules.new_session_id(), rules.new_csrf_token()
        now = dt.datetime.now(dt.UTC)
        async with self.engine.begin() as conn:
            await conn.execute(delete(ui_sessions).where(ui_sessions.c.expires_at < now))
            await conn.execute(insert(ui_sessions).values(
                session_hash=rules.session_digest(session_id), user_id=row.user_id,
                csrf_token=csrf, expires_at=rules.expires(now, self.session_s)))
        return session_id, SignedIn(row.user_id, row.username, row.display_name,
                                    Role(row.role), csrf)

    async def session(self, session_id: str) -> SignedIn | None:
        """The active user of a live session, or None."""
        if not session_id or len(session_id) > 100:
            return None
        async with self.engine.connect() as conn:
            row = (await conn.execute(
                select(ui_users.c.user_id, ui_users.c.username, ui_users.c.display_name,
                       ui_users.c.role, ui_sessions.c.csrf_token)
                .join(ui_users, ui_users.c.user_id == ui_sessions.c.user_id)
                .where(ui_sessions.c.session_hash == rules.session_digest(session_id),
                       ui_sessions.c.expires_at > func.now(),
                       ui_users.c.disabled.is_(False)))).first()
        return SignedIn(row.user_id, row.username, row.display_name, Role(row.role),
                        row.csrf_token) if row else None

    async def sign_out(self, session_id: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(delete(ui_sessions).where(
                ui_sessions.c.session_hash == rules.session_digest(session_id)))

    async def single_sign_on(self, username: str, display_name: str | None,
                             role: Role | None) -> tuple[str, SignedIn] | None:
        """A session for a user the trusted proxy vouches for: known and active, or new
        with `role` (None: an unknown user is refused)."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(*SHOWN).where(
                ui_users.c.username == username))).first()
        if row is None:
            if role is None:
                return None
            try:
                await self.create(username, display_name or username, role, None,
                                  Actor("single sign-on"))
            except UsernameTaken:
                pass  # created by a request of the same user meanwhile
            async with self.engine.connect() as conn:
                row = (await conn.execute(select(*SHOWN).where(
                    ui_users.c.username == username))).one()
        if row.disabled:
            return None
        return await self._open_session(row)

    async def ensure_bootstrap_admin(self, username: str, password: str) -> bool:
        """Create the configured first admin user unless an active admin user exists."""
        async with self.engine.begin() as conn:
            await conn.execute(text("select pg_advisory_xact_lock(hashtext('gateway.ui_users'))"))
            if await conn.scalar(ACTIVE_ADMINS):
                return False
            exists = await conn.scalar(select(ui_users.c.user_id).where(
                ui_users.c.username == username))
            if exists:
                return False
            row = (await conn.execute(insert(ui_users).values(
                user_id=uuid.uuid4(), username=rules.check_username(username),
                display_name=username, role=Role.ADMIN,
                password_hash=rules.hash_password(password),
                created_by="configuration").returning(*SHOWN))).one()
            await audit.record(conn, entity_kind=UI_USER, entity_id=row.user_id,
                               action="create", after=_row(row), who=Actor("configuration"))
        return True
