"""The Temporal client every process uses: one per process, with the pydantic data converter."""

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime
from temporalio.service import RPCError, RPCStatusCode

from workflows import search_attributes as sa


async def connect(address: str, namespace: str, runtime: Runtime | None = None) -> Client:
    """A client of `address`; on `runtime` when given (a worker's, serving metrics)."""
    return await Client.connect(
        address, namespace=namespace, data_converter=pydantic_data_converter, runtime=runtime
    )


async def register_search_attributes(client: Client) -> None:
    """Add the search attributes of docs/api-guide.md to the namespace where they are missing."""
    wanted = {key.name: IndexedValueType.ValueType(key.indexed_value_type) for key in sa.ALL}
    try:
        listed = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace)
        )
        missing = {k: v for k, v in wanted.items() if k not in listed.custom_attributes}
    except RPCError as err:
        # The time-skipping test server cannot list them, but can add them.
        if err.status is not RPCStatusCode.UNIMPLEMENTED:
            raise
        missing = wanted
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=missing)
        )
