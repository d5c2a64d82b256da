"""What an inspection works on: the crawled and rendered site, and what rules return."""
