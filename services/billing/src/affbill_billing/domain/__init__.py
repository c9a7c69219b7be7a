"""Pure rules of the billing service: standard library only, no I/O."""
