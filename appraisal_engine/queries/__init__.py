"""Read-side queries: they return select() statements or small plain results, with the
counting and summing done by the database."""
