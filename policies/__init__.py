"""Policy-as-code: rules (policies/rules/), the classification matrix, frameworks, waivers.

Importing this package never starts a policy server: ``policies/__main__.py`` alone assembles the
``PolicyPack`` (which serves gRPC and never returns) for ``pulumi preview --policy-pack policies``.
"""
