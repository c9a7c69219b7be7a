"""Topic names and their layout. The names are the wire contract; never rename one.

``AFFBILL_TOPIC_PREFIX`` (read once, when this module is imported) puts every topic of
a process in a namespace: tests and benches set a prefix of their own, so their
traffic never reaches the product's topics and a running stack never reads theirs.
The product runs without one. Every consumed topic has a dead-letter topic,
``<topic>.dlq``, where a message that could not be applied ends up (with its reason
in the headers and in the consumer's ``rejected_messages``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

PREFIX = os.environ.get("AFFBILL_TOPIC_PREFIX", "")
if not re.fullmatch(r"[A-Za-z0-9._-]{0,100}", PREFIX):
    raise ValueError(f"AFFBILL_TOPIC_PREFIX: {PREFIX!r} is not a legal Kafka topic prefix "
                     "(letters, digits, '.', '_', '-'; at most 100)")

SYNC_REQUESTS = PREFIX + "sync.requests"
ADTRACKER_EMPLOYEES = PREFIX + "adtracker.employees"
ADTRACKER_ADVERTISERS = PREFIX + "adtracker.advertisers"
ADTRACKER_AFFILIATES = PREFIX + "adtracker.affiliates"
ADTRACKER_STATS = PREFIX + "adtracker.stats"
ADTRACKER_CONVERSIONS = PREFIX + "adtracker.conversions"
ADTRACKER_SYNCS = PREFIX + "adtracker.syncs"  # syncs that succeeded (period readiness)
BILLING_REQUESTS = PREFIX + "billing.requests"
BILLING_INVOICES = PREFIX + "billing.invoices"
DOCUMENTS_RENDERED = PREFIX + "documents.rendered"
JOBS_EVENTS = PREFIX + "jobs.events"
FX_RATES = PREFIX + "fx.rates"


def dead_letters(topic: str) -> str:
    """The dead-letter topic of a consumed topic."""
    return f"{topic}.dlq"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    compacted: bool = False
    key: str = ""


# Entity topics are compacted: the latest fact per key is the state.
# adtracker.* and billing.invoices are keyed by customer so one customer's facts stay in order.
PRODUCT_TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(SYNC_REQUESTS, 1, key="connector"),
    TopicSpec(ADTRACKER_EMPLOYEES, 1, compacted=True, key="employee"),
    TopicSpec(ADTRACKER_ADVERTISERS, 3, compacted=True, key="advertiser"),
    TopicSpec(ADTRACKER_AFFILIATES, 3, compacted=True, key="affiliate"),
    TopicSpec(ADTRACKER_STATS, 6, key="advertiser"),
    TopicSpec(ADTRACKER_CONVERSIONS, 6, key="advertiser"),
    TopicSpec(ADTRACKER_SYNCS, 1, key="connector"),
    TopicSpec(BILLING_REQUESTS, 1, key="run"),
    TopicSpec(BILLING_INVOICES, 6, key="customer"),
    TopicSpec(DOCUMENTS_RENDERED, 3, key="customer"),
    TopicSpec(JOBS_EVENTS, 3, key="job"),
    TopicSpec(FX_RATES, 1, key="source:date"),  # history: every correction is kept
)
#: the topics some service consumes: each has a dead-letter topic
CONSUMED: tuple[str, ...] = (SYNC_REQUESTS, ADTRACKER_EMPLOYEES, ADTRACKER_ADVERTISERS,
                             ADTRACKER_AFFILIATES, ADTRACKER_STATS, ADTRACKER_CONVERSIONS,
                             ADTRACKER_SYNCS, BILLING_REQUESTS, BILLING_INVOICES, JOBS_EVENTS,
                             FX_RATES)
# Dead letters are kept, never compacted: every message that failed stays readable.
DEAD_LETTER_TOPICS: tuple[TopicSpec, ...] = tuple(
    TopicSpec(dead_letters(t.name), 1, key=t.key) for t in PRODUCT_TOPICS if t.name in CONSUMED)
TOPICS: tuple[TopicSpec, ...] = PRODUCT_TOPICS + DEAD_LETTER_TOPICS
