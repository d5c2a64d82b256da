"""The suite's services: registry, checker and reporting, each an independent FastAPI app."""
