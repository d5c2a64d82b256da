"""Reference images of the national emblem (国徽), current and superseded, and their perceptual hashes."""
