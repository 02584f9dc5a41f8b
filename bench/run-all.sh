#!/usr/bin/env bash
# Reproduces docs/PERFORMANCE.md: starts Signalman, the PeerJS server (npm peer 1.0.2) and the
# reference webrtc-star signalling server pinned to core 0, runs every scenario from core 1, and
# writes docs/perf/results.jsonl, docs/perf/summary.md, the PNG plots and a JFR profile summary.
# Everything listens and connects on 127.0.0.1 only. Usage: bench/run-all.sh  (SECONDS_EACH=8 WARMUP=3)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT:-$root/docs/perf}"
results="$out/results.jsonl"
warmup="${WARMUP:-3}"
# The latency runs warm up longer: a fresh generator JVM compiles its hot paths in the first
# seconds, and a stall of its event loop then shows as send lag (reported) and latency.
latency_warmup="${LATENCY_WARMUP:-12}"
secs="${SECONDS_EACH:-8}"
conns="${CONNS:-19000}"
server_core="${SERVER_CPU:-0}"
gen_core="${GEN_CPU:-1}"
sm_port=18080; ws_port=18090; pj_port=19000; star_port=19090

cd "$root"
mvn -q -B -ntp -pl bench -am -DskipTests package >&2
[ -d compat/node_modules/peer ] || (cd compat && npm ci --no-audit --no-fund >&2)
mkdir -p "$out"
: > "$results"

source "$root/bench/lib.sh"

# One event loop: the server gets exactly one core, as the PeerJS server (Node) does.
start_signalman() {
  # workspaces (Socket.IO 2) has a listener of its own and needs the original's token secret and salt.
  MAGICK_TOKEN=bench-secret SALT_STRING=bench-salt \
  taskset -c "$server_core" "$root/bin/signalman" --host 127.0.0.1 --port $sm_port --ice-server none \
    --listen "workspaces@127.0.0.1:$ws_port" \
    --log-level warn --worker-threads 1 --peerjs-concurrent-limit 25000 \
    --rate-messages-per-second 1000000000 --rate-burst 1000000000 --max-connections-per-ip 1000000 \
    --new-connections-per-second 1000000 > "$out/signalman.log" 2>&1 &
  sm_pid=$!; pids+=("$sm_pid"); wait_port $sm_port; wait_port $ws_port
}
start_signalman
taskset -c "$server_core" node compat/node_modules/peer/dist/bin/peerjs.js --port $pj_port --concurrent_limit 25000 \
  > "$out/peerjs.log" 2>&1 &
pj_pid=$!; pids+=("$pj_pid"); wait_port $pj_port
taskset -c "$server_core" node compat/node_modules/@libp2p/webrtc-star-signalling-server/bin/index.js \
  --host 127.0.0.1 --port $star_port > "$out/star-reference.log" 2>&1 &
st_pid=$!; pids+=("$st_pid"); wait_port $star_port

bench() { # label pid adapter url scenario [options]
  local label=$1 pid=$2 adapter=$3 url=$4; shift 4
  echo "== $label $*" >&2
  taskset -c "$gen_core" "$root/bin/signalman" bench "$@" --label "$label" --server-pid "$pid" --adapter "$adapter" \
    --url "$url" --warmup "${WARMUP_NOW:-$warmup}" --seconds "$secs" | tee -a "$results" || echo "   (run failed)" >&2
}
sm="ws://127.0.0.1:$sm_port"
native=(signalman-native "$sm_pid" native "$sm/v1/ws")
peerjs=(peerjs-server "$pj_pid" peerjs "ws://127.0.0.1:$pj_port/peerjs")

# Memory first, on fresh processes. 19,000 connections stay under the 20,000 open-files cap per process.
# No warm-up here: the growth of a fresh process is what is compared (docs/PERFORMANCE.md discusses
# the same with a warm-up, --warmup 10, which counts what a process grows once, on its first
# connections, as no connection's).
WARMUP_NOW=0 bench "${native[@]}" conns --conns "$conns" --concurrency 256 --hold 10
WARMUP_NOW=0 bench "${peerjs[@]}" conns --conns "$conns" --concurrency 256 --hold 10
# Again on the warm servers: the connect cost once compiled. The generator, on one core, is the
# bound of connects/s here; the server's CPU per connect is what a core of its own could take.
bench "${native[0]}-warm" "$sm_pid" native "$sm/v1/ws" conns --conns "$conns" --concurrency 256 --hold 2
bench "${peerjs[0]}-warm" "$pj_pid" peerjs "ws://127.0.0.1:$pj_port/peerjs" conns --conns "$conns" --concurrency 256 --hold 2

for payload in 1500 200; do
  bench "${native[@]}" throughput --pairs 16 --window 8 --payload $payload
  bench "${peerjs[@]}" throughput --pairs 16 --window 8 --payload $payload
  bench signalman-peerjs "$sm_pid" peerjs "$sm/peerjs/peerjs" throughput --pairs 16 --window 8 --payload $payload
  bench signalman-star "$sm_pid" star "$sm/socket.io/" throughput --pairs 16 --window 8 --payload $payload
  bench star-reference "$st_pid" star "ws://127.0.0.1:$star_port/socket.io/" throughput --pairs 16 --window 8 --payload $payload
  bench signalman-workspaces "$sm_pid" workspaces "ws://127.0.0.1:$ws_port/socket.io/" throughput --pairs 16 --window 8 --payload $payload
done
bench signalman-pair "$sm_pid" pair "$sm/pair" throughput --pairs 16 --window 8 --payload 1500
bench signalman-direct "$sm_pid" direct "$sm/direct" throughput --pairs 16 --window 8 --payload 1500
# broadcast relays to every client of the listener, so one pair.
bench signalman-broadcast "$sm_pid" broadcast "$sm/broadcast" throughput --pairs 1 --window 8 --payload 1500

for rate in 5000 10000 20000 30000; do
  # --server-metrics: the node's own share of each relay's latency, from its relay-latency histogram.
  WARMUP_NOW=$latency_warmup bench "${native[@]}" latency --pairs 50 --rate $rate --payload 1500 \
    --server-metrics "http://127.0.0.1:$sm_port/metrics"
  WARMUP_NOW=$latency_warmup bench "${peerjs[@]}" latency --pairs 50 --rate $rate --payload 1500
done

bench "${native[@]}" churn --concurrency 64 --payload 1500
bench "${peerjs[@]}" churn --concurrency 64 --payload 1500

# CPU and allocation profile of the native relay path under throughput load (JDK Flight Recorder).
kill "$sm_pid"; wait "$sm_pid" 2>/dev/null || true
SIGNALMAN_JAVA_OPTS="-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Xmn256m -XX:StartFlightRecording=settings=profile,filename=$out/signalman-throughput.jfr" \
  start_signalman
native=(signalman-native-jfr "$sm_pid" native "$sm/v1/ws")
bench "${native[@]}" throughput --pairs 16 --window 8 --payload 1500 > /dev/null
kill "$sm_pid"; wait "$sm_pid" 2>/dev/null || true
sleep 1
{
  echo "Top frames of jdk.ExecutionSample (CPU samples) under native throughput, 1500 B:"
  jfr print --events jdk.ExecutionSample --stack-depth 1 "$out/signalman-throughput.jfr" \
    | grep -A1 'stackTrace = \[' | grep -v 'stackTrace\|^--' | sed 's/line:.*//; s/^ *//' | sort | uniq -c | sort -rn | head -30
  echo
  echo "Allocation samples by class (jdk.ObjectAllocationSample):"
  jfr print --events jdk.ObjectAllocationSample "$out/signalman-throughput.jfr" \
    | awk '/objectClass =/ {print $3}' | sort | uniq -c | sort -rn | head -15
  echo
  echo "Allocation samples by top frame:"
  jfr print --events jdk.ObjectAllocationSample --stack-depth 1 "$out/signalman-throughput.jfr" \
    | grep -A1 'stackTrace = \[' | grep -v 'stackTrace\|^--' | sed 's/line:.*//; s/^ *//' | sort | uniq -c | sort -rn | head -15
} > "$out/jfr-top-frames.txt" 2>&1 || true

"$root/bin/signalman" bench plot "$results" "$out"
python3 "$root/bench/summary.py" "$results" > "$out/summary.md"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r); load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/summary.md"
cat "$out/summary.md"
