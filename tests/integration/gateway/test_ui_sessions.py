"""Issue 19: the web UI's sign-in, sessions, CSRF and roles, in-process on the real database.

The gateway app with its real users, sessions and audit trail in PostgreSQL; the four
services are the unit tests' small HTTP server (tests/unit/gateway/conftest.Upstream), so
what a page asks of a service — and as whom — is seen exactly.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest

from affbill_gateway.bootstrap import bootstrap
from affbill_gateway.config import Settings
from affbill_gateway.domain.keys import Role
from affbill_gateway.domain.routes import Upstream as Service
from affbill_gateway.entrypoints.app import create_app
from affbill_gateway.entrypoints.web.api import Api
from affbill_gateway.service_layer.keys import Principal
from affbill_runtime.acting import Actor
from affbill_runtime.migrations import upgrade
from tests.unit.gateway.conftest import Upstream

pytestmark = pytest.mark.integration
PASSWORD = "a long enough password"
CUSTOMER = "sim:advertiser:1"
DRAFT = str(uuid.uuid4())
GENERATOR = {"customers": 1, "page": 1, "page_size": 50, "lines": [{
    "customer_id": CUSTOMER, "name": "Acme Ads", "account_manager_id": None,
    "threshold": {"amount": "0", "currency": "EUR"}, "totals": [{
        "currency": "EUR", "first_day": "2026-11-01", "last_day": "2026-11-30", "items": 3,
        "open_total": "1234.565", "pending_conversions": 0, "pending_value": "0",
        "in_drafts": {"items": 0, "total": "0"}, "reaches_threshold": None}]}]}


PERIOD = {"start": "2026-11-01", "end": "2026-11-30", "status": "billed", "ready": True,
          "connectors": [], "locked": {"at": "2026-12-01T09:00:00Z", "by": "anna"}}


def draft_at(version: int) -> dict:
    return {"draft_id": DRAFT, "customer_id": CUSTOMER, "customer_name": "Acme Ads",
            "status": "draft", "version": version, "currency": "EUR",
            "document_type": "380", "items": 1, "presets": {"billing_name": "Acme Ads"},
            "approvals": {"count": 0, "required": 1, "complete": False, "by": []},
            "totals": {"net": "10", "tax": "1.9", "gross": "11.9"}, "tax_breakdown": [],
            "allowances_charges": [], "created_at": "2026-12-01T08:00:00+00:00",
            "lines": [{"line_id": "l1", "description": "Leads", "quantity": "1",
                       "unit_price": "10", "net_amount": "10", "vat_category": "S",
                       "vat_rate": "19", "unit_code": "C62", "item_ids": []}]}


def reply(request: httpx.Request) -> httpx.Response:
    path, method = request.url.path, request.method
    if path == "/generator":
        return httpx.Response(200, json=GENERATOR)
    if path == "/periods":
        return httpx.Response(200, json={"settle_hours": 6, "time_zone": "Europe/Berlin",
                                         "items": [PERIOD, {**PERIOD, "locked": None}]})
    if path == "/schedules":
        return httpx.Response(200, json={"items": [], "runs": [], "leader": None,
                                         "time_zone": "Europe/Berlin"})
    if path == "/drafts" and method == "POST":
        return httpx.Response(201, json=draft_at(1))
    if path == f"/drafts/{DRAFT}" and method == "GET":
        return httpx.Response(200, json=draft_at(3))
    if path.startswith(f"/drafts/{DRAFT}") and method == "PATCH":
        return httpx.Response(409, json={"title": "Conflict", "status": 409, "detail":
                                         "The draft changed meanwhile: it is at version 4 "
                                         "now; reload it and apply your change again"})
    return httpx.Response(404, json={"title": "Not Found", "detail": "nothing here"})


@dataclass
class Ui:
    client: httpx.AsyncClient
    upstream: Upstream
    settings: Settings
    database_url: str

    async def user(self, role: Role) -> str:
        name = f"{role.value}-{uuid.uuid4().hex[:6]}"
        users = self.client._transport.app.state.users  # type: ignore[attr-defined]
        await users.create(name, name.title(), role, PASSWORD, Actor("test"))
        return name

    async def sign_in(self, username: str, password: str = PASSWORD,
                      client: httpx.AsyncClient | None = None) -> httpx.Response:
        client = client or self.client
        form = await client.get("/ui/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        return await client.post("/ui/login", data={
            "username": username, "password": password, "csrf_token": token})

    def browser(self, scheme: str = "http") -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.client._transport,
                                 base_url=f"{scheme}://gateway")


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture(scope="module")
def migrated(database_url: str) -> str:
    upgrade("affbill_gateway", database_url, "gateway")
    return database_url


@pytest.fixture
async def ui(migrated: str) -> AsyncIterator[Ui]:
    upstream, servers = Upstream(), []
    upstream.reply = reply
    settings = Settings(database_url=migrated, ui_cookie_secure=False)
    for service in Service:
        server = await asyncio.start_server(upstream.serve, "127.0.0.1", 0)
        upstream.ports[server.sockets[0].getsockname()[1]] = service
        setattr(settings, f"{service.value}_url",
                f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}")
        servers.append(server)
    runtime = bootstrap(settings)
    app = create_app(runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app),
                                 base_url="http://gateway") as client:
        yield Ui(client, upstream, settings, migrated)
    await runtime.state.upstreams.aclose()
    await runtime.engine.dispose()
    for server in servers:
        server.close()


async def test_pages_send_a_stranger_to_sign_in(ui: Ui) -> None:
    answer = await ui.client.get("/ui/generator")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/login?next=/ui/generator"
    assert not ui.upstream.requests


async def test_signing_in_opens_an_httponly_samesite_session_secure_by_default(ui: Ui) -> None:
    ui.settings.ui_cookie_secure = True
    name = await ui.user(Role.ACCOUNTANT)
    async with ui.browser("https") as browser:
        answer = await ui.sign_in(name, client=browser)
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/generator"
    cookie = next(c for c in answer.headers.get_list("set-cookie")
                  if c.startswith("affbill_session="))
    flags = {f.strip().lower() for f in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=lax", "path=/ui"} <= flags


async def test_a_wrong_password_opens_nothing_and_says_so(ui: Ui) -> None:
    name = await ui.user(Role.ADMIN)
    answer = await ui.sign_in(name, "not the password")
    assert answer.status_code == 401 and "Wrong username or password" in answer.text
    assert "affbill_session" not in answer.headers.get("set-cookie", "")
    assert (await ui.sign_in("nobody-" + name)).status_code == 401


async def test_the_sign_in_form_needs_its_own_token(ui: Ui) -> None:
    name = await ui.user(Role.ADMIN)
    answer = await ui.client.post("/ui/login", data={"username": name, "password": PASSWORD,
                                                     "csrf_token": "forged"})
    assert answer.status_code == 403 and "sign-in form" in answer.text


async def test_a_viewer_sees_no_button_that_changes_anything(ui: Ui) -> None:
    await ui.sign_in(await ui.user(Role.VIEWER))
    page = await ui.client.get("/ui/generator", headers={"Accept-Language": "de-DE"})
    assert page.status_code == 200 and "Acme Ads" in page.text
    assert "1.234,57\xa0€" in page.text  # HALF_UP to cents, in the browser's locale
    assert "Process selected" not in page.text and 'type="checkbox"' not in page.text
    editor = await ui.client.get(f"/ui/drafts/{DRAFT}")
    assert "Save draft" not in editor.text and "Create</button>" not in editor.text
    assert (await ui.client.get("/ui/admin")).status_code == 403


async def test_an_accountant_sees_the_actions(ui: Ui) -> None:
    await ui.sign_in(await ui.user(Role.ACCOUNTANT))
    page = await ui.client.get("/ui/generator", headers={"Accept-Language": "en-US"})
    assert "Process selected" in page.text and "€1,234.57" in page.text
    editor = await ui.client.get(f"/ui/drafts/{DRAFT}")
    assert "Save draft" in editor.text and "Create</button>" in editor.text


async def test_a_forged_post_of_a_viewer_is_refused_and_reaches_no_service(ui: Ui) -> None:
    await ui.sign_in(await ui.user(Role.VIEWER))
    token = csrf_of((await ui.client.get("/ui/generator")).text)
    ui.upstream.requests.clear()
    answer = await ui.client.post(f"/ui/generator/{CUSTOMER}/cart",
                                  data={"csrf_token": token, "item_ids": [str(uuid.uuid4())]})
    assert answer.status_code == 403 and "may not change anything" in answer.text
    assert [r for r in ui.upstream.requests if r.method != "GET"] == []


@pytest.mark.parametrize("token", [None, "", "wrong"])
async def test_a_post_without_its_sessions_csrf_token_is_refused(ui: Ui,
                                                                 token: str | None) -> None:
    await ui.sign_in(await ui.user(Role.ACCOUNTANT))
    ui.upstream.requests.clear()
    data = {"item_ids": [str(uuid.uuid4())], **({"csrf_token": token} if token is not None
                                                 else {})}
    answer = await ui.client.post(f"/ui/generator/{CUSTOMER}/cart", data=data)
    assert answer.status_code == 403 and "CSRF" in answer.text
    assert ui.upstream.requests == []


async def test_another_sessions_token_is_refused_too(ui: Ui) -> None:
    name = await ui.user(Role.ACCOUNTANT)
    await ui.sign_in(name)
    async with ui.browser() as other:
        await ui.sign_in(name, client=other)
        theirs = csrf_of((await other.get("/ui/generator")).text)
    answer = await ui.client.post(f"/ui/generator/{CUSTOMER}/cart",
                                  data={"csrf_token": theirs, "item_ids": ["x"]})
    assert answer.status_code == 403


async def test_cart_into_generator_asks_billing_as_the_signed_in_user(ui: Ui) -> None:
    name = await ui.user(Role.ACCOUNTANT)
    await ui.sign_in(name)
    token = csrf_of((await ui.client.get("/ui/generator")).text)
    item = str(uuid.uuid4())
    answer = await ui.client.post(f"/ui/generator/{CUSTOMER}/cart",
                                  headers={"X-CSRF-Token": token}, data={"item_ids": [item]})
    assert answer.status_code == 303 and answer.headers["location"] == f"/ui/drafts/{DRAFT}"
    [cart] = [r for r in ui.upstream.requests if r.method == "POST"]
    assert cart.url.path == "/drafts" and item in cart.content.decode()
    assert cart.headers["x-affbill-user"] == name and cart.headers["x-affbill-role"] == \
        "accountant"


async def test_a_stale_edit_saves_nothing_and_says_what_happened(ui: Ui) -> None:
    await ui.sign_in(await ui.user(Role.ACCOUNTANT))
    token = csrf_of((await ui.client.get(f"/ui/drafts/{DRAFT}")).text)
    ui.upstream.requests.clear()
    seen_before = await ui.client.post(f"/ui/drafts/{DRAFT}/save", data={
        "csrf_token": token, "version": "2", "line-l1-description": "Leads, as agreed"})
    assert seen_before.status_code == 303
    assert [r.method for r in ui.upstream.requests] == ["GET"]  # nothing was sent to save
    page = await ui.client.get(f"/ui/drafts/{DRAFT}")
    assert "changed by someone else since you opened it" in page.text
    assert "you saw version 2, it is now version 3" in page.text
    # the draft moves on between the check and the save: billing's 409, said the same way
    await ui.client.post(f"/ui/drafts/{DRAFT}/save", data={
        "csrf_token": token, "version": "3", "line-l1-description": "Leads, as agreed"})
    page = await ui.client.get(f"/ui/drafts/{DRAFT}")
    assert "changed by someone else" in page.text and "version 4" in page.text


async def test_a_disabled_users_session_ends(ui: Ui) -> None:
    admin, clerk = await ui.user(Role.ADMIN), await ui.user(Role.ACCOUNTANT)
    async with ui.browser() as theirs:
        await ui.sign_in(clerk, client=theirs)
        assert (await theirs.get("/ui/generator")).status_code == 200
        await ui.sign_in(admin)
        page = (await ui.client.get("/ui/admin")).text
        user_id = re.search(rf'/ui/admin/users/([0-9a-f-]+)"[^>]*>\s*<input type="hidden" '
                            rf'name="csrf_token" value="[^"]+">\s*<label[^>]*>Role of {clerk}',
                            page).group(1)
        changed = await ui.client.post(f"/ui/admin/users/{user_id}", data={
            "csrf_token": csrf_of(page), "disabled": "true"})
        assert changed.status_code == 303
        assert (await theirs.get("/ui/generator")).status_code == 303  # to sign in
        assert (await ui.sign_in(clerk, client=theirs)).status_code == 401


async def test_sign_ins_and_user_changes_are_in_the_audit_trail(ui: Ui) -> None:
    admin = await ui.user(Role.ADMIN)
    await ui.sign_in(admin)
    page = (await ui.client.get("/ui/admin")).text
    new = f"clerk-{uuid.uuid4().hex[:6]}"
    created = await ui.client.post("/ui/admin/users", data={
        "csrf_token": csrf_of(page), "username": new, "role": "accountant",
        "password": PASSWORD}, follow_redirects=True)
    assert f"User {new} created" in created.text, created.text
    conn = await asyncpg.connect(ui.database_url)
    try:
        rows = await conn.fetch("select actor, entity_kind, action, after from gateway.audit_log "
                                "where actor = $1 order by seq", admin)
    finally:
        await conn.close()
    assert [(r["entity_kind"], r["action"]) for r in rows] == [("ui_session", "sign_in"),
                                                              ("ui_user", "create")]
    assert new in rows[1]["after"] and "argon2" not in rows[1]["after"]


async def test_the_sso_header_is_ignored_unless_configured(ui: Ui) -> None:
    answer = await ui.client.get("/ui/generator", headers={"X-Forwarded-User": "mallory"})
    assert answer.status_code == 303


async def test_the_sso_header_signs_in_with_the_mapped_role_when_configured(ui: Ui) -> None:
    ui.settings.ui_sso_header = "X-Forwarded-User"
    ui.settings.ui_sso_default_role = Role.VIEWER
    boss = f"boss-{uuid.uuid4().hex[:6]}"
    ui.settings.ui_sso_roles = {boss: Role.ACCOUNTANT}
    page = await ui.client.get("/ui/generator", headers={"X-Forwarded-User": boss})
    assert page.status_code == 200 and "accountant" in page.text
    assert "Process selected" in page.text
    assert "affbill_session=" in page.headers.get("set-cookie", "")
    async with ui.browser() as other:
        page = await other.get("/ui/generator", headers={"X-Forwarded-User": "new-" + boss})
        assert page.status_code == 200 and "Process selected" not in page.text  # viewer
    ui.settings.ui_sso_default_role = None
    async with ui.browser() as other:
        page = await other.get("/ui/generator", headers={"X-Forwarded-User": "x-" + boss})
        assert page.status_code == 303  # unknown and no default role: refused


async def test_the_api_checks_a_ui_users_role_again(ui: Ui) -> None:
    """Even a page that forgot its own check could not act for a viewer: the in-process
    API call goes through the same role check as a key."""
    app = ui.client._transport.app  # type: ignore[attr-defined]
    viewer = Principal(uuid.uuid4(), "vera", Role.VIEWER)
    refused = await Api(app, viewer, "req-1").call("POST", "/drafts",
                                                   body={"customer_id": CUSTOMER})
    assert refused.status == 403 and "viewer may not do this" in refused.json()["detail"]
    assert ui.upstream.requests == []
    read = await Api(app, viewer, "req-2").call("GET", "/generator")
    assert read.status == 200 and read.json()["customers"] == 1
    assert ui.upstream.requests[-1].headers["x-affbill-user"] == "vera"


@pytest.mark.parametrize("role, lock_forms", [(Role.VIEWER, 0), (Role.ACCOUNTANT, 1)])
async def test_periods_show_readiness_and_only_actors_may_lock(ui: Ui, role: Role,
                                                               lock_forms: int) -> None:
    await ui.sign_in(await ui.user(role))
    page = await ui.client.get("/ui/periods")
    assert page.status_code == 200 and "locked by anna" in page.text and "ready" in page.text
    assert page.text.count('action="/ui/periods/lock"') == lock_forms
