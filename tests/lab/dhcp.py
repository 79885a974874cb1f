"""The lab's DHCP server: offers 198.51.100.50 to whoever asks on the client segment.

Run inside the router namespace by lab.sh, bound to the router's client-side interface (the
only segment it serves); answers a DISCOVER with an OFFER and a REQUEST with an ACK, both
broadcast, as a server answers a client without an address. Only lab addresses. Writes
READY_FILE once listening; ends when its parent kills it.

Usage: dhcp.py IFACE READY_FILE
"""
import os
import socket
import struct
import sys

# Descriptors inherited from whoever started the lab are not ours.
os.closerange(3, 1024)

SERVER = "198.51.100.1"
OFFERED = "198.51.100.50"
MASK = "255.255.255.0"
LEASE = 3600
MAGIC = b"c\x82Sc"
DISCOVER, OFFER, REQUEST, ACK = 1, 2, 3, 5


def options(raw):
    """The options after the magic cookie, as {code: value bytes}."""
    out = {}
    pos = 0
    while pos < len(raw):
        code = raw[pos]
        if code == 0:
            pos += 1
            continue
        if code == 255 or pos + 1 >= len(raw):
            break
        n = raw[pos + 1]
        out[code] = raw[pos + 2:pos + 2 + n]
        pos += 2 + n
    return out


def reply(request):
    """The answer to a BOOTREQUEST, or None."""
    if len(request) < 240 or request[0] != 1 or request[236:240] != MAGIC:
        return None
    kind = options(request[240:]).get(53, b"")
    answer = {DISCOVER: OFFER, REQUEST: ACK}.get(kind[0] if kind else None)
    if answer is None:
        return None
    xid, flags = request[4:8], request[10:12]
    head = struct.pack("!BBBB", 2, request[1], request[2], 0) + xid + b"\x00\x00" + flags
    head += socket.inet_aton("0.0.0.0") + socket.inet_aton(OFFERED)
    head += socket.inet_aton(SERVER) + socket.inet_aton("0.0.0.0")
    head += request[28:44] + b"\x00" * 192 + MAGIC
    opts = bytes([53, 1, answer])
    opts += bytes([54, 4]) + socket.inet_aton(SERVER)
    opts += bytes([51, 4]) + struct.pack("!I", LEASE)
    opts += bytes([1, 4]) + socket.inet_aton(MASK)
    opts += bytes([3, 4]) + socket.inet_aton(SERVER)
    return head + opts + b"\xff"


def main():
    iface, ready = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.bind(("0.0.0.0", 67))
    with open(ready, "w") as f:
        f.write("ready\n")
    while True:
        data, _ = s.recvfrom(4096)
        out = reply(data)
        if out is not None:
            s.sendto(out, ("255.255.255.255", 68))


if __name__ == "__main__":
    main()
