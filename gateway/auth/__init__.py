"""Gateway: API keys, OAuth2 client credentials and the principal every request carries."""
