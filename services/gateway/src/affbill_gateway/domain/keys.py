"""API keys: how they look, how they are stored, and what each role may do.

A key is ``affb_`` + 43 url-safe characters (256 random bits). Only its SHA-256 is
stored: a high-entropy key needs no slow hash, and the digest is the lookup index.
The first characters (the prefix) are kept in clear so people can tell keys apart.
Anything presented that cannot be a key (`looks_like_key`) is refused without a lookup.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from enum import StrEnum

KEY_PREFIX = "affb_"
SHOWN_CHARS = 12  # "affb_" + 7: enough to tell keys apart, useless to guess the rest
MIN_CONFIGURED_LENGTH = 32  # a key set by configuration must be at least this long
MAX_LENGTH = 200
# made keys are affb_ + url-safe base64; configured ones printable ASCII without spaces
KEY_FORMAT = re.compile(f"[\x21-\x7e]{{{MIN_CONFIGURED_LENGTH},{MAX_LENGTH}}}")


class Role(StrEnum):
    VIEWER = "viewer"  # reads
    ACCOUNTANT = "accountant"  # also syncs, runs, drafts, invoices, cancellations
    ADMIN = "admin"  # also API keys


RANK = {Role.VIEWER: 0, Role.ACCOUNTANT: 1, Role.ADMIN: 2}


class Access(StrEnum):
    """What a route does, which decides the least role that may call it."""

    READ = "read"
    ACT = "act"
    ADMIN = "admin"


LEAST_ROLE = {Access.READ: Role.VIEWER, Access.ACT: Role.ACCOUNTANT, Access.ADMIN: Role.ADMIN}


def may(role: Role, access: Access) -> bool:
    return RANK[role] >= RANK[LEAST_ROLE[access]]


ADMIN_PATHS = ("/api/v1/keys", "/api/v1/audit")  # and what is below them


def access_of(method: str, path: str) -> Access:
    """Keys and the audit trail are admin business; everywhere else reading is READ and
    changing is ACT."""
    if any(path == p or path.startswith(p + "/") for p in ADMIN_PATHS):
        return Access.ADMIN
    return Access.READ if method in ("GET", "HEAD") else Access.ACT


def roles_for(access: Access) -> list[Role]:
    return [r for r in Role if may(r, access)]


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def looks_like_key(key: str) -> bool:
    """Whether `key` has the form of a key at all (made or configured)."""
    return KEY_FORMAT.fullmatch(key) is not None


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def shown_prefix(key: str) -> str:
    return key[:SHOWN_CHARS]
