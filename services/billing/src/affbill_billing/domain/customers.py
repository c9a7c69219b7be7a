"""Who a customer is: one id per adtracker partner, stable across syncs, and its side."""

from enum import StrEnum


class Side(StrEnum):
    """The side of the network a customer is on: advertisers are billed by invoice,
    affiliates are paid by self-billed credit note (EN 16931 type 389)."""

    ADVERTISER = "advertiser"
    AFFILIATE = "affiliate"


def customer_id(connector: str, kind: str, partner_id: str) -> str:
    """``<connector>:<advertiser|affiliate>:<partner id>``, e.g. ``hasoffers-sim:advertiser:12``."""
    return f"{connector}:{kind}:{partner_id}"


def side_of(customer: str) -> Side:
    """The side a customer id names (its middle part; a connector may hold colons). An id
    of another form (a custom invoice's customer) is an advertiser's: billed by invoice."""
    parts = customer.rsplit(":", 2)
    return Side.AFFILIATE if len(parts) == 3 and parts[1] == Side.AFFILIATE else Side.ADVERTISER
