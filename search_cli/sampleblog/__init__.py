"""A small German and English marketing blog, shipped for the demo and the end-to-end tests."""
