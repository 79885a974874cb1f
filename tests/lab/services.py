"""The lab server's services: TCP listeners (accept, answer a line, close) and a UDP echo.

Run inside the server namespace by lab.sh; ends when its parent kills it.
"""
import os
import selectors
import socket

# Descriptors inherited from whoever started the lab (a test's lock file, say) are not ours.
os.closerange(3, 1024)

TCP_PORTS = (22, 80)
UDP_ECHO = 7

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
        else:
            try:
                data, peer = sock.recvfrom(65535)
                sock.sendto(data, peer)
            except OSError:
                pass
