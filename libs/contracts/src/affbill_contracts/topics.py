"""Topic names and their layout. The names are the wire contract; never rename one."""

from __future__ import annotations

from dataclasses import dataclass

SYNC_REQUESTS = "sync.requests"
ADTRACKER_EMPLOYEES = "adtracker.employees"
ADTRACKER_ADVERTISERS = "adtracker.advertisers"
ADTRACKER_AFFILIATES = "adtracker.affiliates"
ADTRACKER_STATS = "adtracker.stats"
ADTRACKER_CONVERSIONS = "adtracker.conversions"
BILLING_REQUESTS = "billing.requests"
BILLING_INVOICES = "billing.invoices"
DOCUMENTS_RENDERED = "documents.rendered"
JOBS_EVENTS = "jobs.events"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    compacted: bool = False
    key: str = ""


# Entity topics are compacted: the latest fact per key is the state.
# adtracker.* and billing.invoices are keyed by customer so one customer's facts stay in order.
TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(SYNC_REQUESTS, 1, key="connector"),
    TopicSpec(ADTRACKER_EMPLOYEES, 1, compacted=True, key="employee"),
    TopicSpec(ADTRACKER_ADVERTISERS, 3, compacted=True, key="advertiser"),
    TopicSpec(ADTRACKER_AFFILIATES, 3, compacted=True, key="affiliate"),
    TopicSpec(ADTRACKER_STATS, 6, key="advertiser"),
    TopicSpec(ADTRACKER_CONVERSIONS, 6, key="advertiser"),
    TopicSpec(BILLING_REQUESTS, 1, key="run"),
    TopicSpec(BILLING_INVOICES, 6, key="customer"),
    TopicSpec(DOCUMENTS_RENDERED, 3, key="customer"),
    TopicSpec(JOBS_EVENTS, 3, key="job"),
)
