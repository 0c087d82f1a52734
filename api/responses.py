"""Answers written as JSON once: pydantic writes the model's bytes, instead of FastAPI
converting it to plain data and encoding that (docs/performance.md). The routes declare the
model as their `response_model`, so the schema and the docs stay as they were."""

from pydantic import BaseModel
from starlette.responses import Response


def json_answer(model: BaseModel, status_code: int = 200) -> Response:
    """`model` as the JSON body of a response."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")
