"""Which Kafka errors refuse an outbox row for good: the relay sets such a row aside
(relay.py); any other error may pass, and the row waits for the next round."""

from __future__ import annotations

from typing import Any

from aiokafka import errors as kafka_errors

# What Kafka answers about the row itself: sending it again cannot succeed. Anything
# else (broker down, timeouts, a closing producer) may pass, and the row waits.
REFUSED_FOR_GOOD = (
    kafka_errors.MessageSizeTooLargeError, kafka_errors.RecordTooLargeError,
    kafka_errors.RecordListTooLargeError, kafka_errors.CorruptRecordException,
    kafka_errors.InvalidTopicError, kafka_errors.TopicAuthorizationFailedError,
    TypeError, ValueError,
)


async def refusal(producer: Any, exc: BaseException, topic: str) -> str:
    """Why Kafka refused a row for good; re-raises an error that may pass (broker down)."""
    if isinstance(exc, kafka_errors.UnknownTopicOrPartitionError):
        if await _topic_missing(producer, topic):
            return f"topic {topic!r} does not exist on the broker"
        raise exc
    if not isinstance(exc, REFUSED_FOR_GOOD):
        raise exc
    return f"{type(exc).__name__}: {exc}"[:2000]


async def _topic_missing(producer: Any, topic: str) -> bool:
    """True only when fresh metadata came back and does not list the topic (a broker
    that does not answer also ends in UnknownTopicOrPartitionError)."""
    client = getattr(producer, "client", None)
    if client is None:
        return False
    return bool(await client.force_metadata_update()) and topic not in client.cluster.topics()
