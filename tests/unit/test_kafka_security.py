"""Kafka security: the settings every client is built from, and the ACL table of the
services' principals (compared with what each service's code publishes and consumes)."""

from __future__ import annotations

import importlib
import ssl
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from affbill_contracts import topics
from affbill_contracts.topics import CONSUMED, PREFIX
from affbill_runtime.kafka_acls import SERVICE_ACCESS, acl_commands, all_acls, principal
from affbill_runtime.kafka_security import KafkaSecurity, KafkaSecurityError, client_options
from affbill_runtime.settings import ServiceSettings
from affbill_runtime.strimzi import kafka_users

ROOT = Path(__file__).resolve().parents[2]
FACTS = {topics.ADTRACKER_EMPLOYEES, topics.ADTRACKER_ADVERTISERS, topics.ADTRACKER_AFFILIATES,
         topics.ADTRACKER_STATS, topics.ADTRACKER_CONVERSIONS, topics.ADTRACKER_SYNCS}


def test_plaintext_is_the_default_and_adds_no_client_options() -> None:
    assert ServiceSettings().kafka_security == KafkaSecurity()
    assert client_options(None) == client_options(KafkaSecurity()) == {}
    assert KafkaSecurity().faststream() is None


def test_scram_over_tls_from_the_shared_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AFFBILL_KAFKA_SECURITY_PROTOCOL", "sasl_ssl")
    monkeypatch.setenv("AFFBILL_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256")
    monkeypatch.setenv("AFFBILL_KAFKA_SASL_USERNAME", "affbill-billing")
    monkeypatch.setenv("AFFBILL_KAFKA_SASL_PASSWORD", "s3cret")
    security = ServiceSettings().kafka_security
    options = security.client_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-256"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "affbill-billing", "s3cret")
    context = options["ssl_context"]
    assert context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED
    broker = security.faststream()
    assert type(broker).__name__ == "SASLScram256" and broker.use_ssl
    assert "s3cret" not in repr(ServiceSettings())  # a secret, never printed


def test_hostname_check_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AFFBILL_KAFKA_SECURITY_PROTOCOL", "SSL")
    monkeypatch.setenv("AFFBILL_KAFKA_SSL_CHECK_HOSTNAME", "false")
    security = ServiceSettings().kafka_security
    assert security.client_options()["ssl_context"].check_hostname is False
    assert type(security.faststream()).__name__ == "BaseSecurity"


@pytest.mark.parametrize(("env", "named"), [
    ({"AFFBILL_KAFKA_SECURITY_PROTOCOL": "TLS"}, "AFFBILL_KAFKA_SECURITY_PROTOCOL"),
    ({"AFFBILL_KAFKA_SECURITY_PROTOCOL": "SASL_SSL"}, "AFFBILL_KAFKA_SASL_USERNAME"),
    ({"AFFBILL_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "AFFBILL_KAFKA_SASL_USERNAME": "u",
      "AFFBILL_KAFKA_SASL_PASSWORD": "p", "AFFBILL_KAFKA_SASL_MECHANISM": "PLAIN"},
     "AFFBILL_KAFKA_SASL_MECHANISM"),
    ({"AFFBILL_KAFKA_SECURITY_PROTOCOL": "SSL", "AFFBILL_KAFKA_SSL_CERT_FILE": "c.pem"},
     "AFFBILL_KAFKA_SSL_KEY_FILE"),
    ({"AFFBILL_KAFKA_SSL_CA_FILE": "ca.pem"}, "does not use TLS"),
])
def test_settings_that_cannot_work_refuse_to_start_naming_the_setting(
        monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=named):
        ServiceSettings()
    with pytest.raises(KafkaSecurityError):
        KafkaSecurity("SASL_PLAINTEXT")


def declared(service: str) -> tuple[set[str], set[str]]:
    """(topics the service's code publishes to, topics it subscribes to), from its broker."""
    app = importlib.import_module(f"affbill_{service}.entrypoints.asyncapi").asyncapi()
    published = {p.topic for p in app.broker.publishers}
    consumed = {t.name for s in app.broker.subscribers for t in s.topics}
    return published, consumed


@pytest.mark.parametrize("service", sorted(SERVICE_ACCESS))
def test_each_principal_writes_what_its_service_publishes_and_reads_what_it_consumes(
        service: str) -> None:
    published, consumed = declared(service)
    access = SERVICE_ACCESS[service]
    assert set(access.writes) == published
    assert set(access.reads) == consumed


def test_only_billing_writes_invoices_only_sync_writes_facts_and_every_consumed_topic_is_read(
        ) -> None:
    writers: dict[str, set[str]] = {}
    for acl in all_acls():
        if acl.resource == "Topic" and acl.operation == "Write":
            writers.setdefault(acl.name, set()).add(acl.principal)
    assert writers[topics.BILLING_INVOICES] == {"User:affbill-billing"}
    for fact in FACTS:
        assert writers[fact] == {"User:affbill-sync"}, fact
    assert {t for a in SERVICE_ACCESS.values() for t in a.reads} == set(CONSUMED)
    assert not any(acl.resource == "Cluster" for acl in all_acls())  # no admin rights
    assert acl_commands()  # the kafka-acls.sh form names every entry's principal
    assert {principal(s) for s in SERVICE_ACCESS} == {
        line.split()[2].removeprefix("User:") for line in acl_commands()}


def test_the_strimzi_users_are_the_acl_table_as_generated() -> None:
    committed = (ROOT / "deploy/k8s/strimzi/users.yaml").read_text()
    assert committed == kafka_users(), "regenerate: python -m affbill_runtime.strimzi users"
    users = {m["metadata"]["name"]: m for m in yaml.safe_load_all(committed) if m}
    assert set(users) == {principal(s) for s in SERVICE_ACCESS}
    for service, access in SERVICE_ACCESS.items():
        acls = users[principal(service)]["spec"]["authorization"]["acls"]
        reads = {a["resource"]["name"] for a in acls
                 if a["resource"]["type"] == "topic" and "Read" in a["operations"]}
        assert reads == {t.removeprefix(PREFIX) for t in access.reads}
