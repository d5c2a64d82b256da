"""Fidelity benchmark: a corpus of government sites and accounts with planted problems and
planted look-alikes, an answer key, and recall/precision of the checker on it (issue 12)."""
