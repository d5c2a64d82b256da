"""Self-watch: runs that made no progress and plans that did not fire, as system alerts."""
