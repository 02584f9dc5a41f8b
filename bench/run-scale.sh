#!/usr/bin/env bash
# The scale run of docs/PERFORMANCE.md: NODES Signalman nodes sharing one Redis (a redis-server of its
# own on port 16379, nothing kept on disk), a listener per node, CONNS idle native connections spread
# over them by several generator processes, and, while those are held, native relays between partners
# on different nodes (latency at RATE per second, open loop, then throughput). Everything on 127.0.0.x.
# Appends to docs/perf/scale.jsonl. Usage: bench/run-scale.sh   (NODES=6 CONNS=100000 RATE=20000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT:-$root/docs/perf}"
nodes="${NODES:-6}"
conns="${CONNS:-100000}"
rate="${RATE:-20000}"
hold="${HOLD:-100}"
redis_port="${REDIS_PORT:-16379}"
first_port=18181

cd "$root"
mvn -q -B -ntp -pl bench -am -DskipTests package >&2
mkdir -p "$out"
source "$root/bench/lib.sh"

if (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null; then echo "port $redis_port is taken: a Redis of its own is needed" >&2; exit 1; fi
redis-server --port $redis_port --bind 127.0.0.1 --save "" --appendonly no > "$out/scale-redis.log" 2>&1 &
pids+=($!); wait_port $redis_port

urls=(); node_pids=()
for i in $(seq "$nodes"); do
  port=$((first_port + i - 1))
  "$root/bin/signalman" --host 127.0.0.1 --port $port --ice-server none --log-level warn --worker-threads 1 \
    --cluster "redis://127.0.0.1:$redis_port" --cluster-node-id "n$i" \
    --rate-messages-per-second 1000000000 --rate-burst 1000000000 --max-connections-per-ip 1000000 \
    --new-connections-per-second 1000000 > "$out/scale-node$i.log" 2>&1 &
  pids+=($!); node_pids+=($!); urls+=("ws://127.0.0.1:$port/v1/ws")
done
for i in $(seq "$nodes"); do wait_port $((first_port + i - 1)); done
url_list=$(IFS=,; echo "${urls[*]}")
pid_list=$(IFS=,; echo "${node_pids[*]}")

open_connections() { # established connections on the nodes' ports, as the kernel counts them
  ss -Htn state established "( sport >= :$first_port and sport <= :$((first_port + nodes - 1)) )" | wc -l
}
readiness() { for i in $(seq "$nodes"); do curl -s -o /dev/null -w "%{http_code} " "http://127.0.0.1:$((first_port + i - 1))/readyz"; done; }

echo "== conns $conns over $nodes nodes" >&2
"$root/bin/signalman" bench conns --url "$url_list" --server-pid "$pid_list" --conns "$conns" --procs "$nodes" \
  --concurrency 600 --sources 60 --hold "$hold" --label "scale-${nodes}-nodes" >> "$out/scale.jsonl" &
conns_pid=$!
for _ in $(seq 240); do
  [ "$(open_connections)" -ge "$conns" ] && break
  sleep 1
done
echo "   open: $(open_connections); readyz: $(readiness)" >&2
echo "== latency across nodes at $rate/s" >&2
"$root/bin/signalman" bench latency --url "$url_list" --server-pid "$pid_list" --pairs 60 --rate "$rate" \
  --payload 1500 --warmup 12 --seconds 10 --label "scale-${nodes}-nodes-cross-node" | tee -a "$out/scale.jsonl"
echo "== throughput across nodes" >&2
"$root/bin/signalman" bench throughput --url "$url_list" --server-pid "$pid_list" --pairs 18 --window 8 \
  --payload 1500 --warmup 3 --seconds 8 --label "scale-${nodes}-nodes-cross-node" | tee -a "$out/scale.jsonl"
echo "   open while relaying: $(open_connections); readyz: $(readiness)" >&2
wait "$conns_pid"
tail -1 "$out/scale.jsonl"
