"""The adtracker simulator: a real HTTP server speaking HasOffers and Everflow.

See docs/simulator.md.
"""
