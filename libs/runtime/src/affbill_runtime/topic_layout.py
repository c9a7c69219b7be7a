"""The topics' layout on a Kafka cluster: replication, in-sync replicas, retention."""

from __future__ import annotations

from dataclasses import dataclass

from affbill_contracts.topics import TopicSpec


@dataclass(frozen=True)
class TopicLayout:
    """How the topics are laid out on the cluster (settings ``kafka_topic_*``).

    The development broker has one node: replication 1. A production cluster wants 3 and
    ``min.insync.replicas`` 2, so an acknowledged event survives the loss of a broker.
    ``retention_ms`` applies to the topics that are not compacted (None: the broker's)."""

    replication_factor: int = 1
    min_insync_replicas: int | None = None
    retention_ms: int | None = None

    def config(self, spec: TopicSpec) -> dict[str, str]:
        """The topic-level configuration of ``spec`` on this layout."""
        config = {"cleanup.policy": "compact" if spec.compacted else "delete"}
        if self.min_insync_replicas is not None:
            config["min.insync.replicas"] = str(self.min_insync_replicas)
        if self.retention_ms is not None and not spec.compacted:
            config["retention.ms"] = str(self.retention_ms)
        return config
