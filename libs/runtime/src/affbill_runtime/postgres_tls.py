"""PostgreSQL over TLS with libpq's URL parameters, as operators write them:
``DATABASE_URL=postgresql://user:pw@db:5432/affbill?sslmode=verify-full&sslrootcert=/ca.crt``
(and ``sslcert``/``sslkey`` for a client certificate).

SQLAlchemy hands URL parameters to asyncpg as keyword arguments, which has none of these
names: they are taken off the URL here and become the asyncpg ``ssl`` argument instead.
``verify-full`` checks the server's certificate against ``sslrootcert`` and its name against
the URL's host; ``verify-ca`` only the certificate; ``require`` encrypts without checking.
"""

from __future__ import annotations

import ssl
from typing import Any

from sqlalchemy.engine import make_url

from affbill_runtime.settings import asyncpg_url

MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
TLS_PARAMETERS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword")


def ssl_argument(mode: str, rootcert: str | None = None, cert: str | None = None,
                 key: str | None = None, password: str | None = None) -> Any:
    """asyncpg's ``ssl`` argument for a libpq ``sslmode`` (False, a mode name, or a context)."""
    if mode not in MODES:
        raise ValueError(f"DATABASE_URL: sslmode={mode!r} is not one of {', '.join(MODES)}")
    if mode == "disable":
        return False
    if mode in ("allow", "prefer"):
        return mode  # asyncpg tries TLS and falls back, as libpq does
    if mode == "require":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    else:
        context = ssl.create_default_context(cafile=rootcert)
        context.check_hostname = mode == "verify-full"
    if cert:
        context.load_cert_chain(cert, key, password=password)
    return context


def engine_url(database_url: str) -> tuple[str, dict[str, Any]]:
    """The asyncpg URL without libpq's TLS parameters, and the connect arguments carrying
    them (empty without ``sslmode``: asyncpg's own default)."""
    url = make_url(asyncpg_url(database_url))
    tls = {name: url.query[name] for name in TLS_PARAMETERS if name in url.query}
    if not tls:
        return asyncpg_url(database_url), {}
    values = {name: value if isinstance(value, str) else value[-1] for name, value in tls.items()}
    if "sslmode" not in values:
        raise ValueError("DATABASE_URL: sslrootcert/sslcert/sslkey need sslmode "
                         "(verify-full to check the server's certificate and name)")
    argument = ssl_argument(values["sslmode"], values.get("sslrootcert"), values.get("sslcert"),
                            values.get("sslkey"), values.get("sslpassword"))
    stripped = url.difference_update_query(TLS_PARAMETERS)
    return stripped.render_as_string(hide_password=False), {"ssl": argument}
