"""Admin: the UI's users (create, role, disable, new password) and the API keys (through
the API's own /keys routes, so the audit trail names the admin)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from affbill_gateway.domain.keys import Role
from affbill_gateway.entrypoints.web.api import ApiProblem
from affbill_gateway.entrypoints.web.render import page, see_other
from affbill_gateway.entrypoints.web.session import Admin, AdminReader, api_for, flash
from affbill_gateway.service_layer.users import (
    LastAdminUser,
    SignedIn,
    UnknownUser,
    UsernameTaken,
    Users,
)
from affbill_runtime.acting import Actor

Text = Annotated[str, Form(max_length=200)]


def _who(request: Request, user: SignedIn) -> Actor:
    return Actor(user.username, user.role.value, request.state.request_id)


def build_router() -> APIRouter:
    router = APIRouter(prefix="/ui/admin", include_in_schema=False)

    @router.get("")
    async def admin(request: Request, user: AdminReader) -> Response:
        users = await request.app.state.users.list()
        keys = await api_for(request, user).get("/keys", limit=500)
        return page(request, "admin.html", active="admin", title="Admin", users=users,
                    keys=keys["items"], roles=[r.value for r in Role])

    @router.post("/users")
    async def create_user(request: Request, user: Admin, username: Text,
                          role: Annotated[Role, Form()],
                          password: Annotated[str, Form(max_length=1000)],
                          display_name: Text = "") -> Response:
        users: Users = request.app.state.users
        response = see_other(request, "/ui/admin")
        try:
            await users.create(username.strip(), display_name, role, password,
                               _who(request, user))
        except UsernameTaken:
            return flash(response, f"A user named {username!r} exists already.", error=True)
        except ValueError as exc:
            return flash(response, f"User not created: {exc}", error=True)
        return flash(response, f"User {username} created ({role}).")

    @router.post("/users/{user_id}")
    async def change_user(request: Request, user: Admin, user_id: uuid.UUID,
                          role: Annotated[Role | None, Form()] = None,
                          disabled: Annotated[str | None, Form(max_length=5)] = None,
                          password: Annotated[str | None, Form(max_length=1000)] = None
                          ) -> Response:
        users: Users = request.app.state.users
        response = see_other(request, "/ui/admin")
        try:
            changed = await users.change(
                user_id, _who(request, user), role=role, password=password or None,
                disabled=None if disabled is None else disabled == "true")
        except UnknownUser:
            return flash(response, "No such user.", error=True)
        except LastAdminUser:
            return flash(response, "The last active admin user stays an active admin.",
                         error=True)
        except ValueError as exc:
            return flash(response, f"Not changed: {exc}", error=True)
        return flash(response, f"User {changed['username']} changed.")

    @router.post("/keys")
    async def create_key(request: Request, user: Admin, name: Text,
                         role: Annotated[Role, Form()]) -> Response:
        try:
            made = await api_for(request, user).send("POST", "/keys",
                                                     {"name": name, "role": role.value})
        except ApiProblem as exc:
            return flash(see_other(request, "/ui/admin"), f"Key not created: {exc}", True)
        # the clear text exists only in this answer: shown once, never redirected with
        return page(request, "key_created.html", active="admin", title="API key created",
                    key=made)

    @router.post("/keys/{key_id}/revoke")
    async def revoke_key(request: Request, user: Admin, key_id: uuid.UUID) -> Response:
        response = see_other(request, "/ui/admin")
        try:
            key = await api_for(request, user).send("DELETE", f"/keys/{key_id}")
        except ApiProblem as exc:
            return flash(response, f"Not revoked: {exc}", error=True)
        return flash(response, f"Key {key['name']} revoked.")

    return router
