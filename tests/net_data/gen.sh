#!/usr/bin/env bash
# Regenerates expected.txt: brings up lab "wcrt", normalizes the client interface exactly as
# tests/net_routes.rs does (fixed MAC, fixed link-local address, no tentative address), asks
# Scapy 2.8 inside the client namespace, tears the lab down. Needs root.
# Usage: tests/net_data/gen.sh [PYTHON]   (default: /work/main/target/scapy-venv/bin/python)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lab="$here/../lab/lab.sh"
py="${1:-/work/main/target/scapy-venv/bin/python}"
trap '"$lab" down wcrt' EXIT
"$lab" up wcrt
c() { "$lab" exec wcrt client "$@"; }
# The kernel's own link-local address comes with carrier; wait for it so it can be replaced.
for _ in $(seq 1 100); do
    [ -n "$(c ip -6 addr show dev wcrtc0 scope link)" ] && break
    sleep 0.05
done
c ip link set dev wcrtc0 address 00:00:5e:00:53:10
c ip -6 addr flush dev wcrtc0 scope link
c ip -6 addr add fe80::200:5eff:fe00:5310/64 dev wcrtc0 nodad
c env -u COLUMNS "$py" "$here/scapy_expect.py" > "$here/expected.txt"
