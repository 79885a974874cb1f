#!/usr/bin/env bash
# The network lab (../shared/design/lab.md): three namespaces joined by veth pairs, only lab
# addresses, no default route anywhere, so nothing sent inside can leave the machine.
#
#  [client] 198.51.100.10 ── c0|r0 ── 198.51.100.1 [router] 203.0.113.1 ─┬─ r1|s0 ── 203.0.113.20 [server]
#           2001:db8:1::10                 2001:db8:1::1      (bridge b1)  │            2001:db8:2::20
#                                                                          └─ r2|p0 ── 203.0.113.21 [peer]
#                                                                                      2001:db8:2::21
#
# The router forwards (IPv4 and IPv6, and directed broadcasts to the server segment) and
# serves DHCP on the client segment (dhcp.py: it offers 198.51.100.50). The server's replies
# are its kernel's: it answers pings, listens on TCP 22 and 80, resets TCP 81 (closed),
# drops TCP 82 (nftables: filtered), echoes UDP on 7; and services.py answers DNS on 53 with
# the hosts file's names. The peer is a second host on
# the server segment (a directed broadcast ping gets answers from several hosts); the client
# segment holds only the client and the router. Hosts files name the documentation's hosts
# with lab addresses.
#
# Usage: lab.sh up LAB | lab.sh down LAB | lab.sh exec LAB client|router|server|peer CMD...
# LAB is a short prefix (letters/digits, at most 8) so several labs can coexist.
set -euo pipefail

die() { echo "lab.sh: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: lab.sh up|down LAB | lab.sh exec LAB HOST CMD..."
action=$1
lab=$2
[[ "$lab" =~ ^[a-z0-9]{1,8}$ ]] || die "bad lab name '$lab' (letters and digits, at most 8)"
[ "$(id -u)" -eq 0 ] || die "the lab needs root (network namespaces); run as root"
client="$lab-client"
router="$lab-router"
server="$lab-server"
peer="$lab-peer"
here="$(cd "$(dirname "$0")" && pwd)"
run="/run/wirecraft-lab/$lab"

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

down() {
    # Every process living in a lab namespace (services, and whatever a test left behind)
    # ends with the lab.
    for ns in "$client" "$router" "$server" "$peer"; do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [ -z "$pids" ] || kill $pids 2>/dev/null || true
    done
    rm -rf "$run"
    for ns in "$client" "$router" "$server" "$peer"; do
        ip netns del "$ns" 2>/dev/null || true
        rm -rf "/etc/netns/$ns"
    done
}

hosts() {
    local ns=$1
    mkdir -p "/etc/netns/$ns"
    cat > "/etc/netns/$ns/hosts" <<HOSTS
127.0.0.1       localhost
::1             localhost ip6-localhost ip6-loopback
198.51.100.10   client.lab
198.51.100.1    router.lab
203.0.113.20    server.lab www.target.com www.test.com www.secdev.org www.slashdot.org www.google.com
203.0.113.21    peer.lab
2001:db8:2::20  server6.lab
HOSTS
}

up() {
    down
    mkdir -p "$run"
    for ns in "$client" "$router" "$server" "$peer"; do
        ip netns add "$ns"
        in_ns "$ns" ip link set lo up
        hosts "$ns"
    done
    ip link add "${lab}c0" netns "$client" type veth peer name "${lab}r0" netns "$router"
    ip link add "${lab}r1" netns "$router" type veth peer name "${lab}s0" netns "$server"
    ip link add "${lab}r2" netns "$router" type veth peer name "${lab}p0" netns "$peer"

    in_ns "$client" ip addr add 198.51.100.10/24 dev "${lab}c0"
    in_ns "$client" ip -6 addr add 2001:db8:1::10/64 dev "${lab}c0" nodad
    in_ns "$client" ip link set "${lab}c0" up
    in_ns "$router" ip addr add 198.51.100.1/24 dev "${lab}r0"
    in_ns "$router" ip -6 addr add 2001:db8:1::1/64 dev "${lab}r0" nodad
    # The server segment is a bridge: the server and the peer hang off it.
    in_ns "$router" ip link add "${lab}b1" type bridge
    in_ns "$router" ip link set "${lab}r1" master "${lab}b1"
    in_ns "$router" ip link set "${lab}r2" master "${lab}b1"
    in_ns "$router" ip addr add 203.0.113.1/24 dev "${lab}b1"
    in_ns "$router" ip -6 addr add 2001:db8:2::1/64 dev "${lab}b1" nodad
    in_ns "$router" ip link set "${lab}r0" up
    in_ns "$router" ip link set "${lab}r1" up
    in_ns "$router" ip link set "${lab}r2" up
    in_ns "$router" ip link set "${lab}b1" up
    in_ns "$server" ip addr add 203.0.113.20/24 dev "${lab}s0"
    in_ns "$server" ip -6 addr add 2001:db8:2::20/64 dev "${lab}s0" nodad
    in_ns "$server" ip link set "${lab}s0" up
    in_ns "$peer" ip addr add 203.0.113.21/24 dev "${lab}p0"
    in_ns "$peer" ip -6 addr add 2001:db8:2::21/64 dev "${lab}p0" nodad
    in_ns "$peer" ip link set "${lab}p0" up

    # Routes to the other lab network only: no default route, nothing leaves the lab.
    in_ns "$client" ip route add 203.0.113.0/24 via 198.51.100.1
    in_ns "$client" ip -6 route add 2001:db8:2::/64 via 2001:db8:1::1
    in_ns "$server" ip route add 198.51.100.0/24 via 203.0.113.1
    in_ns "$server" ip -6 route add 2001:db8:1::/64 via 2001:db8:2::1
    in_ns "$peer" ip route add 198.51.100.0/24 via 203.0.113.1
    in_ns "$peer" ip -6 route add 2001:db8:1::/64 via 2001:db8:2::1
    in_ns "$router" sysctl -qw net.ipv4.ip_forward=1
    in_ns "$router" sysctl -qw net.ipv6.conf.all.forwarding=1
    # Directed broadcasts from the client segment reach the server segment (RFC 2644 off).
    in_ns "$router" sysctl -qw net.ipv4.conf.all.bc_forwarding=1
    in_ns "$router" sysctl -qw "net.ipv4.conf.${lab}r0.bc_forwarding=1"
    in_ns "$router" sysctl -qw "net.ipv4.conf.${lab}b1.bc_forwarding=1"
    # Replies leave at once (no ICMP rate limit surprises in tests); the server segment's
    # hosts answer broadcast pings.
    for ns in "$router" "$server" "$peer"; do
        in_ns "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0
        in_ns "$ns" sysctl -qw net.ipv6.icmp.ratelimit=0
    done
    for ns in "$server" "$peer"; do
        in_ns "$ns" sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
    done

    # The filtered port: the server drops TCP 82 silently.
    in_ns "$server" nft -f - <<'NFT'
table inet lab {
    chain input {
        type filter hook input priority 0; policy accept;
        tcp dport 82 drop
    }
}
NFT

    # The DHCP server of the client segment, on the router.
    ip netns exec "$router" python3 "$here/dhcp.py" "${lab}r0" "$run/dhcp.ready" </dev/null \
        > "$run/dhcp.log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &

    # Services: TCP listeners on 22 and 80, UDP echo on 7, DNS on 53.
    # Started without the caller's descriptors: a test's lock file inherited by a service
    # that outlives it would hold the lock forever.
    ip netns exec "$server" python3 "$here/services.py" </dev/null > "$run/services.log" 2>&1 \
        3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
    # Ready when the listeners answer (every socket is bound before any is served) and the
    # DHCP server has said so.
    for _ in $(seq 1 100); do
        if [ -e "$run/dhcp.ready" ] && in_ns "$server" python3 -c 'import socket,sys; s=socket.create_connection(("203.0.113.20",80),0.2); s.close()' 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    die "the lab's services did not start: $(cat "$run/services.log" "$run/dhcp.log")"
}

case "$action" in
    up) up ;;
    down) down ;;
    exec)
        [ $# -ge 4 ] || die "usage: lab.sh exec LAB client|router|server|peer CMD..."
        host=$3
        shift 3
        case "$host" in client|router|server|peer) ;; *) die "unknown host '$host'";; esac
        exec ip netns exec "$lab-$host" "$@"
        ;;
    *) die "unknown action '$action'";;
esac
