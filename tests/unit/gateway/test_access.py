"""Who may do what, and how keys look: pure rules."""

from __future__ import annotations

import pytest

from affbill_gateway.domain.keys import (
    Access,
    Role,
    access_of,
    key_digest,
    may,
    new_key,
    roles_for,
    shown_prefix,
)
from affbill_gateway.domain.routes import FORWARDED

ALLOWED = {  # role → the access classes it has
    Role.VIEWER: {Access.READ},
    Role.ACCOUNTANT: {Access.READ, Access.ACT},
    Role.ADMIN: {Access.READ, Access.ACT, Access.ADMIN},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("access", list(Access))
def test_each_role_has_exactly_its_access(role: Role, access: Access) -> None:
    assert may(role, access) is (access in ALLOWED[role])
    assert (role in roles_for(access)) is (access in ALLOWED[role])


@pytest.mark.parametrize(("method", "path", "access"), [
    ("GET", "/api/v1/generator", Access.READ),
    ("GET", "/api/v1/invoices/1/pdf", Access.READ),
    ("POST", "/api/v1/runs", Access.ACT),
    ("PATCH", "/api/v1/drafts/1", Access.ACT),
    ("DELETE", "/api/v1/drafts/1", Access.ACT),
    ("GET", "/api/v1/keys", Access.ADMIN),
    ("DELETE", "/api/v1/keys/1", Access.ADMIN),
    ("GET", "/api/v1/keysmith", Access.READ),  # only the keys routes themselves
])
def test_access_follows_method_and_keys_routes(method: str, path: str, access: Access) -> None:
    assert access_of(method, path) is access


def test_forwarded_routes_read_with_get_and_act_otherwise() -> None:
    for route in FORWARDED:
        assert route.access is (Access.READ if route.method == "GET" else Access.ACT), route


def test_forwarded_routes_are_unique() -> None:
    assert len({(r.method, r.path) for r in FORWARDED}) == len(FORWARDED)


def test_keys_are_random_and_stored_only_as_their_digest() -> None:
    keys = {new_key() for _ in range(100)}
    assert len(keys) == 100
    key = keys.pop()
    assert key.startswith("affb_") and len(key) >= 45
    digest = key_digest(key)
    assert len(digest) == 64 and key not in digest and digest == key_digest(key)
    assert shown_prefix(key) == key[:12]
