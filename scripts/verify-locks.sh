#!/usr/bin/env bash
# Reproducibility check: build every venv the project uses from its lock alone, in a scratch
# directory, with no pip cache and no pre-installed packages, exactly as a fresh machine would.
# Registry drift (a yanked pin, a new release that a transitive extra now pulls in, an installer
# that rejects the lock) fails here, in CI, instead of on a newcomer's first `make test`.
#
#   scripts/verify-locks.sh            every lock
#   scripts/verify-locks.sh main       one lock: main | router | router-embeddings | any other name listed below
#
# Each lock is installed after pip.lock (the pinned installer), then `pip check` must pass.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-python3}"
ROOT="$PWD"

# name  lock file  extra pip flags
LOCKS=(
  "main|requirements.lock|"
  "router|router/requirements.lock|--require-hashes"
  "checkov|blueprint/checkov/requirements.lock|--require-hashes"
)
# Tool environments register here as they are added (one line each, same form).

# Locks of files downloaded as data, never pip-installed (so no `pip check`): each must download,
# hash-checked, without a cache.
DOWNLOADS=(
  "router-embeddings|router/embeddings.lock"
)

want="${1:-}"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/verify-locks.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
failed=0
for entry in "${LOCKS[@]}"; do
  IFS='|' read -r name lock flags <<<"$entry"
  [ -n "$want" ] && [ "$want" != "$name" ] && continue
  venv="$scratch/$name"
  start=$(date +%s)
  log="$scratch/$name.log"
  if "$PY" -m venv "$venv" >"$log" 2>&1 \
     && PIP_NO_CACHE_DIR=1 "$venv/bin/python" -m pip --disable-pip-version-check install -q --require-hashes -r "$ROOT/pip.lock" >>"$log" 2>&1 \
     && PIP_NO_CACHE_DIR=1 "$venv/bin/python" -m pip --disable-pip-version-check install -q $flags -r "$ROOT/$lock" >>"$log" 2>&1 \
     && "$venv/bin/python" -m pip --disable-pip-version-check check >>"$log" 2>&1; then
    echo "verify-locks: $name ($lock) builds from scratch without a cache: ok ($(( $(date +%s) - start )) s)"
  else
    echo "verify-locks: $name ($lock) does not build from scratch; last lines of the installer:" >&2
    tail -n 15 "$log" | grep -v "is ignored: it is neither a file nor a directory" >&2 || true
    failed=1
  fi
  rm -rf "$venv"
done
for entry in "${DOWNLOADS[@]}"; do
  IFS='|' read -r name lock <<<"$entry"
  [ -n "$want" ] && [ "$want" != "$name" ] && continue
  start=$(date +%s)
  log="$scratch/$name.log"
  if "$PY" -m venv "$scratch/$name-venv" >"$log" 2>&1 \
     && PIP_NO_CACHE_DIR=1 "$scratch/$name-venv/bin/python" -m pip --disable-pip-version-check install -q --require-hashes -r "$ROOT/pip.lock" >>"$log" 2>&1 \
     && PIP_NO_CACHE_DIR=1 "$scratch/$name-venv/bin/python" -m pip --disable-pip-version-check download -q --require-hashes \
          --no-deps -r "$ROOT/$lock" -d "$scratch/$name" >>"$log" 2>&1; then
    echo "verify-locks: $name ($lock) downloads hash-checked without a cache: ok ($(( $(date +%s) - start )) s)"
  else
    echo "verify-locks: $name ($lock) does not download; last lines of the installer:" >&2
    tail -n 15 "$log" | grep -v "is ignored: it is neither a file nor a directory" >&2 || true
    failed=1
  fi
  rm -rf "$scratch/$name" "$scratch/$name-venv"
done
[ -n "$want" ] && ! printf '%s\n' "${LOCKS[@]}" "${DOWNLOADS[@]}" | grep -q "^$want|" && { echo "verify-locks: no lock named '$want'" >&2; exit 2; }
exit "$failed"
