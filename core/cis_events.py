"""The CIS OCI Foundations 3.1 section 4 notification catalogue: which event types each rule covers.

Shared by the governance plane (which creates one Events rule per entry) and the logging policy
family (which checks that every entry is covered by an enabled rule notifying a topic).
"""

from __future__ import annotations

from collections.abc import Mapping

_IDCP = "com.oraclecloud.identitycontrolplane."
_VN = "com.oraclecloud.virtualnetwork."

#: rule key -> (CIS recommendation, scope, event types). Identity events are emitted in the
#: tenancy (root compartment), so their rules live there; network events in our compartment.
EVENT_RULES: Mapping[str, tuple[str, str, tuple[str, ...]]] = {
    "identity-provider": ("4.3", "tenancy", tuple(_IDCP + e for e in (
        "createidentityprovider", "deleteidentityprovider", "updateidentityprovider"))),
    "idp-group-mapping": ("4.4", "tenancy", tuple(_IDCP + e for e in (
        "createidpgroupmapping", "deleteidpgroupmapping", "updateidpgroupmapping"))),
    "iam-group": ("4.5", "tenancy", tuple(_IDCP + e for e in (
        "addusertogroup", "creategroup", "deletegroup", "removeuserfromgroup", "updategroup"))),
    "iam-policy": ("4.6", "tenancy", tuple(_IDCP + e for e in ("createpolicy", "deletepolicy", "updatepolicy"))),
    "iam-user": ("4.7", "tenancy", tuple(_IDCP + e for e in (
        "createuser", "deleteuser", "updateuser", "updateusercapabilities", "updateuserstate"))),
    "vcn": ("4.8", "compartment", tuple(_VN + e for e in ("createvcn", "deletevcn", "updatevcn"))),
    "route-table": ("4.9", "compartment", tuple(_VN + e for e in (
        "changeroutetablecompartment", "createroutetable", "deleteroutetable", "updateroutetable"))),
    "security-list": ("4.10", "compartment", tuple(_VN + e for e in (
        "changesecuritylistcompartment", "createsecuritylist", "deletesecuritylist", "updatesecuritylist"))),
    "network-security-group": ("4.11", "compartment", tuple(_VN + e for e in (
        "changenetworksecuritygroupcompartment", "createnetworksecuritygroup", "deletenetworksecuritygroup",
        "updatenetworksecuritygroupsecurityrules"))),
    "network-gateway": ("4.12", "compartment", tuple(_VN + e for e in (
        "createdrg", "deletedrg", "updatedrg", "createdrgattachment", "deletedrgattachment", "updatedrgattachment",
        "changeinternetgatewaycompartment", "createinternetgateway", "deleteinternetgateway", "updateinternetgateway",
        "changelocalpeeringgatewaycompartment", "createlocalpeeringgateway", "deletelocalpeeringgateway.end",
        "updatelocalpeeringgateway", "changenatgatewaycompartment", "createnatgateway", "deletenatgateway",
        "updatenatgateway", "attachserviceid", "detachserviceid", "changeservicegatewaycompartment",
        "createservicegateway", "deleteservicegateway.end", "updateservicegateway"))),
    "cloud-guard-problem": ("4.15", "compartment", tuple("com.oraclecloud.cloudguard." + e for e in (
        "problemdetected", "problemdismissed", "problemremediated"))),
}
