"""Pure rules of the gateway service: standard library only, no I/O."""
