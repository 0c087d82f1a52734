"""What routes get injected: the process's resources, a DB session, Temporal, the policy.

Every dependency is `async def`: FastAPI runs a plain `def` one in a worker thread, a thread hop
per dependency and request for what is an attribute read (docs/performance.md).
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.services.directory import WholeDirectory
from api.services.tasks import CityInboxes
from api.services.temporal import TemporalGateway
from domain.policy import Policy


@dataclass(frozen=True)
class Resources:
    """One Temporal client, one engine, and the copies of the whole directory and of the
    city-wide inboxes, per process; made in the lifespan (api.app)."""

    temporal: TemporalGateway
    sessions: async_sessionmaker[AsyncSession]
    policy: Policy
    directory: WholeDirectory = field(default_factory=WholeDirectory)
    inboxes: CityInboxes = field(default_factory=CityInboxes)


async def get_resources(request: Request) -> Resources:
    """The resources the lifespan made."""
    return cast(Resources, request.app.state.resources)


ResourcesDep = Annotated[Resources, Depends(get_resources)]


async def get_session(resources: ResourcesDep) -> AsyncIterator[AsyncSession]:
    """A database session for the request, closed after it."""
    async with resources.sessions() as session:
        yield session


async def get_sessions(resources: ResourcesDep) -> async_sessionmaker[AsyncSession]:
    """The process's session factory, for services that open sessions of their own."""
    return resources.sessions


async def get_temporal(resources: ResourcesDep) -> TemporalGateway:
    """The Temporal gateway of the process."""
    return resources.temporal


async def get_policy(resources: ResourcesDep) -> Policy:
    """The policy new processes start with."""
    return resources.policy


SessionDep = Annotated[AsyncSession, Depends(get_session)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)]
TemporalDep = Annotated[TemporalGateway, Depends(get_temporal)]
PolicyDep = Annotated[Policy, Depends(get_policy)]
