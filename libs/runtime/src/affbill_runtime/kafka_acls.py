"""Who may do what on the cluster: one principal per service, and the Kafka ACLs that let
each one write only what it publishes and read only what it consumes.

The table below is the one source: the local secure broker (``deploy/local/kafka.sh`` with
``KAFKA_SECURE=1``), ``deploy/kafka-acls.sh`` and the Strimzi ``KafkaUser`` manifests
(``python -m affbill_runtime.strimzi users``) are made from it, and a unit test compares it
with what each service's code publishes and subscribes to.

    python -m affbill_runtime.kafka_acls commands   # kafka-acls.sh arguments, one line each
    python -m affbill_runtime.kafka_acls apply [BOOTSTRAP]  # as an admin (its AFFBILL_KAFKA_*):
                                                    # every topic, then every entry
    python -m affbill_runtime.kafka_acls principals # the users to create, one per service
"""

from __future__ import annotations

import asyncio
import shlex
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from affbill_contracts import topics as t
from affbill_contracts.topics import TOPICS, dead_letters

if TYPE_CHECKING:
    from affbill_runtime.settings import ServiceSettings

#: the sync's transactional producers are ``affbill-sync-<connector>``
TRANSACTIONAL_ID_PREFIX = "affbill-sync-"


@dataclass(frozen=True)
class Access:
    """What one service's principal may do: the topics it writes (its outbox and producers)
    and reads (its subscribers; it also writes their dead letters), under consumer groups
    named ``affbill-<service>…`` (the default of AFFBILL_<SERVICE>_CONSUMER_GROUP)."""

    writes: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    transactional_id_prefix: str | None = None

    @property
    def written(self) -> tuple[str, ...]:
        """Every topic the principal writes, dead letters of what it reads included."""
        return self.writes + tuple(dead_letters(topic) for topic in self.reads)


_FACTS = (t.ADTRACKER_EMPLOYEES, t.ADTRACKER_ADVERTISERS, t.ADTRACKER_AFFILIATES,
          t.ADTRACKER_STATS, t.ADTRACKER_CONVERSIONS, t.ADTRACKER_SYNCS, t.FX_RATES)

SERVICE_ACCESS: dict[str, Access] = {
    "gateway": Access(writes=(t.SYNC_REQUESTS, t.BILLING_REQUESTS, t.JOBS_EVENTS)),
    "sync": Access(writes=(*_FACTS, t.JOBS_EVENTS, t.SYNC_REQUESTS), reads=(t.SYNC_REQUESTS,),
                   transactional_id_prefix=TRANSACTIONAL_ID_PREFIX),
    "billing": Access(writes=(t.BILLING_INVOICES, t.BILLING_REQUESTS, t.JOBS_EVENTS),
                      reads=(*_FACTS, t.BILLING_REQUESTS)),
    "documents": Access(writes=(t.DOCUMENTS_RENDERED, t.JOBS_EVENTS),
                        reads=(t.BILLING_INVOICES,)),
    "jobs": Access(reads=(t.JOBS_EVENTS,)),
}


@dataclass(frozen=True)
class Acl:
    """One "allow" entry: ``principal`` may ``operation`` on a resource (a topic, group or
    transactional id, named literally or by prefix), from any host."""

    principal: str
    resource: str  # Topic, Group, TransactionalId (Kafka's names)
    name: str
    operation: str  # Read, Write, Describe
    prefixed: bool = False


def principal(service: str) -> str:
    """The service's user on the cluster: its SCRAM username, its client certificate's CN,
    its Strimzi KafkaUser."""
    return f"affbill-{service}"


def service_acls(service: str, access: Access) -> Iterator[Acl]:
    """The ACL entries of one service's principal ``User:affbill-<service>``."""
    user = f"User:{principal(service)}"
    for topic in access.written:
        yield Acl(user, "Topic", topic, "Write")
    for topic in access.reads:
        yield Acl(user, "Topic", topic, "Read")
    for spec in TOPICS:  # a service checks at start that every topic exists
        yield Acl(user, "Topic", spec.name, "Describe")
    if access.reads:
        yield Acl(user, "Group", f"affbill-{service}", "Read", prefixed=True)
    if access.transactional_id_prefix:
        for operation in ("Write", "Describe"):
            yield Acl(user, "TransactionalId", access.transactional_id_prefix, operation,
                      prefixed=True)


def all_acls() -> list[Acl]:
    return [acl for service, access in SERVICE_ACCESS.items()
            for acl in service_acls(service, access)]


def acl_commands() -> list[str]:
    """``kafka-acls.sh --add`` arguments (without --bootstrap-server): one line per principal,
    operation and kind of resource, naming every resource of that kind."""
    calls: dict[tuple[str, str, str, bool], list[str]] = {}
    for acl in all_acls():
        calls.setdefault((acl.principal, acl.operation, acl.resource, acl.prefixed),
                         []).append(acl.name)
    lines = []
    for (user, operation, resource, prefixed), names in calls.items():
        option = {"Topic": "--topic", "Group": "--group",
                  "TransactionalId": "--transactional-id"}[resource]
        named = " ".join(f"{option} {shlex.quote(name)}" for name in names)
        lines.append(f"--add --allow-principal {user} --operation {operation} {named} "
                     f"--resource-pattern-type {'prefixed' if prefixed else 'literal'}")
    return lines


async def apply(bootstrap: str, settings: ServiceSettings) -> None:
    """As an admin: every ACL entry, then every topic (the services may not create them).

    In this order, the topics are listed only once the broker has applied the ACLs that
    came before them in the cluster's metadata log: a service may connect when this returns.
    """
    from affbill_runtime.kafka_admin import create_acls
    from affbill_runtime.messaging import ensure_topics

    await create_acls(bootstrap, all_acls(), settings.kafka_security)
    await ensure_topics(bootstrap, layout=settings.topic_layout, security=settings.kafka_security)
    print(f"{len(TOPICS)} topics and {len(all_acls())} ACL entries on {bootstrap}",
          file=sys.stderr)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "commands"
    if command == "commands":
        sys.stdout.write("".join(line + "\n" for line in acl_commands()))
        return 0
    if command == "principals":
        print(" ".join(principal(service) for service in SERVICE_ACCESS))
        return 0
    if command == "apply":
        from affbill_runtime.settings import ServiceSettings

        settings = ServiceSettings()
        bootstrap = argv[1] if len(argv) > 1 else settings.kafka_bootstrap_servers
        asyncio.run(apply(bootstrap, settings))
        return 0
    print("usage: python -m affbill_runtime.kafka_acls commands|apply [BOOTSTRAP]\n"
          "(apply connects with the AFFBILL_KAFKA_* settings of an admin principal)",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
