"""Alembic migrations of the BeatMap schema (run by :func:`geo.store.upgrade`)."""
