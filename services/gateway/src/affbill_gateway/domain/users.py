"""Users of the web UI: how passwords, sessions and CSRF tokens look and are checked.

A password is kept only as its argon2id hash (argon2-cffi's defaults, RFC 9106's
second recommendation); a session id is 256 random bits kept only as its SHA-256 (like
an API key: the digest is the lookup); every session has its own CSRF token that every
POST of that session must carry. Pure rules: the service layer stores what these make.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD = 10
MAX_PASSWORD = 1000  # argon2 takes any length; a bound keeps a request's cost bounded
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")
_hasher = PasswordHasher()
# verified when the user is unknown, so an unknown name costs what a wrong password costs
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


class PasswordRefused(ValueError):
    """A password that may not be set, with the reason."""


def check_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise ValueError("username: 1-100 letters, digits or . _ @ + -, starting with a "
                         "letter or digit")
    return username


def hash_password(password: str) -> str:
    """The argon2id hash of an acceptable password (PasswordRefused names the reason)."""
    if len(password) < MIN_PASSWORD:
        raise PasswordRefused(f"password: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise PasswordRefused(f"password: at most {MAX_PASSWORD} characters")
    return _hasher.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Whether `password` is the one `stored_hash` was made from; a missing hash (a user
    signing in through single sign-on only) never matches, at the same cost."""
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's (rehash at sign-in)."""
    return _hasher.check_needs_rehash(stored_hash)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def session_digest(session_id: str) -> str:
    """What is stored of a session id: a stolen table holds no usable session."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def csrf_ok(expected: str | None, given: str | None) -> bool:
    """Whether a POST carries its session's token (compared in constant time)."""
    if not expected or not given:
        return False
    return secrets.compare_digest(expected.encode(), given.encode())


def expires(now: dt.datetime, lifetime_s: float) -> dt.datetime:
    return now + dt.timedelta(seconds=lifetime_s)
