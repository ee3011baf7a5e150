#!/usr/bin/env bash
# Runs python-libjuju's Model and Controller against a fresh `libjuju sim`.
# Usage: PYLIBJUJU=/path/to/python-libjuju scripts/fidelity/run.sh [check.py] [-v]
# check.py: one of the pylibjuju_*.py scripts beside this file (default pylibjuju_check.py).
# SIM_ARGS: extra `libjuju sim` flags, e.g. SIM_ARGS="--ssh-port 22" for pylibjuju_ssh.py.
# Needs Debian's python3 with python-libjuju's dependencies (docs/fidelity.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${PYLIBJUJU:?set PYLIBJUJU to a python-libjuju checkout (the directory holding juju/)}"
check=pylibjuju_check.py
if [[ "${1:-}" == *.py ]]; then check=$1; shift; fi
data=$(mktemp -d)
log="$data/sim.log"
node "$root/node_modules/tsx/dist/cli.mjs" "$root/src/cli/main.ts" sim --port 0 --juju-data "$data" ${SIM_ARGS:-} >"$log" 2>&1 &
sim=$!
trap 'kill -INT $sim 2>/dev/null; wait $sim 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do grep -q ready "$log" && break; sleep 0.1; done
grep ready "$log"
JUJU_DATA="$data" PYTHONPATH="$PYLIBJUJU:$here/shim${PYTHONPATH:+:$PYTHONPATH}" /usr/bin/python3 "$here/$check" "$@"
