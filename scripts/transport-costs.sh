#!/usr/bin/env bash
# What a node costs on each transport, beyond speed (benchmarks/RESULTS.md, "The transport's default"):
# two evaluator nodes on loopback, the second killed -9; then the first is sent SIGTERM (drain and
# leave). Prints, per transport, the first node's resident memory and shared-memory files while
# both run, and how long its shutdown took after the peer's death.
#   scripts/transport-costs.sh [aeron-udp tcp]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/node/target/archipelago.jar"
[ -f "$jar" ] || { echo "transport-costs: build the jar first (mvn -B -DskipTests install)" >&2; exit 2; }
java_opts=(--add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED)
log="$(mktemp -d)"
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$log"' EXIT

shm_of() { # MB of /dev/shm files a process holds mapped
  awk '$6 ~ /^\/dev\/shm\// {print $6}' "/proc/$1/maps" 2>/dev/null | sort -u \
    | xargs -r du -cm 2>/dev/null | awk 'END {print ($1 == "" ? 0 : $1)}'
}

for transport in "${@:-aeron-udp tcp}"; do
  for t in $transport; do
    java "${java_opts[@]}" -jar "$jar" node --transport "$t" --port 25701 --slots 2 >"$log/a.log" 2>&1 &
    a=$!
    sleep 8
    java "${java_opts[@]}" -jar "$jar" node --transport "$t" --port 25702 --slots 2 \
      --seed-nodes 127.0.0.1:25701 >"$log/b.log" 2>&1 &
    b=$!
    sleep 12
    rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$a/status")
    shm=$(shm_of "$a")
    kill -9 "$b"
    sleep 15 # the peer is unreachable, then downed
    start=$(date +%s.%N)
    kill -TERM "$a"
    waited=0
    while kill -0 "$a" 2>/dev/null && [ "$waited" -lt 300 ]; do sleep 0.2; waited=$((waited + 1)); done
    end=$(date +%s.%N)
    kill -0 "$a" 2>/dev/null && { kill -9 "$a"; note=" (still running after 60 s: killed)"; } || note=""
    printf '%-10s rss %5s MB  shm %4s MB  shutdown after a dead peer %6.1f s%s\n' \
      "$t" "$rss" "$shm" "$(echo "$end - $start" | bc)" "$note"
    wait "$a" 2>/dev/null || true
  done
done
