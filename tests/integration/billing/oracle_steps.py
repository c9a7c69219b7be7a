"""The steps test_billing_oracle draws, and what they ask of billing's data.

A step names things by small numbers (customer 0–2, the n-th item or document the example
made, modulo how many there are), so hypothesis can draw and shrink it without knowing the
database's ids; `Steps.apply` (oracle_driver) turns them into calls of the service layer
and into the twins' expectations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import strategies as st

from affbill_billing.domain.grouping import LineGrouping

CUSTOMERS = ("oa", "ob", "oc")  # connectors; each has advertiser 7
DAY = dt.date(2026, 10, 1)


def customer_id(n: int) -> str:
    return f"{CUSTOMERS[n]}:advertiser:7"


@dataclass(frozen=True)
class RowSpec:
    customer: int
    offer: str
    day: int  # days after DAY
    currency: str
    affiliate: str
    units: int
    revenue: Decimal
    removed: bool
    offer_name: str
    partition: int


@dataclass(frozen=True)
class StatRows:
    """New stat rows, restatements and removals, through the stat stream in chunks."""

    rows: tuple[RowSpec, ...]
    garbage: bool  # a message that is no stat row goes with them
    chunk_size: int


@dataclass(frozen=True)
class Restate:
    """A stat row the example sent before, restated (or removed) at the source."""

    stat: int  # the n-th stat row the example sent
    units: int
    revenue: Decimal
    removed: bool
    partition: int


@dataclass(frozen=True)
class Redeliver:
    """A stat batch sent before, delivered again: nothing changes."""

    batch: int
    chunk_size: int


@dataclass(frozen=True)
class PartnerFact:
    customer: int
    country: str
    vat: bool
    currency: str
    twice: bool  # the same event delivered again


@dataclass(frozen=True)
class ProfileEdit:
    customer: int
    threshold: Decimal | None
    threshold_currency: str
    drafts_by_default: bool
    line_grouping: LineGrouping


@dataclass(frozen=True)
class Run:
    customers: tuple[int, ...]
    items: tuple[int, ...]  # single items chosen besides (the n-th item the example made)
    period_end: int | None
    redelivered: bool
    # stat rows of the run's customers restated between the run's read and its statements
    meanwhile: tuple[Restate, ...] | None


@dataclass(frozen=True)
class Cart:
    customer: int
    picks: tuple[int, ...]  # the n-th of the customer's open items in no draft
    odd: str | None  # and one that cannot go: "foreign" (another customer's), "taken"


@dataclass(frozen=True)
class Discard:
    draft: int  # the n-th draft the example made (issued and discarded ones included)


@dataclass(frozen=True)
class Create:
    drafts: tuple[int, ...]
    bulk: bool  # as the IssueDrafts command, delivered twice


@dataclass(frozen=True)
class Cancel:
    document: int  # the n-th document the example made


Step = (StatRows | Restate | Redeliver | PartnerFact | ProfileEdit | Run | Cart | Discard | Create
        | Cancel)

_revenue = st.one_of(
    st.sampled_from([Decimal("0"), Decimal("10.00000"), Decimal("12.50000"), Decimal("0.00500"),
                     Decimal("-7.25000")]),
    st.decimals(min_value=-30, max_value=200, places=5))
_row = st.builds(
    RowSpec, customer=st.integers(0, 2), offer=st.sampled_from(["20", "21"]),
    day=st.integers(0, 2), currency=st.sampled_from(["EUR", "JPY"]),
    affiliate=st.sampled_from(["1", "2"]), units=st.integers(0, 4), revenue=_revenue,
    removed=st.sampled_from([False, False, False, True]),
    offer_name=st.sampled_from(["Shop CPS", "Shop CPS DE"]), partition=st.integers(0, 1))
_n = st.integers(0, 40)
_tuple = st.lists(_n, min_size=1, max_size=4).map(tuple)

stat_rows = st.builds(StatRows, rows=st.lists(_row, min_size=1, max_size=7).map(tuple),
                      garbage=st.sampled_from([False, False, False, True]),
                      chunk_size=st.sampled_from([2, 3, 2500]))
partner_fact = st.builds(PartnerFact, customer=st.integers(0, 2),
                         country=st.sampled_from(["DE", "FR", "US"]), vat=st.booleans(),
                         currency=st.sampled_from(["EUR", "JPY"]), twice=st.booleans())
profile_edit = st.builds(
    ProfileEdit, customer=st.integers(0, 2),
    threshold=st.sampled_from([None, Decimal("0"), Decimal("5.00"), Decimal("40.00"),
                               Decimal("500.00")]),
    threshold_currency=st.sampled_from(["EUR", "JPY"]),
    drafts_by_default=st.sampled_from([False, False, True]),
    line_grouping=st.sampled_from(list(LineGrouping)))
_restate = st.builds(Restate, stat=_n, units=st.integers(0, 4), revenue=_revenue,
                    removed=st.sampled_from([False, False, True]), partition=st.integers(0, 1))
run = st.builds(Run, customers=st.lists(st.integers(0, 2), unique=True, max_size=3).map(tuple),
                items=st.lists(_n, max_size=3).map(tuple),
                period_end=st.one_of(st.none(), st.integers(0, 2)), redelivered=st.booleans(),
                meanwhile=st.one_of(st.none(),
                                    st.lists(_restate, min_size=1, max_size=3).map(tuple)))


def step_strategy(batches: int, items: int, drafts: int, documents: int) -> st.SearchStrategy:
    """A step that can apply to an example with so many stat batches sent, items, drafts
    made and documents made; weighted towards what makes and moves documents."""
    # hypothesis leans to the first names: those that make and move documents come first
    kinds = {"run": 2}
    if drafts:
        kinds |= {"create": 2, "discard": 1}
    if items:
        kinds |= {"cart": 2}
    if documents:
        kinds |= {"cancel": 2}
    if batches:
        kinds |= {"restate": 2, "redeliver": 1}
    kinds |= {"rows": 3, "partner": 1, "profile": 1}
    names = [name for name, weight in kinds.items() for _ in range(weight)]
    return st.sampled_from(names).flatmap(lambda name: _KINDS[name])


_KINDS: dict[str, st.SearchStrategy] = {
    "rows": stat_rows, "partner": partner_fact, "profile": profile_edit, "run": run,
    "redeliver": st.builds(Redeliver, batch=_n, chunk_size=st.sampled_from([2, 2500])),
    "restate": _restate,
    "cart": st.builds(Cart, customer=st.integers(0, 2), picks=_tuple,
                      odd=st.sampled_from([None, None, None, "foreign", "taken"])),
    "discard": st.builds(Discard, draft=_n),
    "create": st.builds(Create, drafts=_tuple, bulk=st.booleans()),
    "cancel": st.builds(Cancel, document=_n),
}


def first_partners() -> st.SearchStrategy:
    """Customers 0 and 1 start with their partner facts (a profile); customer 2 gets one
    only if a step says so, so runs and drafts also meet a customer without a profile."""
    return st.tuples(*(st.builds(PartnerFact, customer=st.just(n),
                                 country=st.sampled_from(["DE", "FR", "US"]), vat=st.booleans(),
                                 currency=st.sampled_from(["EUR", "JPY"]),
                                 twice=st.just(False)) for n in (0, 1)))
