"""Running the suite: the local supervisor behind `make run`."""
