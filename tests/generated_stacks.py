"""Generated stack files: variants of dev and prod (environment name, tier, CIDRs) in a scratch project.

Used by the direct-vs-analyzer equivalence test (a few stacks) and `benchmarks/check_bench.py`
(100 stacks, `check --all`).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TIERS = ("internal", "confidential")


def generated_project(count: int, start: int = 0) -> Path:
    """A scratch project (code symlinked to this checkout) with ``count`` generated stack files."""
    scratch = Path(tempfile.mkdtemp(prefix="blueprint-gen-"))
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, scratch / name)
    for folder in ("stacks", "components", "policies", "blueprint", "router", "core"):
        if (ROOT / folder).exists():
            (scratch / folder).symlink_to(ROOT / folder)
    for i in range(start, start + count):
        base = "dev" if i % 2 == 0 else "prod"
        doc = yaml.safe_load((ROOT / f"Pulumi.{base}.yaml").read_text(encoding="utf-8"))
        cfg = doc["config"]
        env = f"s{i:03d}"
        cfg["genai-platform:governance"]["environment"] = env
        cfg["genai-platform:classification"] = TIERS[i % 2]
        second = 10 + (i % 200)
        net = cfg["genai-platform:network"]
        old = net["vcnCidr"].split(".")[1]
        net["vcnCidr"] = net["vcnCidr"].replace(f"10.{old}.", f"10.{second}.", 1)
        net["subnets"] = {k: v.replace(f"10.{old}.", f"10.{second}.", 1) for k, v in net["subnets"].items()}
        if "apiClientCidrs" in net:
            net["apiClientCidrs"] = [c.replace(f"10.{old}.", f"10.{second}.", 1) for c in net["apiClientCidrs"]]
        (scratch / f"Pulumi.{env}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return scratch
