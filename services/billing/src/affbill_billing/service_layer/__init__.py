"""Handlers (verb_noun) that own the transaction through a unit of work."""
