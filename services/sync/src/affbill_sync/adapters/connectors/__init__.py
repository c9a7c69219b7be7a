"""Adtracker connectors: one interface, one implementation per platform's wire format."""

from affbill_sync.adapters.connectors.base import (
    AdtrackerAuthError,
    AdtrackerError,
    Connector,
    ConnectorConfig,
    RetriesExhausted,
)


def build_connector(config: ConnectorConfig, **kwargs: object) -> Connector:
    from affbill_sync.adapters.connectors.everflow import EverflowConnector
    from affbill_sync.adapters.connectors.hasoffers import HasOffersConnector

    kinds = {"hasoffers": HasOffersConnector, "everflow": EverflowConnector}
    return kinds[config.kind](config, **kwargs)  # type: ignore[arg-type]


__all__ = ["AdtrackerAuthError", "AdtrackerError", "Connector", "ConnectorConfig",
           "RetriesExhausted", "build_connector"]
