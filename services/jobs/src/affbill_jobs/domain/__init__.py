"""Pure rules of the jobs service: standard library only, no I/O."""
