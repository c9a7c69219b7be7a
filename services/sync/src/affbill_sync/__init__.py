"""affbill sync: Pulls employees, advertisers, affiliates, stats and conversions from the
adtracker and publishes them."""
