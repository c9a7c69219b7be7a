"""Employees, advertisers, affiliates and offers: derived from seed and scale, never stored.

Both wire formats render these same records, so a test can compare HasOffers with Everflow.
"""

from __future__ import annotations

from dataclasses import dataclass

from affbill_simulator import vat_ids
from affbill_simulator.scale import Scale, mix

CURRENCIES = ("EUR", "USD", "GBP", "CHF")
NETWORK_CURRENCY = "EUR"
STATUSES = ("active", "active", "active", "active", "active", "pending", "blocked", "deleted")
COMPANIES = ("Acme Media", "Globex Shop", "Initech Retail", "Umbrella Travel", "Stark Finance",
             "Wayne Telecom", "Hooli Games", "Soylent Foods", "Tyrell Energy", "Cyberdyne Mobile")
FIRST_NAMES = ("Anna", "Ben", "Chiara", "David", "Elif", "Felix", "Greta", "Hannes", "Ida", "Jonas")
LAST_NAMES = ("Schmidt", "Martin", "Rossi", "Novak", "Yilmaz", "Berger", "Dubois", "Keller")
# city, zip code, region, country
PLACES = (("Berlin", "10115", "BE", "DE"), ("Paris", "75001", "IDF", "FR"),
          ("London", "EC1A 1BB", "LND", "GB"), ("Zurich", "8001", "ZH", "CH"),
          ("New York", "10001", "NY", "US"), ("Vienna", "1010", "W", "AT"))
ADVERTISER, AFFILIATE = "Advertiser", "Affiliate"
_KIND_SALT = {ADVERTISER: 1, AFFILIATE: 2}


@dataclass(frozen=True)
class Employee:
    id: int
    first_name: str
    last_name: str

    @property
    def email(self) -> str:
        return f"{self.first_name.lower()}.{self.last_name.lower()}{self.id}@network.example"


@dataclass(frozen=True)
class Partner:
    """An advertiser or affiliate; `status` is the HasOffers word."""

    kind: str
    id: int
    company: str
    status: str
    manager_id: int
    currency: str
    street: str
    city: str
    zipcode: str
    region: str
    country: str

    @property
    def phone(self) -> str:
        return f"+49 30 {self.id:07d}"

    @property
    def tax_id(self) -> str | None:
        """The VAT id (valid for its country), or None (EU without id, outside the EU)."""
        return vat_ids.vat_id(self.country, self.id)


class Partners:
    def __init__(self, scale: Scale) -> None:
        self.scale = scale

    def _h(self, *values: int) -> int:
        return mix(self.scale.seed, *values)

    def employee(self, n: int) -> Employee:
        h = self._h(5, n)
        return Employee(n, FIRST_NAMES[h % len(FIRST_NAMES)],
                        LAST_NAMES[(h >> 8) % len(LAST_NAMES)])

    def employees(self) -> list[Employee]:
        return [self.employee(n) for n in range(1, self.scale.employees + 1)]

    def partner(self, kind: str, n: int) -> Partner:
        """Advertiser n has id n; affiliate n has id 1000 + n."""
        salt = _KIND_SALT[kind]
        pid = n if kind == ADVERTISER else 1000 + n
        city, zipcode, region, country = PLACES[self._h(30 + salt, n) % len(PLACES)]
        return Partner(kind, pid, self.company(kind, pid),
                       STATUSES[self._h(20 + salt, n) % len(STATUSES)],
                       1 + self._h(salt, n) % self.scale.employees,
                       self.currencies(n)[0] if kind == ADVERTISER else NETWORK_CURRENCY,
                       f"Hauptstrasse {1 + n % 200}", city, zipcode, region, country)

    def partners(self, kind: str, start: int = 0, stop: int | None = None) -> list[Partner]:
        count = self.scale.advertisers if kind == ADVERTISER else self.scale.affiliates
        stop = count if stop is None else min(stop, count)
        return [self.partner(kind, n) for n in range(start + 1, stop + 1)]

    def currencies(self, advertiser: int) -> list[str]:
        """The advertiser's currencies; the first is its default."""
        first = self._h(11, advertiser) % len(CURRENCIES)
        return [CURRENCIES[(first + i) % len(CURRENCIES)]
                for i in range(self.scale.currencies_per_advertiser)]

    def offer_price5(self, offer: int) -> int:
        """Revenue per conversion in 0.00001 units: 0.50 to 49.99."""
        return (50 + self._h(3, offer) % 4950) * 1000

    @staticmethod
    def company(kind: str, pid: int) -> str:
        return f"{COMPANIES[pid % len(COMPANIES)]} {kind} {pid}"

    @staticmethod
    def offer_name(offer_id: str) -> str:
        return f"Offer {offer_id} CPS"
