"""Filing offers: the registry filing an account.announced_end finding suggests, for the unit."""
