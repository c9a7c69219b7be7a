"""The simulator's mutable state: the network and what a reset clears."""

from __future__ import annotations

from affbill_simulator.conversions import Conversions
from affbill_simulator.faults import FaultBook, RateLimiter, RequestLog
from affbill_simulator.model import Network
from affbill_simulator.rates import RateBook
from affbill_simulator.scale import Scale
from affbill_simulator.stats import DayTotals


class SimState:
    def __init__(self, scale: Scale, network_token: str, everflow_key: str) -> None:
        self.network_token = network_token
        self.everflow_key = everflow_key
        self.reporting_in_flight = 0  # Everflow's concurrent reporting calls
        self.reset(scale)

    def reset(self, scale: Scale) -> None:
        self.scale = scale
        self.network = Network(scale)
        self.partners = self.network.partners
        self.conversions = Conversions(scale, self.partners)
        self.totals = DayTotals(self.network)
        self.faults = FaultBook()
        self.log = RequestLog()
        self.limiter = RateLimiter()
        if hasattr(self, "rates"):
            self.rates.corrections.clear()
        else:
            self.rates = RateBook()  # rate corrections are cleared by a reset
