#!/usr/bin/env bash
# Regenerates expected.txt and expected_rich.txt: brings up lab "wcrt" (and "wcr2"),
# normalizes the client interface exactly as tests/net_routes.rs does (fixed MAC, fixed
# link-local address, no tentative address; rich.sh's extra state for "wcr2"), asks Scapy 2.8
# inside the client namespace, tears the labs down. Needs root.
# Usage: tests/net_data/gen.sh [PYTHON]   (default: /work/main/target/scapy-venv/bin/python)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lab="$here/../lab/lab.sh"
py="${1:-/work/main/target/scapy-venv/bin/python}"
trap '"$lab" down wcrt; "$lab" down wcr2' EXIT

prepare() {
    local name=$1 dev="$1c0"
    "$lab" up "$name"
    c() { "$lab" exec "$name" client "$@"; }
    # The kernel's own link-local address comes with carrier; wait for it so it can be replaced.
    for _ in $(seq 1 100); do
        [ -n "$(c ip -6 addr show dev "$dev" scope link)" ] && break
        sleep 0.05
    done
    c ip link set dev "$dev" address 00:00:5e:00:53:10
    c ip -6 addr flush dev "$dev" scope link
    c ip -6 addr add fe80::200:5eff:fe00:5310/64 dev "$dev" nodad
}

prepare wcrt
"$lab" exec wcrt client env -u COLUMNS "$py" "$here/scapy_expect.py" > "$here/expected.txt"
"$lab" down wcrt

prepare wcr2
"$lab" exec wcr2 client env LAB_IF=wcr2c0 "$here/rich.sh"
"$lab" exec wcr2 client env -u COLUMNS "$py" "$here/scapy_expect_rich.py" > "$here/expected_rich.txt"
