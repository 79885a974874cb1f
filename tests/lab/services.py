"""The lab server's services: TCP listeners (accept, answer a line, close), a UDP echo and
a DNS responder.

The DNS responder answers A and AAAA questions for the names of this namespace's hosts
file (lab addresses only) and NXDOMAIN for any other name; what it cannot read as a DNS
query it ignores.

Run inside the server namespace by lab.sh; ends when its parent kills it.
"""
import ipaddress
import os
import selectors
import socket
import struct

# Descriptors inherited from whoever started the lab (a test's lock file, say) are not ours.
os.closerange(3, 1024)

TCP_PORTS = (22, 80)
UDP_ECHO = 7
DNS_PORT = 53
TTL = 60


def hosts():
    """Names (lower case, without the final dot) to their addresses, from /etc/hosts (which
    `ip netns exec` makes the lab's own)."""
    table = {}
    with open("/etc/hosts") as f:
        for line in f:
            fields = line.split("#")[0].split()
            if len(fields) < 2:
                continue
            try:
                addr = ipaddress.ip_address(fields[0])
            except ValueError:
                continue
            for name in fields[1:]:
                table.setdefault(name.lower().rstrip("."), []).append(addr)
    return table


def read_name(msg, pos):
    """The name at pos (uncompressed, as queries carry them) and where it ends."""
    labels = []
    while True:
        n = msg[pos]
        if n == 0:
            return b".".join(labels).decode("ascii", "replace"), pos + 1
        if n & 0xC0:
            raise ValueError("compressed name in a query")
        labels.append(msg[pos + 1:pos + 1 + n])
        pos += 1 + n


def dns_answer(query, table):
    """The response to a query, or None for what is not one."""
    if len(query) < 12:
        return None
    qid, flags, qdcount = struct.unpack("!HHH", query[:6])
    if flags & 0x8000 or qdcount != 1:
        return None
    name, end = read_name(query, 12)
    if end + 4 > len(query):
        return None
    qtype, qclass = struct.unpack("!HH", query[end:end + 4])
    addrs = table.get(name.lower())
    version = {1: 4, 28: 6}.get(qtype)
    answers = [a for a in addrs or [] if a.version == version and qclass == 1]
    rcode = 0 if addrs is not None else 3
    # Response, the query's opcode and RD, authoritative.
    out_flags = 0x8000 | (flags & 0x7900) | 0x0400 | rcode
    out = struct.pack("!HHHHHH", qid, out_flags, 1, len(answers), 0, 0)
    out += query[12:end + 4]
    for a in answers:
        out += struct.pack("!HHHIH", 0xC00C, qtype, 1, TTL, len(a.packed)) + a.packed
    return out


sel = selectors.DefaultSelector()
for family, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    for port in TCP_PORTS:
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, port))
        s.listen(64)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, "tcp")
    u = socket.socket(family, socket.SOCK_DGRAM)
    if family == socket.AF_INET6:
        u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    u.bind((addr, UDP_ECHO))
    u.setblocking(False)
    sel.register(u, selectors.EVENT_READ, "udp")
    d = socket.socket(family, socket.SOCK_DGRAM)
    if family == socket.AF_INET6:
        d.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    d.bind((addr, DNS_PORT))
    d.setblocking(False)
    sel.register(d, selectors.EVENT_READ, "dns")

HOSTS = hosts()

while True:
    for key, _ in sel.select():
        sock = key.fileobj
        if key.data == "tcp":
            try:
                conn, _ = sock.accept()
                conn.sendall(b"wirecraft lab\r\n")
                conn.close()
            except OSError:
                pass
        elif key.data == "dns":
            try:
                data, peer = sock.recvfrom(65535)
                reply = dns_answer(data, HOSTS)
                if reply is not None:
                    sock.sendto(reply, peer)
            except (OSError, ValueError, IndexError, struct.error):
                pass
        else:
            try:
                data, peer = sock.recvfrom(65535)
                sock.sendto(data, peer)
            except OSError:
                pass
