"""Pure rules of the documents service: standard library only, no I/O."""
