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

# A new venv holding only the pinned installer (pip.lock), logging to $log.
fresh_venv() {
  "$PY" -m venv "$1" >"$log" 2>&1 \
    && PIP_NO_CACHE_DIR=1 "$1/bin/python" -m pip --disable-pip-version-check install -q --require-hashes -r "$ROOT/pip.lock" >>"$log" 2>&1
}

# One line per lock: ok with the seconds it took, or the installer's last lines (status of the check in $1).
report() {
  local status="$1" name="$2" lock="$3" done_what="$4" failed_what="$5"
  if [ "$status" -eq 0 ]; then
    echo "verify-locks: $name ($lock) $done_what without a cache: ok ($(( $(date +%s) - start )) s)"
  else
    echo "verify-locks: $name ($lock) $failed_what; last lines of the installer:" >&2
    tail -n 15 "$log" | grep -v "is ignored: it is neither a file nor a directory" >&2 || true
    failed=1
  fi
}

for entry in "${LOCKS[@]}"; do
  IFS='|' read -r name lock flags <<<"$entry"
  [ -n "$want" ] && [ "$want" != "$name" ] && continue
  venv="$scratch/$name"
  start=$(date +%s)
  log="$scratch/$name.log"
  status=0
  fresh_venv "$venv" \
    && PIP_NO_CACHE_DIR=1 "$venv/bin/python" -m pip --disable-pip-version-check install -q $flags -r "$ROOT/$lock" >>"$log" 2>&1 \
    && "$venv/bin/python" -m pip --disable-pip-version-check check >>"$log" 2>&1 || status=$?
  report "$status" "$name" "$lock" "builds from scratch" "does not build from scratch"
  rm -rf "$venv"
done
for entry in "${DOWNLOADS[@]}"; do
  IFS='|' read -r name lock <<<"$entry"
  [ -n "$want" ] && [ "$want" != "$name" ] && continue
  venv="$scratch/$name-venv"
  start=$(date +%s)
  log="$scratch/$name.log"
  status=0
  fresh_venv "$venv" \
    && PIP_NO_CACHE_DIR=1 "$venv/bin/python" -m pip --disable-pip-version-check download -q --require-hashes \
         --no-deps -r "$ROOT/$lock" -d "$scratch/$name" >>"$log" 2>&1 || status=$?
  report "$status" "$name" "$lock" "downloads hash-checked" "does not download"
  rm -rf "$scratch/$name" "$venv"
done
[ -n "$want" ] && ! printf '%s\n' "${LOCKS[@]}" "${DOWNLOADS[@]}" | grep -q "^$want|" && { echo "verify-locks: no lock named '$want'" >&2; exit 2; }
exit "$failed"
