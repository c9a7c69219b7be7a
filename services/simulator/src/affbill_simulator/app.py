"""The simulator's ASGI app."""

from __future__ import annotations

from fastapi import FastAPI

from affbill_simulator import control, everflow, hasoffers
from affbill_simulator.scale import Scale
from affbill_simulator.state import SimState


def create_app(scale: Scale | None = None, network_token: str = "sim-token",
               everflow_key: str = "sim-key") -> FastAPI:
    state = SimState(scale or Scale(), network_token, everflow_key)
    app = FastAPI(title="affbill adtracker simulator", version="0.1.0",
                  description="TUNE/HasOffers and Everflow wire formats with seeded data.")
    app.include_router(hasoffers.build_router(state))
    app.include_router(everflow.build_router(state))
    app.include_router(control.build_router(state))
    app.state.sim = state
    return app
