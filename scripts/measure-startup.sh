#!/usr/bin/env bash
# Start-up time and idle memory of the `sellify` command, compiled (dist/) against the sources run
# through tsx (the former bin/sellify.js), as reported in docs/PERFORMANCE.md. Needs hyperfine
# (apt-get install hyperfine), a build (npm run build) and the dev dependencies (tsx).
#
#   scripts/measure-startup.sh [runs]     default 3 RSS runs per variant
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${1:-3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The former entry point: tsx's loader, then the TypeScript sources.
mkdir -p "$WORK/tsx"
ln -s "$ROOT/node_modules" "$WORK/tsx/node_modules"
cat >"$WORK/tsx/sellify.mjs" <<JS
import { register } from 'tsx/esm/api';
register();
const { main } = await import('$ROOT/src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
JS
# What the Docker image holds: bin/, dist/, migrations/, package.json, no src/.
mkdir -p "$WORK/image"
cp -r bin dist migrations package.json "$WORK/image/"
ln -s "$ROOT/node_modules" "$WORK/image/node_modules"

hyperfine -N --warmup 3 --runs 30 -n 'node alone' 'node -e 0' \
  -n tsx "node $WORK/tsx/sellify.mjs --help" \
  -n 'compiled, checkout' "node $ROOT/bin/sellify.js --help" \
  -n 'compiled, image' "node $WORK/image/bin/sellify.js --help"

# One embedded database, copied for every run, so each start opens the same data.
template=$WORK/template
SELLIFY_DATA_DIR=$template PORT=0 node bin/sellify.js serve >"$WORK/template.out" 2>&1 &
pid=$!
until grep -q '^Admin key' "$WORK/template.out"; do sleep 0.2; done
kill -TERM "$pid"; wait "$pid" || true

idle() {
  local name=$1 entry=$2 dir out pid start ready ticks
  dir=$(mktemp -d -p "$WORK"); out=$dir/out
  cp -r "$template" "$dir/data"
  SELLIFY_DATA_DIR=$dir/data PORT=0 LOG_LEVEL=warn node "$entry" serve >"$out" 2>&1 &
  pid=$!
  start=$(date +%s.%N)
  until grep -q '^Admin key' "$out"; do sleep 0.05; done
  ready=$(date +%s.%N)
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  sleep 15
  printf '%-9s banner after %5.1f s, %4.1f s CPU; idle RSS %s MB, peak %s MB (load %s)\n' "$name" \
    "$(echo "$ready - $start" | bc)" "$(echo "$ticks / $(getconf CLK_TCK)" | bc -l)" \
    "$(awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status")" \
    "$(awk '/VmHWM/{print int($2/1024)}' "/proc/$pid/status")" "$(cut -d' ' -f1 /proc/loadavg)"
  kill -TERM "$pid"; wait "$pid" || true
}
for _ in $(seq 1 "$RUNS"); do
  idle tsx "$WORK/tsx/sellify.mjs"
  idle compiled "$WORK/image/bin/sellify.js"
done
