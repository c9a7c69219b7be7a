"""affbill gateway: The one public HTTP entry: API keys, roles, and routing to the owning
service."""
