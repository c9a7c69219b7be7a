"""Wires the gateway service together: the one place dependencies are chosen (the test seam)."""

from affbill_gateway.adapters.upstreams import Upstreams
from affbill_gateway.config import Settings
from affbill_gateway.domain.throttle import TokenBuckets
from affbill_gateway.entrypoints import messaging
from affbill_gateway.service_layer.keys import Keys
from affbill_gateway.service_layer.users import Users
from affbill_runtime.runtime import Runtime


def bootstrap(settings: Settings | None = None) -> Runtime:
    settings = settings or Settings()
    runtime = Runtime(settings, package="affbill_gateway")
    runtime.broker.include_router(messaging.build_router(runtime))
    runtime.state.settings = settings
    runtime.state.keys = Keys(runtime.engine, settings.key_cache_s, settings.unknown_key_cache_s)
    runtime.state.throttle = TokenBuckets(settings.auth_failures_per_s,
                                          settings.auth_failure_burst)
    runtime.state.upstreams = Upstreams(settings)
    runtime.state.users = Users(runtime.engine, settings.ui_session_hours)
    return runtime
