"""The gateway: authentication, scope, routing, OpenAPI and webhooks (not built yet)."""
