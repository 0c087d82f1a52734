"""The OpenAPI document has Chinese examples for every body, and /docs works offline."""

import re
from typing import Any

from domain.actions import Action
from tests.api.helpers import Api

CHINESE = re.compile(r"[\u4e00-\u9fff]")


async def test_every_request_body_has_chinese_examples(api: Api) -> None:
    spec = (await api.http.get("/openapi.json")).json()
    bodies = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            bodies += 1
            examples: dict[str, Any] = operation["requestBody"]["content"]["application/json"][
                "examples"
            ]
            assert examples, (method, path)
            for name, example in examples.items():
                assert CHINESE.search(name + example["summary"]), (path, name)
                assert "value" in example
            assert CHINESE.search(operation["summary"]), path
    # register, import, every decision, PUT /v1/contacts, a district report's submission
    assert bodies == 2 + len(Action) + 1 + 1


async def test_docs_are_served_from_the_package(api: Api) -> None:
    page = await api.http.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert assets
    assert all(a.startswith("/") for a in assets), assets  # nothing from a CDN
    for asset in assets:
        assert (await api.http.get(asset)).status_code == 200, asset
    assert "https://" not in page.text.replace("https://swagger.io", "")
    redoc = await api.http.get("/redoc")
    assert redoc.status_code == 200
    assert "fonts.googleapis" not in redoc.text
