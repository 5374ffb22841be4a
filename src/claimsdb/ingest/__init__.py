"""Articles into the store: one article, a batch, or a stream of files parsed by workers,
each written in one transaction (or planned, for a dry run)."""
