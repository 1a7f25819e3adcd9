#!/usr/bin/env bash
# The chaos soak (benchmarks/RESULTS.md): a PostgreSQL journal (scripts/test-postgres.sh, started
# here unless ARCHIPELAGO_SOAK_JOURNAL names one), then `archipelago bench soak` with the given
# options, e.g. scripts/soak.sh --json, or scripts/soak.sh --budget 3000 --max-minutes 10.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
journal="${ARCHIPELAGO_SOAK_JOURNAL:-}"
if [ -z "$journal" ]; then
  journal="$("$root/scripts/test-postgres.sh" start | tail -1)"
fi
exec "$root/archipelago" bench soak --journal "$journal" "$@"
