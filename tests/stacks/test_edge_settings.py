"""Settings of the ingress and orchestration keys: secure defaults, required keys, dev/prod differences."""

from __future__ import annotations

import ast
import inspect

import pytest

from components import experience, ingress, orchestration, router_workload
from core.problems import SettingsError
from stacks.settings import validate
from tests.edge_helpers import raw_config


def settings(stack: str, **replace):
    raw, region = raw_config(stack)
    raw.update(replace)
    return validate(raw, region=region, project="genai-platform", stack=stack)


def test_defaults_are_the_secure_choice() -> None:
    raw, region = raw_config("dev")
    raw["ingress"] = {"jwt": raw["ingress"]["jwt"]}
    raw["orchestration"] = {"nodeImageId": raw["orchestration"]["nodeImageId"],
                            "router": {"image": raw["orchestration"]["router"]["image"]}}
    s = validate(raw, region=region, project="genai-platform", stack="dev")
    assert s.ingress.cors_allowed_origins == ()
    assert s.ingress.tenants == () and s.ingress.custom_domain is None and s.ingress.certificate_id is None
    assert s.orchestration.router.replicas == 2 and s.orchestration.router.database is False
    assert s.orchestration.kubernetes_version == "v1.33.1"
    assert s.orchestration.image_signature_verification is False  # internal tier; prod (confidential) requires it


def test_dev_and_prod_differ_only_where_configured() -> None:
    dev, prod = settings("dev"), settings("prod")
    assert (dev.orchestration.node_pool.size, prod.orchestration.node_pool.size) == (1, 6)
    assert (dev.orchestration.router.replicas, prod.orchestration.router.replicas) == (1, 3)
    assert dev.ingress.jwt.issuers != prod.ingress.jwt.issuers
    assert prod.orchestration.image_signature_verification is True
    assert dev.orchestration.kubernetes_version == prod.orchestration.kubernetes_version


@pytest.mark.parametrize("key", ["ingress", "orchestration"])
def test_plane_keys_are_required(key: str) -> None:
    raw, region = raw_config("dev")
    del raw[key]
    with pytest.raises(SettingsError) as exc:
        validate(raw, region=region, project="genai-platform", stack="dev")
    assert [str(p) for p in exc.value.problems] == [f"genai-platform: missing required key '{key}'"]


@pytest.mark.parametrize(("plane", "key", "path"), [
    ("ingress", "jwt", "genai-platform:ingress"),
    ("orchestration", "nodeImageId", "genai-platform:orchestration"),
    ("orchestration", "router", "genai-platform:orchestration"),
])
def test_required_plane_fields(plane: str, key: str, path: str) -> None:
    raw, region = raw_config("dev")
    raw[plane] = {k: v for k, v in raw[plane].items() if k != key}
    with pytest.raises(SettingsError) as exc:
        validate(raw, region=region, project="genai-platform", stack="dev")
    assert [(p.path, p.message) for p in exc.value.problems] == [(path, f"missing required key '{key}'")]


@pytest.mark.parametrize("module", [experience, ingress, orchestration, router_workload])
def test_every_args_field_has_a_docstring(module) -> None:
    tree = ast.parse(inspect.getsource(module))
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name.endswith(("Args", "Spec"))):
        body = cls.body
        for i, stmt in enumerate(body):
            if isinstance(stmt, ast.AnnAssign):
                nxt = body[i + 1] if i + 1 < len(body) else None
                assert isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant), f"{cls.name}.{ast.unparse(stmt.target)}"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_router_config_is_a_litellm_proxy_config(stack: str) -> None:
    import yaml

    from stacks.router import router_config

    s = settings(stack)
    config = yaml.safe_load(router_config(s, compartment_ocid="ocid1.compartment.oc1..aaaaaaaaexample",
                                        dedicated_endpoint_ocids={c.name: "ocid1.generativeaiendpoint.oc1.eu-frankfurt-1.x"
                                                                  for c in s.model.dedicated_clusters},
                                        apm_data_upload_endpoint="https://example.apm-agt.eu-frankfurt-1.oci.oraclecloud.com"))
    assert set(config) <= {"model_list", "router_settings", "litellm_settings", "general_settings", "environment_variables",
                           "genai_router"}
    assert config["model_list"]
    for model in config["model_list"]:
        assert model["model_name"] and model["litellm_params"]["model"].startswith("oci/")
        assert model["litellm_params"]["oci_region"] == s.region
    assert config["general_settings"]["max_request_size_mb"] == s.ingress.max_request_body_mb
    assert "master_key" not in config["general_settings"]  # authentication is the gateway's (JWT)
