"""docker-compose.yml, the k8s manifests and the local scripts tell the same story."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml

from affbill_contracts.topics import TopicSpec
from affbill_runtime.settings import ServiceSettings
from affbill_runtime.strimzi import kafka_topics, product_topics
from affbill_runtime.topic_layout import TopicLayout

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("gateway", "sync", "billing", "documents", "jobs")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def settings(service: str):
    return importlib.import_module(f"affbill_{service}.config").Settings()


def test_compose_runs_every_service_after_its_migrations_with_a_health_check() -> None:
    services = compose()["services"]
    for name in SERVICES:
        svc = services[name]
        assert svc["command"] == [f"affbill-{name}", "serve"]
        assert svc["healthcheck"]["test"]
        assert svc["depends_on"][f"{name}-migrate"]["condition"] == "service_completed_successfully"
        assert svc["depends_on"]["kafka"]["condition"] == "service_healthy"
        assert services[f"{name}-migrate"]["command"] == [f"affbill-{name}", "migrate"]
        assert svc["environment"]["PORT"] == str(settings(name).http_port)
    assert services["postgres"]["healthcheck"] and services["kafka"]["healthcheck"]


def test_compose_and_local_scripts_pin_the_same_kafka() -> None:
    pom = (ROOT / "deploy/local/kafka/pom.xml").read_text()
    version = re.search(r"<kafka.version>(.+)</kafka.version>", pom).group(1)
    assert compose()["services"]["kafka"]["image"] == f"apache/kafka:{version}"
    assert version.startswith("4.")


def test_procfile_lists_every_service() -> None:
    lines = (ROOT / "Procfile").read_text().splitlines()
    assert sorted(line.split(":")[0] for line in lines if line) == sorted(
        [*SERVICES, "simulator"])


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_manifest_migrates_first_and_probes_health(service: str) -> None:
    deployment, svc = yaml.safe_load_all((ROOT / f"deploy/k8s/{service}.yaml").read_text())
    pod = deployment["spec"]["template"]["spec"]
    assert pod["initContainers"][0]["command"] == [f"affbill-{service}", "migrate"]
    container = pod["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["ports"][0]["containerPort"] == settings(service).http_port
    assert svc["spec"]["ports"][0]["port"] == settings(service).http_port


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((ROOT / "deploy/k8s/kustomization.yaml").read_text())
    assert set(kustomization["resources"]) == {"config.yaml", *(f"{s}.yaml" for s in SERVICES)}


def test_the_strimzi_topics_are_every_topic_as_generated() -> None:
    committed = (ROOT / "deploy/k8s/strimzi/topics.yaml").read_text()
    assert committed == kafka_topics(), "regenerate: python -m affbill_runtime.strimzi"
    manifests = [d for d in yaml.safe_load_all(committed) if d]
    assert {m["spec"]["topicName"] for m in manifests} == {t.name for t in product_topics()}
    for m in manifests:
        assert m["spec"]["replicas"] == 3 and m["spec"]["config"]["min.insync.replicas"] == "2"


def test_topic_layout_comes_from_one_setting_for_every_service(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AFFBILL_KAFKA_TOPIC_REPLICATION_FACTOR", "3")
    monkeypatch.setenv("AFFBILL_KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "2")
    monkeypatch.setenv("AFFBILL_KAFKA_TOPIC_RETENTION_MS", "604800000")
    monkeypatch.setenv("AFFBILL_KAFKA_CREATE_TOPICS", "false")
    settings = ServiceSettings()
    assert not settings.kafka_create_topics
    layout = settings.topic_layout
    assert layout == TopicLayout(3, 2, 604800000)
    stats, advertisers = (TopicSpec("adtracker.stats", 6),
                          TopicSpec("adtracker.advertisers", 3, compacted=True))
    assert layout.config(stats) == {"cleanup.policy": "delete", "min.insync.replicas": "2",
                                    "retention.ms": "604800000"}
    assert layout.config(advertisers) == {"cleanup.policy": "compact",
                                          "min.insync.replicas": "2"}  # the latest fact stays
