"""docker-compose.yml, the k8s manifests and the local scripts tell the same story."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
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
    deployment, svc, _budget = yaml.safe_load_all(
        (ROOT / f"deploy/k8s/base/{service}.yaml").read_text())
    pod = deployment["spec"]["template"]["spec"]
    assert pod["initContainers"][0]["command"] == [f"affbill-{service}", "migrate"]
    container = pod["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["ports"][0]["containerPort"] == settings(service).http_port
    assert svc["spec"]["ports"][0]["port"] == settings(service).http_port


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((ROOT / "deploy/k8s/base/kustomization.yaml").read_text())
    assert set(kustomization["resources"]) == {
        "config.yaml", "autoscaling.yaml", "networkpolicies.yaml",
        *(f"{s}.yaml" for s in SERVICES)}


def built(overlay: str) -> list[dict[str, Any]]:
    """The overlay as `kubectl kustomize` builds it, offline."""
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed: the manifests are built with its kustomize")
    out = subprocess.run(["kubectl", "kustomize", str(ROOT / "deploy/k8s/overlays" / overlay)],
                         check=True, capture_output=True, text=True).stdout
    return [d for d in yaml.safe_load_all(out) if d]


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_manifest_validates_against_the_kubernetes_schemas(overlay: str) -> None:
    for manifest in built(overlay):
        if "." in manifest["apiVersion"].split("/")[0] and not manifest["apiVersion"].startswith(
                ("apps/", "policy/", "autoscaling/", "networking.k8s.io/")):
            continue  # a CRD (ServiceMonitor): no bundled schema
        kubernetes_validate.validate(manifest, "1.30", strict=True)


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_pods_are_hardened_and_no_secret_is_shipped(overlay: str) -> None:
    manifests = built(overlay)
    assert not [m for m in manifests if m["kind"] == "Secret"]
    deployments = [m for m in manifests if m["kind"] == "Deployment"]
    assert {d["metadata"]["name"] for d in deployments} == {f"affbill-{s}" for s in SERVICES}
    for d in deployments:
        pod = d["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for c in pod["initContainers"] + pod["containers"]:
            assert c["securityContext"] == {"allowPrivilegeEscalation": False,
                                            "readOnlyRootFilesystem": True,
                                            "capabilities": {"drop": ["ALL"]}}
            assert c["resources"]["requests"]["memory"] and c["resources"]["limits"]["memory"]
            if overlay == "prod":
                assert "@sha256:" in c["image"], "prod pins its image by digest"
    kinds = {(m["kind"], m["metadata"]["name"]) for m in manifests}
    assert {("PodDisruptionBudget", f"affbill-{s}") for s in SERVICES} <= kinds
    assert {("HorizontalPodAutoscaler", "affbill-billing"),
            ("HorizontalPodAutoscaler", "affbill-documents")} <= kinds
    deny = next(m for m in manifests if m["metadata"]["name"] == "affbill-default-deny")
    assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"]
    gateway = next(d for d in deployments if d["metadata"]["name"] == "affbill-gateway")
    admin = next(e for e in gateway["spec"]["template"]["spec"]["containers"][0]["env"]
                 if e["name"] == "AFFBILL_GATEWAY_BOOTSTRAP_ADMIN_KEY")
    assert admin["valueFrom"]["secretKeyRef"]["name"] == "affbill-admin"


def test_only_the_gateway_is_reachable_from_the_ingress() -> None:
    policies = [m for m in built("prod") if m["kind"] == "NetworkPolicy"]
    from_outside = [p for p in policies for rule in p["spec"].get("ingress", [])
                    for peer in rule.get("from", []) if "namespaceSelector" in peer
                    and peer["namespaceSelector"]["matchLabels"][
                        "kubernetes.io/metadata.name"] == "ingress-nginx"]
    assert [p["spec"]["podSelector"] for p in from_outside] == [
        {"matchLabels": {"app.kubernetes.io/name": "affbill-gateway"}}]


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
