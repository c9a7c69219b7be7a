"""The simulator's mutable state: the network, caches, faults and credentials."""

from __future__ import annotations

from dataclasses import dataclass, field

from affbill_simulator.faults import Faults
from affbill_simulator.model import Network
from affbill_simulator.scale import Scale
from affbill_simulator.stats import DayTotals


@dataclass
class SimState:
    scale: Scale
    network_token: str = "sim-token"
    everflow_key: str = "sim-key"
    faults: Faults = field(default_factory=Faults)
    reporting_in_flight: int = 0

    def __post_init__(self) -> None:
        self.reset(self.scale)

    def reset(self, scale: Scale) -> None:
        self.scale = scale
        self.network = Network(scale)
        self.totals = DayTotals(self.network)
        self.faults = Faults()


COMPANIES = ("Acme Media", "Globex Shop", "Initech Retail", "Umbrella Travel", "Stark Finance",
             "Wayne Telecom", "Hooli Games", "Soylent Foods", "Tyrell Energy", "Cyberdyne Mobile")
CITIES = (("Berlin", "10115", "BE", "DE"), ("Paris", "75001", "IDF", "FR"),
          ("London", "EC1A 1BB", "LND", "GB"), ("Zurich", "8001", "ZH", "CH"),
          ("New York", "10001", "NY", "US"), ("Vienna", "1010", "W", "AT"))


def company(kind: str, n: int) -> str:
    return f"{COMPANIES[n % len(COMPANIES)]} {kind} {n}"


def city(n: int) -> tuple[str, str, str, str]:
    return CITIES[n % len(CITIES)]
