"""Who a customer is: one id per adtracker partner, stable across syncs."""


def customer_id(connector: str, kind: str, partner_id: str) -> str:
    """``<connector>:<advertiser|affiliate>:<partner id>``, e.g. ``hasoffers-sim:advertiser:12``."""
    return f"{connector}:{kind}:{partner_id}"
