"""The merged OpenAPI document of the gateway and its services, and its docs page."""
