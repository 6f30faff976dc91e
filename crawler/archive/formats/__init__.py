"""Posts into and out of the archive in the formats other tools read, one module a format."""
