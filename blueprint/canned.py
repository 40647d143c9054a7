"""Canned outputs per resource type: what the provider would compute on create.

The offline engine answers every registration with the inputs echoed back plus these computed
properties (camelCase, as on the wire) and a deterministic OCID. Types not listed get only an id;
their computed outputs stay unset, as they would stay unknown in a first preview.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

from blueprint.lookups import REGION_KEY, fake_ocid

Computed = Callable[[str, Mapping[str, Any], str], dict[str, Any]]


def _vcn(name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {
        "defaultSecurityListId": fake_ocid("securitylist", region, name + "/default"),
        "defaultRouteTableId": fake_ocid("routetable", region, name + "/default"),
        "defaultDhcpOptionsId": fake_ocid("dhcpoptions", region, name + "/default"),
        "state": "AVAILABLE",
    }


def _vault(name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    prefix = hashlib.sha256(name.encode()).hexdigest()[:12]
    return {
        "managementEndpoint": f"https://{prefix}-management.kms.{region}.oraclecloud.com",
        "cryptoEndpoint": f"https://{prefix}-crypto.kms.{region}.oraclecloud.com",
        "state": "ACTIVE",
    }


def _key(name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {"currentKeyVersion": fake_ocid("keyversion", region, name), "state": "ENABLED"}


def _bastion(name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {"privateEndpointIpAddress": "10.0.0.10", "state": "ACTIVE"}


def _autonomous_database(name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    label = str(inputs.get("privateEndpointLabel") or "adb")
    db = str(inputs.get("dbName") or "db").lower()
    host = f"{label}.adb.{region}.oraclecloud.com"
    high = (f"(description=(retry_count=20)(retry_delay=3)(address=(protocol=tcps)(port=1522)(host={host}))"
            f"(connect_data=(service_name=offline_{db}_high.adb.oraclecloud.com))(security=(ssl_server_dn_match=yes)))")
    return {"privateEndpoint": host, "privateEndpointIp": "10.0.2.10", "state": "AVAILABLE",
            "connectionStrings": [{"high": high, "profiles": []}]}


def _adb_wallet(name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    # base64_encode_content: the wallet zip as base64. Its members as the service ships them (the
    # auto-login cwallet.sso beside the PKCS12 ewallet.p12 and the network files); stand-in bytes.
    # Each generation is a new wallet: the stand-in changes with the password it was generated under.
    password = inputs.get("password", "")
    if isinstance(password, Mapping):  # a secret as the mock receives it: the wire wrapper around its value
        password = password.get("value", "")
    generation = hashlib.sha256(str(password).encode()).hexdigest()[:12]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in ("cwallet.sso", "ewallet.p12", "tnsnames.ora", "sqlnet.ora"):
            archive.writestr(zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0)),
                             f"offline {member} of {name}, generation {generation}")
    return {"content": base64.b64encode(buffer.getvalue()).decode()}


def _k8s_named(name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    # Kubernetes auto-names objects without metadata.name: name plus a random suffix. Ours is stable.
    metadata = dict(inputs.get("metadata") or {})
    metadata.setdefault("name", f"{name}-{hashlib.sha256(name.encode()).hexdigest()[:8]}")
    return {"metadata": metadata}


def _gateway(name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    prefix = hashlib.sha256(name.encode()).hexdigest()[:26]
    return {"hostname": f"{prefix}.apigateway.{region}.oci.customer-oci.com",
            "ipAddresses": [{"ipAddress": "10.0.0.20"}], "state": "ACTIVE"}


def _api_deployment(name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    prefix = hashlib.sha256(name.encode()).hexdigest()[:26]
    return {"endpoint": f"https://{prefix}.apigateway.{region}.oci.customer-oci.com/", "state": "ACTIVE"}


def _cluster(name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {"endpoints": [{"privateEndpoint": "10.0.1.2:6443", "kubernetes": "", "publicEndpoint": "",
                           "vcnHostnameEndpoint": f"{name}.okeapi.vcn.oraclevcn.com:6443"}], "state": "ACTIVE"}


def _redis_cluster(name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    prefix = hashlib.sha256(name.encode()).hexdigest()[:12]
    return {"primaryFqdn": f"{prefix}-p.redis.{region}.oci.oraclecloud.com",
            "replicasFqdn": f"{prefix}-r.redis.{region}.oci.oraclecloud.com", "lifecycleState": "ACTIVE"}


def _apm_domain(name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    prefix = hashlib.sha256(name.encode()).hexdigest()[:12]
    return {"dataUploadEndpoint": f"https://{prefix}.apm-agt.{region}.oci.oraclecloud.com", "state": "ACTIVE"}


def _k8s_service(name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    spec = inputs.get("spec") or {}
    if spec.get("type") != "LoadBalancer":
        return {}
    # The OCI cloud controller puts the load balancer's IP in the status once it is provisioned.
    return {"status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.30"}]}}}


COMPUTED: dict[str, Computed] = {
    "oci:ApiGateway/gateway:Gateway": _gateway,
    "oci:ApiGateway/deployment:Deployment": _api_deployment,
    "oci:ContainerEngine/cluster:Cluster": _cluster,
    "kubernetes:core/v1:Service": _k8s_service,
    "oci:Core/vcn:Vcn": _vcn,
    "oci:Kms/vault:Vault": _vault,
    "oci:Kms/key:Key": _key,
    "oci:Bastion/bastion:Bastion": _bastion,
    "oci:Database/autonomousDatabase:AutonomousDatabase": _autonomous_database,
    "oci:Database/autonomousDatabaseWallet:AutonomousDatabaseWallet": _adb_wallet,
    "oci:Redis/redisCluster:RedisCluster": _redis_cluster,
    "oci:Apm/apmDomain:ApmDomain": _apm_domain,
}


def register(type_token: str, fn: Computed) -> None:
    """Let a plane's tests or modules add canned outputs for a type the spine does not know."""
    COMPUTED[type_token] = fn


#: The resource-type part of the OCIDs OCI gives these resources (``ocid1.<kind>.oc1.<region>.<id>``), for the
#: types where a public Oracle source shows a real one. Every other type keeps the type token's last segment,
#: lower-cased (``ocid_kind``). Still unsourced, and so on that rule: ``agentAgent``, ``agentDataSource``,
#: ``agentDataIngestionJob``, ``agentTool`` and ``generativeAiPrivateEndpoint`` (whose rule already gives
#: ``generativeaiprivateendpoint``). Searched 2026-11-26: the Terraform provider's source, tests, examples and docs
#: (oracle/terraform-provider-oci @8de3c48), the OCI Service Operator (oracle/oci-service-operator @d6bd725), Oracle's
#: samples (oracle-samples/locus, oracle-samples/crossplane-provider-oci, oracle/mcp), the OCI Python SDK 2.189.0 and its
#: ADK, Oracle LiveLabs and the docs/pages search: no Oracle file or page shows one of these OCIDs (Oracle's SDK samples
#: use ``ocid1.test.oc1..`` placeholders). Public non-Oracle code and ADK/CLI log output do show
#: ``ocid1.genaiagent.``, ``ocid1.genaiagentdatasource.``, ``ocid1.genaiagentdataingestionjob.``,
#: ``ocid1.genaiagenttool.`` and ``ocid1.generativeaiprivateendpoint.``, but the index that found them does not name
#: their repositories, so they are not cited or used here. (Oracle LiveLabs matches agents in a dynamic group by
#: ``resource.type='genaiagent'``: oracle-livelabs/analytics-ai, generative-ai-agent-adk/agent-setup/setup.md; a
#: resource type, not an OCID.)
OCID_KINDS: Mapping[str, str] = {
    # "a generative AI endpoint OCID (ocid1.generativeaiendpoint.oc1.<region>....)":
    # https://oracle-samples.github.io/locus/how-to/oci-dac/ ; endpoint-id "ocid1.generativeaiendpoint.oc1..example":
    # https://oracle.github.io/spring-cloud-oracle/site/docs/spring-ai/oci-genai-chat
    "oci:GenerativeAi/endpoint:Endpoint": "generativeaiendpoint",
    # knowledge_base_id = "ocid1.genaiagentknowledgebase...", agent_endpoint_id="ocid1.genaiagentendpoint...":
    # https://docs.oracle.com/en-us/iaas/Content/generative-ai-agents/adk/api-reference/examples/agent-rag-tool.htm
    "oci:GenerativeAi/agentAgentEndpoint:AgentAgentEndpoint": "genaiagentendpoint",
    "oci:GenerativeAi/agentKnowledgeBase:AgentKnowledgeBase": "genaiagentknowledgebase",
    # dedicatedAiClusterId: ocid1.generativeaidedicatedaicluster.oc1..exampleuniqueID in Oracle's Endpoint sample,
    # https://github.com/oracle/oci-service-operator/blob/d6bd7256d9f4bc566a44293957cf6db7de970056/config/samples/generativeai_v1beta1_endpoint.yaml
    # (rendered: https://oracle.github.io/oci-service-operator/reference/samples/generativeai/v1beta1/endpoint/), read
    # 2026-11-26; the same form in its Model sample (config/samples/generativeai_v1beta1_model.yaml).
    "oci:GenerativeAi/dedicatedAiCluster:DedicatedAiCluster": "generativeaidedicatedaicluster",
}


def ocid_kind(type_token: str) -> str:
    """OCID_KINDS where OCI's own name is known, else the token's last segment:
    'oci:Core/vcn:Vcn' → 'vcn'; 'kubernetes:apps/v1:Deployment' → 'deployment'."""
    return OCID_KINDS.get(type_token) or type_token.rsplit(":", 1)[-1].lower()


def outputs_for(type_token: str, name: str, inputs: Mapping[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    """(id, state) for a created resource: inputs echoed, computed properties added."""
    state = dict(inputs)
    if type_token.startswith("kubernetes:"):
        state.update(_k8s_named(name, inputs, region))
        if type_token in COMPUTED:
            state.update(COMPUTED[type_token](name, inputs, region))
        ident = f"{state['metadata'].get('namespace', 'default')}/{state['metadata']['name']}"
        return ident, state
    fn = COMPUTED.get(type_token)
    if fn is not None:
        state.update(fn(name, inputs, region))
    return fake_ocid(ocid_kind(type_token), region, f"{type_token}::{name}"), state


__all__ = ["COMPUTED", "REGION_KEY", "outputs_for", "register"]
