"""The affbill command line: every action through the gateway's /api/v1."""
