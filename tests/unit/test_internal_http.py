"""The runtime's HTTP guards on a small app: hostile input is a 4xx problem, a failure a
500 problem, and only calls the gateway signed get through to a service's routes."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel

from affbill_contracts.bounds import Name, Text, refusal
from affbill_runtime.http_guard import RequestGuard, nul_field
from affbill_runtime.internal_auth import (
    SIGNATURE,
    TIME,
    Identity,
    InternalTrust,
    SeenNonces,
    caller,
    encode_name,
    signed_headers,
)
from affbill_runtime.problems import install_problem_handlers
from tests.signing import SignedAsGateway

KEY = b"s" * 32


class Body(BaseModel):
    name: Name
    note: Text = ""


def app(max_body: int = 1000) -> FastAPI:
    router = APIRouter()

    @router.post("/things")
    async def things(body: Body, request: Request) -> dict[str, Any]:
        who = caller(request.state)
        return {"name": body.name, "by": who.name if who else None}

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "live"}

    made = FastAPI()
    install_problem_handlers(made)
    made.include_router(router)
    made.add_middleware(RequestGuard, max_body=max_body)
    made.add_middleware(InternalTrust, key=KEY)
    return made


def client(auth: httpx.Auth | None = SignedAsGateway(KEY)) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app(), raise_app_exceptions=False),
                             base_url="http://svc", auth=auth)


async def test_a_signed_call_gets_through_with_its_utf8_user() -> None:
    async with client() as svc:
        answer = await svc.post("/things?x=1", json={"name": "Łukasz"},
                                headers={"X-Affbill-User": encode_name("Łukasz")})
    # the helper passes the header's text through as the name; the service decodes it
    assert answer.status_code == 200 and answer.json() == {"name": "Łukasz", "by": "Łukasz"}


@pytest.mark.parametrize("tamper", ["none", "plain user", "other key", "stale", "future",
                                    "other path", "other user", "bad time"])
async def test_unsigned_or_badly_signed_calls_get_401(tamper: str) -> None:
    now = time.time()
    who = Identity("k1", "anna", "admin")
    key, at, target, signed_for = KEY, now, "/things", who
    if tamper == "other key":
        key = b"x" * 32
    elif tamper == "stale":
        at = now - 61
    elif tamper == "future":
        at = now + 61
    elif tamper == "other path":
        target = "/other"
    headers = signed_headers(key, "POST", target, signed_for, at)
    if tamper == "other user":
        headers["X-Affbill-User"] = "admin"
    elif tamper == "bad time":
        headers[TIME] = "soon"
    elif tamper in ("none", "plain user"):
        headers = {"X-Affbill-User": "anna"} if tamper == "plain user" else {}
    async with client(auth=None) as svc:
        answer = await svc.post("/things", json={"name": "x"}, headers=headers)
    assert answer.status_code == 401, tamper
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["field"] == SIGNATURE


async def test_health_is_open() -> None:
    async with client(auth=None) as svc:
        assert (await svc.get("/health/live")).status_code == 200


@pytest.mark.parametrize(("target", "field"), [("/things%00x", "path"),
                                               ("/things?q=a%00b", "query")])
async def test_nul_in_path_or_query_is_400(target: str, field: str) -> None:
    async with client() as svc:
        answer = await svc.post(target, json={"name": "x"})
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == field


@pytest.mark.parametrize(("body", "field"), [
    (b'{"name": "x\\u0000y"}', "name"),
    (b'{"name": "ok", "note": ["a", {"deep": "\\u0000"}]}', "note.1.deep"),
    (b'{"na\\u0000me": "x"}', "na\x00me")])
async def test_nul_in_a_json_body_is_422_naming_the_field(body: bytes, field: str) -> None:
    async with client() as svc:
        answer = await svc.post("/things", content=body,
                                headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": field,
                                        "reason": "must not contain the NUL character"}]


async def test_an_escaped_backslash_before_u0000_is_no_nul() -> None:
    async with client() as svc:
        answer = await svc.post("/things", content=b'{"name": "x\\\\u0000"}',
                                headers={"content-type": "application/json"})
    assert answer.status_code == 200 and answer.json()["name"] == "x\\u0000"


@pytest.mark.parametrize("chunked", [False, True])
async def test_a_body_over_the_limit_is_413(chunked: bool) -> None:
    body = b'{"name": "' + b"x" * 2000 + b'"}'

    async def chunks() -> Any:
        for i in range(0, len(body), 100):
            yield body[i:i + 100]

    async with client() as svc:
        answer = await svc.post("/things", content=chunks() if chunked else body,
                                headers={"content-type": "application/json"})
    assert answer.status_code == 413 and answer.json()["errors"][0]["field"] == "body"


async def test_an_unhandled_failure_is_a_500_problem() -> None:
    async with client() as svc:
        answer = await svc.get("/boom", headers={"X-Request-Id": "r-1"})
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["request_id"] == "r-1"


@pytest.mark.parametrize(("text", "one_line", "reason"), [
    ("Łukasz", True, None), ("Zoë Ørsted 李", True, None), ("two\nlines", False, None),
    ("a\x00b", False, "must not contain the NUL character"),
    ("a\x85b", True, "must not contain the control character U+0085"),
    ("a\u202eb", True, "must not contain the bidi control character U+202E"),
    ("a\u2066b", False, "must not contain the bidi control character U+2066"),
    ("two\nlines", True, "must not contain the control character U+000A")])
def test_text_refuses_nul_c1_and_bidi_controls(text: str, one_line: bool,
                                               reason: str | None) -> None:
    assert refusal(text, one_line) == reason


def test_nul_field_finds_the_path() -> None:
    assert nul_field({"a": [1, {"b": "x\x00"}]}) == "a.1.b"
    assert nul_field({"a": "fine"}) is None


@pytest.mark.parametrize("env", ["development", "production"])
async def test_internal_openapi_pages_are_off_in_production(env: str) -> None:
    from affbill_jobs.bootstrap import bootstrap
    from affbill_jobs.config import Settings
    from affbill_runtime.service import service_app

    settings = Settings(**{"AFFBILL_ENV": env, "AFFBILL_INTERNAL_SECRET": "s" * 32})
    runtime = bootstrap(settings)
    made = service_app(runtime, title="affbill jobs")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(made),
                                 base_url="http://jobs") as unsigned:
        pages = [(await unsigned.get(p)).status_code for p in ("/openapi.json", "/docs")]
    await runtime.engine.dispose()
    assert pages == ([200, 200] if env == "development" else [401, 401])


async def test_a_signed_request_is_accepted_once() -> None:
    """A replay (the same signed headers again, within the time window) gets 401."""
    headers = signed_headers(KEY, "POST", "/things", Identity("k1", "anna", "admin"),
                             body=b'{"name":"x"}')
    async with client(auth=None) as svc:
        first = await svc.post("/things", content=b'{"name":"x"}', headers={
            **headers, "content-type": "application/json"})
        again = await svc.post("/things", content=b'{"name":"x"}', headers={
            **headers, "content-type": "application/json"})
    assert first.status_code == 200
    assert again.status_code == 401
    assert "used before" in again.json()["errors"][0]["reason"]


async def test_a_body_other_than_the_signed_one_gets_401() -> None:
    headers = signed_headers(KEY, "POST", "/things", Identity("k1", "anna", "admin"),
                             body=b'{"name":"x"}')
    async with client(auth=None) as svc:
        answer = await svc.post("/things", content=b'{"name":"mallory"}', headers={
            **headers, "content-type": "application/json"})
    assert answer.status_code == 401
    assert answer.json()["errors"][0] == {"field": SIGNATURE,
                                          "reason": "the body is not the one signed"}


def test_seen_nonces_forget_what_has_expired_and_stay_bounded() -> None:
    seen = SeenNonces(limit=2)
    assert seen.first_time("a", 1000, now=1000) and not seen.first_time("a", 1000, now=1000)
    assert seen.first_time("a", 1100, now=1100)  # "a" of t=1000 expired at 1061
    assert seen.first_time("b", 1100, now=1100) and seen.first_time("c", 1100, now=1100)
    assert len(seen._until) == 2  # the oldest ("a") was forgotten to stay in bounds
