#!/usr/bin/env bash
# Crash-and-resume check by hand, N times: a search in its own JVM, kill -9 mid-run, `resume`,
# then `runs show` (which opens the journal again). Prints one line per try; a try fails if the
# resume fails or the journal cannot be read afterwards. Needs the built jar (./archipelago builds it).
#   scripts/kill-resume-check.sh [N] [JAR]
set -u
n=${1:-5}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar=${2:-$root/node/target/archipelago.jar}
java=(java -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Dorg.bytedeco.javacpp.maxBytes=0 -jar "$jar")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
for i in $(seq 1 "$n"); do
  dir="$work/run-$i"
  "${java[@]}" search --strategy random --budget 3000 --eval-time 10ms --slots 2 --out "$dir" --quiet >/dev/null 2>&1 &
  pid=$!
  sleep $((5 + i % 6))
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  "${java[@]}" resume "$dir" --quiet >"$work/resume.txt" 2>&1
  resumed=$?
  "${java[@]}" runs show "$dir" >"$work/show.txt" 2>&1
  shown=$?
  rows=$(($(wc -l <"$dir/evaluations.csv") - 1))
  distinct=$(tail -n +2 "$dir/evaluations.csv" | cut -d, -f1 | sort -u | wc -l)
  echo "try $i: resume exit $resumed, $rows rows ($distinct distinct ids), runs show exit $shown $(grep -m1 -o 'error:.*' "$work/show.txt" | cut -c1-120)"
  [ "$resumed" = 0 ] && [ "$shown" = 0 ] || failed=$((failed + 1))
done
echo "$failed of $n tries failed"
[ "$failed" = 0 ]
