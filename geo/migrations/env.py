"""Alembic environment: runs migrations on the connection handed over by geo.store.upgrade."""

from alembic import context

from geo.store import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only geo.store.upgrade runs migrations
    raise RuntimeError("run migrations through geo.store.upgrade(engine)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
