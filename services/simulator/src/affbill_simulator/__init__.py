"""The adtracker simulator: a real HTTP server speaking HasOffers and Everflow (docs/simulator.md)."""
