"""Tables, repositories and clients."""
