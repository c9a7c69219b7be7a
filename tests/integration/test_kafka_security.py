"""A broker that requires authentication and TLS, set up by the project's script
(``KAFKA_SECURE=1 deploy/local/kafka.sh``: a self-signed CA, a SCRAM user and a client
certificate per service, the ACLs of affbill_runtime.kafka_acls): each service's principal
does what its code does, over SCRAM+TLS and over mutual TLS, and nothing else. The broker
is one of this module's own, on free ports and a state folder of its own."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError

from affbill_contracts import topics
from affbill_runtime.kafka_security import KafkaSecurity, client_options
from affbill_runtime.messaging import create_broker, create_producer, require_topics
from affbill_runtime.settings import ServiceSettings
from affbill_sync.adapters.publisher import FactPublisher
from tests.private_infra import PrivateKafka
from tests.processes import free_port

pytestmark = pytest.mark.integration


class SecureKafka(PrivateKafka):
    """The private broker in its secure mode: SASL_SSL on ``port``, mutual TLS on
    ``ssl_port``; ``clients`` holds each user's settings (``<user>.env``, ``<user>-mtls.env``)."""

    def __init__(self, state: Path) -> None:
        super().__init__(state)
        self.ssl_port = free_port()
        self.env |= {"KAFKA_SECURE": "1", "AFFBILL_KAFKA_SSL_PORT": str(self.ssl_port)}
        self.clients = state / "kafka/clients"

    def settings(self, user: str, *, mtls: bool = False, **changes: str) -> ServiceSettings:
        """The settings a process of ``user`` runs with (from the script's env file)."""
        path = self.clients / f"{user}{'-mtls' if mtls else ''}.env"
        env = dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
        env |= changes
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            return ServiceSettings(service_name=user.removeprefix("affbill-"))


@pytest.fixture(scope="module")
def kafka() -> Iterator[SecureKafka]:
    if shutil.which("java") is None or shutil.which("openssl") is None:
        pytest.skip("no Java or openssl for a secure broker of the test's own")
    state = Path(tempfile.mkdtemp(prefix="affbill-kafka-secure-"))
    broker = SecureKafka(state)
    try:
        broker.run("start")
        yield broker
    finally:
        broker.run("stop")
        shutil.rmtree(state, ignore_errors=True)


async def send(settings: ServiceSettings, topic: str, value: bytes) -> None:
    """One event through the producer a service's outbox relay uses."""
    producer = create_producer(settings.kafka_bootstrap_servers, settings.service_name,
                               settings.kafka_security)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"customer-1")
    finally:
        await producer.stop()


@pytest.fixture
async def received(kafka: SecureKafka) -> AsyncIterator[asyncio.Queue[Any]]:
    """What documents' principal receives on billing.invoices, through FastStream's broker
    (as the service's subscriber does) over SCRAM+TLS."""
    documents = kafka.settings("affbill-documents")
    broker = create_broker(documents.kafka_bootstrap_servers, "affbill-documents-test",
                           security=documents.kafka_security)
    queue: asyncio.Queue[Any] = asyncio.Queue()

    @broker.subscriber(topics.BILLING_INVOICES, group_id=f"affbill-documents.{uuid.uuid4()}",
                       auto_offset_reset="earliest")
    async def take(body: Any) -> None:  # decoded from JSON
        await queue.put(body)

    await broker.start()
    try:
        yield queue
    finally:
        await broker.stop()


async def wait_for(queue: asyncio.Queue[Any], value: bytes) -> None:
    async with asyncio.timeout(60):
        while await queue.get() != json.loads(value):
            pass


async def test_billing_publishes_invoices_and_documents_consume_them_over_scram_and_tls(
        kafka: SecureKafka, received: asyncio.Queue[Any]) -> None:
    billing = kafka.settings("affbill-billing")
    assert billing.kafka_security.protocol == "SASL_SSL"
    await require_topics(billing.kafka_bootstrap_servers, security=billing.kafka_security)
    await send(billing, topics.BILLING_INVOICES, b'{"over": "scram"}')
    await wait_for(received, b'{"over": "scram"}')


async def test_mutual_tls_authenticates_by_the_client_certificate(
        kafka: SecureKafka, received: asyncio.Queue[Any]) -> None:
    billing = kafka.settings("affbill-billing", mtls=True)
    assert billing.kafka_security.protocol == "SSL"
    assert billing.kafka_security.cert_file
    await send(billing, topics.BILLING_INVOICES, b'{"over": "mtls"}')
    await wait_for(received, b'{"over": "mtls"}')


@pytest.mark.parametrize(("user", "mtls"), [("affbill-documents", False),
                                             ("affbill-sync", False), ("affbill-gateway", True)])
async def test_only_billing_may_write_invoices(kafka: SecureKafka, user: str,
                                               mtls: bool) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await send(kafka.settings(user, mtls=mtls), topics.BILLING_INVOICES, b"{}")


async def test_only_sync_may_write_adtracker_facts_in_its_transactions(
        kafka: SecureKafka) -> None:
    sync = kafka.settings("affbill-sync")
    publisher = FactPublisher(sync.kafka_bootstrap_servers,
                              f"affbill-sync-test-{uuid.uuid4().hex[:6]}", sync.kafka_security)
    await publisher.start()
    try:
        await publisher.begin()
        await publisher.send(topics.ADTRACKER_STATS, "adv-1", b"{}")
        await publisher.commit()
        assert publisher.sent == 1
    finally:
        await publisher.stop()
    with pytest.raises(TopicAuthorizationFailedError):
        await send(kafka.settings("affbill-billing"), topics.ADTRACKER_STATS, b"{}")


async def test_a_service_reads_only_what_it_consumes(kafka: SecureKafka) -> None:
    documents = kafka.settings("affbill-documents")
    consumer = AIOKafkaConsumer(topics.ADTRACKER_STATS, group_id="affbill-documents.stats",
                                bootstrap_servers=documents.kafka_bootstrap_servers,
                                auto_offset_reset="earliest",
                                **client_options(documents.kafka_security))
    await consumer.start()
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            async with asyncio.timeout(60):
                await consumer.getmany(timeout_ms=5000)
                await consumer.getmany(timeout_ms=5000)
    finally:
        await consumer.stop()


async def test_a_wrong_password_is_refused(kafka: SecureKafka) -> None:
    impostor = kafka.settings("affbill-billing", AFFBILL_KAFKA_SASL_PASSWORD="not-the-password")
    with pytest.raises(KafkaConnectionError):
        await send(impostor, topics.BILLING_INVOICES, b"{}")


async def test_a_client_that_does_not_trust_the_ca_is_refused(kafka: SecureKafka) -> None:
    billing = kafka.settings("affbill-billing")
    untrusting = KafkaSecurity("SASL_SSL", "SCRAM-SHA-512", billing.kafka_sasl_username,
                               "irrelevant", ca_file=None)  # the system's CAs only
    producer = create_producer(billing.kafka_bootstrap_servers, "untrusting", untrusting)
    with pytest.raises(KafkaConnectionError):
        await producer.start()
    await producer.stop()
