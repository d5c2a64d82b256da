"""Registry service: regions, organisations, websites, new-media accounts and their filings."""
