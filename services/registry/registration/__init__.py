"""Registration requests: a supervisor asks a unit to file an account or site found unfiled."""
