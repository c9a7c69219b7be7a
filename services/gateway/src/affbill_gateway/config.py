"""Settings of the gateway service (environment: AFFBILL_GATEWAY_*, plus the shared ones)."""

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from affbill_gateway.domain.keys import Role
from affbill_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AFFBILL_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    http_port: int = 8000
    http_access_log: bool = False  # the gateway logs each request itself, with id and user
    # the owning services; defaults are the local stack's ports
    sync_url: str = "http://127.0.0.1:8001"
    billing_url: str = "http://127.0.0.1:8002"
    documents_url: str = "http://127.0.0.1:8003"
    jobs_url: str = "http://127.0.0.1:8004"
    # seconds; a long-poll (jobs lines ?wait=) gets its wait on top of read_timeout_s
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 30.0
    upstream_connections: int = 100  # per upstream service
    # the first admin key, created at start only while no active admin key exists
    bootstrap_admin_key: SecretStr | None = None
    bootstrap_admin_name: str = "admin"
    # a verified key is trusted this long before it is looked up again (0: every request)
    key_cache_s: float = 2.0
    # a key found unknown is answered 401 without a lookup this long (bounded LRU)
    unknown_key_cache_s: float = 30.0
    # per client address: failed authentications allowed in a burst, and refilled per
    # second; beyond them 429 with Retry-After (a key valid lately is never throttled)
    auth_failure_burst: int = 20
    auth_failures_per_s: float = 5.0
    # the web UI (/ui): its first admin user, created at start only while no active admin
    # user exists; cookies Secure unless turned off (plain-http localhost dev and tests only)
    ui_bootstrap_admin_user: str = "admin"
    ui_bootstrap_admin_password: SecretStr | None = None
    ui_cookie_secure: bool = True
    ui_session_hours: float = 12.0
    # single sign-on behind an OIDC proxy: the header carrying the signed-in user's name
    # (e.g. X-Forwarded-User), honoured only when set here; the proxy must strip it from
    # what clients send. Roles per user name; a name not listed gets ui_sso_default_role,
    # or (None) is refused unless an admin created that user.
    ui_sso_header: str | None = None
    ui_sso_name_header: str | None = None  # e.g. X-Forwarded-Email: the display name
    ui_sso_roles: dict[str, Role] = {}
    ui_sso_default_role: Role | None = None
    ui_default_locale: str = "en_US"  # when the browser's Accept-Language names none known
