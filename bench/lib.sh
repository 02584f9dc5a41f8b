# Shared by the bench scripts (sourced): background processes that die with the script, and a wait
# for a loopback port to accept connections.
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# wait_port PORT [TRIES]: polls 127.0.0.1:PORT every 0.2 s (default 150 tries, 30 s).
wait_port() {
  for _ in $(seq "${2:-150}"); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done
  echo "port $1 did not open" >&2; return 1
}
