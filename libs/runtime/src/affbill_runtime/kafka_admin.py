"""Creating Kafka ACLs from Python (aiokafka's admin client has no call for it): one
CreateAcls request with every entry; an entry that exists already is left as it is."""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import CreateAclsRequest_v1
from aiokafka.protocol.api import Request

from affbill_runtime.kafka_acls import Acl
from affbill_runtime.kafka_security import KafkaSecurity, client_options

# Kafka's wire codes (org.apache.kafka.common.resource / acl)
RESOURCE_TYPES = {"Topic": 2, "Group": 3, "Cluster": 4, "TransactionalId": 5}
OPERATIONS = {"Read": 3, "Write": 4, "Create": 5, "Describe": 8, "IdempotentWrite": 12}
LITERAL, PREFIXED, ALLOW = 3, 4, 3


class CreateAcls(Request[CreateAclsRequest_v1]):
    """CreateAcls (API 30, version 1: with pattern types) for many entries at once."""

    API_KEY = 30

    def __init__(self, acls: Sequence[Acl]) -> None:
        self._creations = [
            (RESOURCE_TYPES[a.resource], a.name, PREFIXED if a.prefixed else LITERAL,
             a.principal, "*", OPERATIONS[a.operation], ALLOW) for a in acls]

    def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> CreateAclsRequest_v1:
        return CreateAclsRequest_v1(self._creations)


class AclRefused(RuntimeError):
    """The cluster refused some entries (the client is no admin, or no authorizer is on)."""


async def create_acls(bootstrap_servers: str, acls: Sequence[Acl],
                      security: KafkaSecurity | None = None) -> None:
    """Create ``acls`` on the cluster, as the principal ``security`` authenticates."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers,
                                client_id="affbill-acls", **client_options(security))
    await admin.start()
    try:
        response = await admin._send_request(CreateAcls(acls))
    finally:
        await admin.close()
    errors = {(code, message) for code, message in response.creation_responses if code}
    if errors:
        raise AclRefused("; ".join(f"error {code}: {message}" for code, message in errors))
