#!/usr/bin/env python3
"""Markdown tables from a results file of `bin/signalman bench` (one JSON line per run), for docs/PERFORMANCE.md."""
import json
import sys

runs = [r for r in (json.loads(line) for line in open(sys.argv[1]) if line.startswith("{"))
        if not r["label"].endswith("-jfr")]  # profiled runs carry JFR's overhead


def load(run):
    return run["loadavg_before"].split(" ")[0]


def f(value, digits=1):
    return "-" if value is None else f"{value:,.{digits}f}"


def by(scenario):
    return [r for r in runs if r["scenario"] == scenario]


reference = {}
for r in by("throughput"):
    if r["label"] == "peerjs-server":
        reference[r["params"]["payload"]] = r["results"].get("server_cpu_us_per_msg")

print("### Throughput (P=16 pairs, W=8 in flight per direction)\n")
print("| server / dialect | payload | relays/s | server CPU % (user/sys) | CPU µs per relay | PeerJS CPU ÷ this | load |")
print("|---|---|---|---|---|---|---|")
for r in by("throughput"):
    x = r["results"]
    ref = reference.get(r["params"]["payload"])
    ratio = ref / x["server_cpu_us_per_msg"] if ref and x.get("server_cpu_us_per_msg") else None
    print(f"| {r['label']} | {r['params']['payload']} B | {f(x['msgs_per_s'], 0)} | {f(x.get('server_cpu_pct'))} "
          f"({f(x.get('server_cpu_user_pct'))}/{f(x.get('server_cpu_sys_pct'))}) | {f(x.get('server_cpu_us_per_msg'), 2)} "
          f"| {f(ratio, 2)} | {load(r)} |")

print("\n### Latency (open loop, 50 pairs, 1500 B, from scheduled send time), µs\n")
print("| server | offered/s | achieved/s | p50 | p90 | p99 | p99.9 | max | generator send lag p99 / p99.9 / max "
      "| inside the node: % within 0.5 / 1 / 2 ms | server CPU % | steal % | load |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def inside(x):
    """The node's own share (--server-metrics): percent of relays that spent at most 0.5, 1 and 2 ms in it."""
    share = x.get("server_relay_latency")
    if not share or not share.get("server_relays"):
        return "-"
    return " / ".join(f(100 * share[k], 2) if k in share else "-" for k in ("within_500us", "within_1000us", "within_2000us"))


for r in by("latency"):
    x = r["results"]
    lag = f"{f(x.get('send_lag_p99_us'), 0)} / {f(x.get('send_lag_p999_us'), 0)} / {f(x.get('send_lag_max_us'), 0)}"
    steal = r.get("machine_cpu_pct", {}).get("steal")
    print(f"| {r['label']} | {x['offered_per_s']:,} | {f(x['achieved_per_s'], 0)} | {f(x['p50_us'], 0)} | {f(x['p90_us'], 0)} "
          f"| {f(x['p99_us'], 0)} | {f(x['p999_us'], 0)} | {f(x['max_us'], 0)} | {lag} | {inside(x)} "
          f"| {f(x.get('server_cpu_pct'))} | {f(steal)} | {load(r)} |")

print("\n### Idle connections\n")
print("| server | connections ready | connects/s | server CPU µs per connect | connects per server core-second | machine idle % | RSS per connection (bytes) | load |")
print("|---|---|---|---|---|---|---|---|")
for r in by("conns"):
    x = r["results"]
    us = x.get("server_cpu_us_per_connect")
    idle = r.get("machine_cpu_pct", {}).get("idle")
    print(f"| {r['label']} | {x['ready']:,} of {x['connections']:,} | {f(x['connects_per_s'], 0)} | {f(us, 0)} "
          f"| {f(1e6 / us if us else None, 0)} | {f(idle)} | {f(x.get('server_rss_per_conn_bytes'), 0)} | {load(r)} |")

print("\n### Churn (64 concurrent: connect both, register/join, offer, answer, close)\n")
print("| server | handshakes/s | failed | server CPU % | CPU µs per handshake | load |")
print("|---|---|---|---|---|---|")
for r in by("churn"):
    x = r["results"]
    print(f"| {r['label']} | {f(x['handshakes_per_s'], 0)} | {x['failed']} | {f(x.get('server_cpu_pct'))} "
          f"| {f(x.get('server_cpu_us_per_handshake'), 0)} | {load(r)} |")
print()
