"""Apply the Alembic migrations to a database URL (the run command and the tests use this)."""

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(url: str) -> None:
    """Bring the database to the newest revision (env.py runs its own loop, so off-thread)."""
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
