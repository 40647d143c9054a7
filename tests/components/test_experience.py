"""Experience plane: the OpenAPI document validates and the gateway routes cover every path + method in it."""

from __future__ import annotations

import copy

import pytest
import yaml
from openapi_spec_validator import validate as validate_openapi
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from components.experience import OPENAPI_PATH, backend_url, load_api, operations
from router.container import TENANT_HEADER

DEPLOYMENT = "oci:ApiGateway/deployment:Deployment"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def document() -> dict:
    return yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))


def test_openapi_document_validates() -> None:
    validate_openapi(document())


def test_validator_rejects_a_broken_document() -> None:
    broken = copy.deepcopy(document())
    del broken["paths"]["/v1/models"]["get"]["responses"]
    with pytest.raises(OpenAPIValidationError):
        validate_openapi(broken)


def test_document_has_the_openai_surface() -> None:
    doc = document()
    pairs = {(p, m) for p, item in doc["paths"].items() for m in item if m in METHODS}
    assert {("/v1/chat/completions", "post"), ("/v1/embeddings", "post"), ("/v1/batches", "post"),
            ("/v1/batches/{batch_id}", "get"), ("/v1/files", "post"), ("/v1/models", "get"), ("/health", "get")} == pairs
    chat = doc["paths"]["/v1/chat/completions"]["post"]["responses"]["200"]["content"]
    assert {"application/json", "text/event-stream"} == set(chat)
    assert doc["components"]["securitySchemes"]["bearerJwt"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert doc["paths"]["/health"]["get"]["security"] == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_gateway_routes_cover_the_document(planned, stack: str) -> None:
    doc = document()
    wanted = sorted((p, m.upper()) for p, item in doc["paths"].items() for m in item if m in METHODS)
    (dep,) = planned(stack).by_type(DEPLOYMENT)
    routes = dep.inputs["specification"]["routes"]
    got = sorted((r["path"], m) for r in routes for m in r["methods"])
    assert got == wanted
    for route in routes:
        backend = route["backend"]
        assert backend["type"] == "HTTP_BACKEND"
        assert backend["url"].startswith("http://10.0.0.30:4000/"), "the router's internal load balancer"
        auth = route["requestPolicies"]["authorization"]["type"]
        assert auth == ("ANONYMOUS" if route["path"] == "/health" else "AUTHENTICATION_ONLY")
        assert route["requestPolicies"]["headerTransformations"]["filterHeaders"]["items"] == [{"name": "Authorization"}]
        # The tenant the router's limits key on is the token's subject, overwriting any client-sent value.
        caller = "${request.auth[sub]}" if auth == "AUTHENTICATION_ONLY" else "anonymous"
        assert route["requestPolicies"]["headerTransformations"]["setHeaders"]["items"] == [
            {"name": "x-genai-subject", "values": [caller], "ifExists": "OVERWRITE"},
            {"name": TENANT_HEADER, "values": [caller], "ifExists": "OVERWRITE"}]
    by_path = {r["path"]: r for r in routes}
    assert by_path["/v1/chat/completions"]["backend"]["readTimeoutInSeconds"] == 300
    assert by_path["/v1/batches/{batch_id}"]["backend"]["url"].endswith("/v1/batches/${request.path[batch_id]}")
    assert by_path["/v1/embeddings"]["requestPolicies"]["bodyValidation"]["required"] is True


def test_operations_read_security_and_streaming() -> None:
    ops = {(o.path, o.method): o for o in operations(load_api())}
    assert ops[("/health", "GET")].authenticated is False
    assert ops[("/v1/chat/completions", "POST")].streaming is True
    assert ops[("/v1/embeddings", "POST")].streaming is False
    assert all(o.authenticated for k, o in ops.items() if k[0] != "/health")


def test_backend_url_maps_path_parameters() -> None:
    assert backend_url("http://10.0.0.9:4000/", "/v1/batches/{batch_id}") == "http://10.0.0.9:4000/v1/batches/${request.path[batch_id]}"
    assert backend_url("http://10.0.0.9:4000", "/health") == "http://10.0.0.9:4000/health/liveliness"
