"""genai_router_hooks: what LiteLLM lacks for OCI, loaded by the proxy via `callbacks:`.

- `signing`: OCI request signer from OKE workload identity, injected per deployment call.
- `metering`: per-character cost (as OCI bills on-demand chat) → Prometheus + budget ledger.
- `guardrails`: OCI `applyGuardrails` before a prompt leaves the router.
- `handler`: the LiteLLM `CustomLogger` wiring them in (`proxy_handler_instance`).
"""
