"""Government accounts a site links to, recognised by the profile URLs of the major platforms."""
