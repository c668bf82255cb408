"""Alembic's env.py: online migrations against ALEMBIC_DB_URL, one transaction per run."""

import logging
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)
if os.environ.get("ALEMBIC_SQL_LOG"):
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)

engine = create_engine(os.environ["ALEMBIC_DB_URL"])
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
