"""Test-only program: the prod platform plus operations planes wired with fake ids of other planes.

The data, model, ingress and orchestration planes land on other branches, so the prod program does
not hand their ids to the operations plane yet. This program does, so every alarm type and every
service log is planned: ``wired-operations`` gets every id, ``owned-operations`` gets the same ids
with the gateway and OKE logs marked as owned by their planes.
"""

from components.operations import OperationsPlane
from stacks.platform import build_platform
from stacks.settings import load_settings
from stacks.settings.operations import operations_args

FAKE = {
    "api_gateway_id": "ocid1.apigateway.oc1.eu-frankfurt-1.aaaaaaaafakegateway",
    "api_deployment_id": "ocid1.apideployment.oc1.eu-frankfurt-1.aaaaaaaafakedeployment",
    "cluster_id": "ocid1.cluster.oc1.eu-frankfurt-1.aaaaaaaafakecluster",
    "autonomous_database_id": "ocid1.autonomousdatabase.oc1.eu-frankfurt-1.aaaaaaaafakeadb",
    "dedicated_endpoint_ids": [
        "ocid1.generativeaiendpoint.oc1.eu-frankfurt-1.aaaaaaaafakeendpoint0",
        "ocid1.generativeaiendpoint.oc1.eu-frankfurt-1.aaaaaaaafakeendpoint1",
    ],
    "buckets": ["genai-prod-documents"],
    "archive_bucket_name": None,
}

settings = load_settings()
platform = build_platform(settings)
OperationsPlane("wired-operations", operations_args(settings, platform.governance, gateway_logs_owned_elsewhere=False,
                                                    oke_logs_owned_elsewhere=False, **FAKE))
OperationsPlane("owned-operations", operations_args(settings, platform.governance, gateway_logs_owned_elsewhere=True,
                                                    oke_logs_owned_elsewhere=True, **FAKE))
