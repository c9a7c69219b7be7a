"""Pure rules of the sync service: standard library only, no I/O."""
