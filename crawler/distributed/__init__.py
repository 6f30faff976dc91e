"""Distributed crawls: a frontier shared through Redis, workers, and politeness across them."""
