"""How a Kafka client authenticates and encrypts: one value, turned into the options of every
client (aiokafka producers, consumers and admin clients, and FastStream's broker).

SASL/SCRAM (SHA-256 or SHA-512) with username and password, TLS with a CA file, mutual TLS
with a client certificate and key, and hostname checking: PLAINTEXT, SSL, SASL_PLAINTEXT or
SASL_SSL, as Kafka names them. Settings ``AFFBILL_KAFKA_SECURITY_PROTOCOL`` and
``AFFBILL_KAFKA_SASL_*`` / ``AFFBILL_KAFKA_SSL_*`` (settings.py) build it.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any, Literal

from faststream.security import BaseSecurity, SASLScram256, SASLScram512

Protocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
Mechanism = Literal["SCRAM-SHA-256", "SCRAM-SHA-512"]
PROTOCOLS: tuple[str, ...] = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS: tuple[str, ...] = ("SCRAM-SHA-256", "SCRAM-SHA-512")


class KafkaSecurityError(ValueError):
    """A combination of security settings that cannot work, naming the setting."""


@dataclass(frozen=True)
class KafkaSecurity:
    """A client's security on the cluster; the default is plaintext without authentication.

    Invalid combinations fail when the value is made, naming the setting at fault (a SASL
    protocol without username or password, a certificate without its key, TLS files on a
    plaintext protocol), so a service refuses to start instead of failing at its first send.
    """

    protocol: Protocol = "PLAINTEXT"
    sasl_mechanism: Mechanism = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None  # None: the system's trusted CAs
    cert_file: str | None = None  # client certificate (mutual TLS)
    key_file: str | None = None
    key_password: str | None = None
    check_hostname: bool = True

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise KafkaSecurityError(f"AFFBILL_KAFKA_SECURITY_PROTOCOL: {self.protocol!r} is "
                                     f"not one of {', '.join(PROTOCOLS)}")
        if self.sasl and self.sasl_mechanism not in MECHANISMS:
            raise KafkaSecurityError(f"AFFBILL_KAFKA_SASL_MECHANISM: {self.sasl_mechanism!r} "
                                     f"is not one of {', '.join(MECHANISMS)}")
        if self.sasl and not (self.username and self.password):
            raise KafkaSecurityError(
                f"AFFBILL_KAFKA_SASL_USERNAME and AFFBILL_KAFKA_SASL_PASSWORD are required "
                f"with AFFBILL_KAFKA_SECURITY_PROTOCOL={self.protocol}")
        if bool(self.cert_file) != bool(self.key_file):
            raise KafkaSecurityError("AFFBILL_KAFKA_SSL_CERT_FILE and AFFBILL_KAFKA_SSL_KEY_FILE "
                                     "go together (mutual TLS needs both)")
        if not self.tls and (self.ca_file or self.cert_file):
            raise KafkaSecurityError(
                f"AFFBILL_KAFKA_SSL_* files are set but AFFBILL_KAFKA_SECURITY_PROTOCOL="
                f"{self.protocol} does not use TLS (SSL or SASL_SSL)")

    @property
    def tls(self) -> bool:
        return self.protocol in ("SSL", "SASL_SSL")

    @property
    def sasl(self) -> bool:
        return self.protocol.startswith("SASL_")

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context (server verified against ``ca_file``; client certificate loaded
        for mutual TLS), or None on a protocol without TLS."""
        if not self.tls:
            return None
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca_file)
        context.check_hostname = self.check_hostname
        if self.cert_file and self.key_file:
            context.load_cert_chain(self.cert_file, self.key_file, password=self.key_password)
        return context

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for AIOKafkaProducer, AIOKafkaConsumer and AIOKafkaAdminClient."""
        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.tls:
            options["ssl_context"] = self.ssl_context()
        if self.sasl:
            options |= {"sasl_mechanism": self.sasl_mechanism,
                        "sasl_plain_username": self.username,
                        "sasl_plain_password": self.password}
        return options

    def faststream(self) -> BaseSecurity | None:
        """The same security for FastStream's KafkaBroker (None: plaintext)."""
        if not self.sasl:
            return BaseSecurity(ssl_context=self.ssl_context(), use_ssl=True) if self.tls else None
        scram = SASLScram256 if self.sasl_mechanism == "SCRAM-SHA-256" else SASLScram512
        return scram(self.username or "", self.password or "", ssl_context=self.ssl_context(),
                     use_ssl=self.tls)


PLAINTEXT = KafkaSecurity()


def client_options(security: KafkaSecurity | None) -> dict[str, Any]:
    """aiokafka options of ``security`` (none for a plaintext client)."""
    return {} if security is None or security == PLAINTEXT else security.client_options()
