#!/usr/bin/env bash
# Extra state for the "rich" lab client (run inside its namespace, LAB_IF = its interface):
# three global IPv6 addresses (the kernel lists the newest first), default routes, a second
# IPv4 address and a blackhole route. Nothing here sends a packet.
set -euo pipefail
ip -6 addr add 2001:db8:1::11/64 dev "$LAB_IF" nodad
ip -6 addr add 2001:db8:1::9/64 dev "$LAB_IF" nodad
ip -6 route add default via 2001:db8:1::1
ip addr add 198.51.100.11/24 dev "$LAB_IF"
ip route add default via 198.51.100.1 metric 10
ip route add blackhole 192.0.2.0/24
