"""genai-platform: the Pulumi program. Thin on purpose: settings → platform → exports.

The same file runs under `pulumi up` (the real engine) and under `blueprint plan` (the offline
engine on Pulumi's mock runtime). It reads no environment, branches on nothing but settings, and
has no side effects at import beyond declaring resources.
"""

from stacks.platform import build_platform
from stacks.settings import load_settings

build_platform(load_settings()).export()
