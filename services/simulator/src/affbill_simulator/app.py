"""The simulator's ASGI app: both adtracker APIs over one network, plus the control API."""

from __future__ import annotations

from fastapi import FastAPI

from affbill_simulator import control, everflow, hasoffers, rates
from affbill_simulator.hasoffers_targets import HANDLERS
from affbill_simulator.scale import Scale
from affbill_simulator.state import SimState


def create_app(scale: Scale | None = None, network_token: str = "sim-token",
               everflow_key: str = "sim-key", rate_limit: int | None = None) -> FastAPI:
    """`rate_limit` (calls per 10 s, 0 = off) overrides the scale's; a reset may change it."""
    scale = scale or Scale()
    if rate_limit is not None:
        scale = scale.model_copy(update={"rate_limit": rate_limit})
    state = SimState(scale, network_token, everflow_key)
    app = FastAPI(title="affbill adtracker simulator", version="0.1.0",
                  description="TUNE/HasOffers and Everflow wire formats over seeded data.")
    app.include_router(hasoffers.build_router(state, HANDLERS))
    app.include_router(everflow.build_router(state))
    app.include_router(control.build_router(state))
    app.include_router(rates.build_router(state.rates))
    app.state.sim = state
    return app
