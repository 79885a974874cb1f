"""Generates tests/data/lang_packets.json: console snippets with packets and the transcript
Scapy 2.8 gives for them (run with the reference's python: target/scapy-venv/bin/python).

Run: target/scapy-venv/bin/python tests/gen/lang_packets.py > tests/data/lang_packets.json
Each snippet runs in a fresh namespace after `from scapy.all import *`, line by line as
Python's console does (echoing non-None values); warnings are shown as `WARNING: msg`, an
exception ends the snippet with the traceback wirecraft writes (file t.uts). Every address
and MAC is explicit, so nothing depends on the host's routes.
"""
import contextlib
import io
import json
import logging
import sys

from scapy.all import *  # noqa: F401,F403
from scapy.error import log_runtime, log_loading  # noqa: F401

A = 'src="198.51.100.1", dst="198.51.100.2"'
E = 'dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb"'

SNIPPETS = [
    # Stacking layers
    ["IP()", "IP()/TCP()", f"Ether({E})/IP({A})/TCP()", 'IP()/TCP()/"GET / HTTP/1.0\\r\\n\\r\\n"',
     "Ether()/IP()/IP()/UDP()", "IP(proto=55)/TCP()"],
    [f"a = Ether({E})/IP({A})/TCP(sport=1234, dport=80)", "a", "str(a)", "a.summary()",
     "raw(a).hex()", "len(a)", "a.name", "a.payload", "a.payload.name", "a[TCP].underlayer",
     "a.underlayer", "a.payload.payload.payload", "bool(a.payload.payload.payload)"],
    [f"a = IP({A})", "a.dst", "a.src", "a.ttl", "a.ttl = 10", "a", "del a.ttl", "a", "a.ttl",
     "a.flags", 'a.flags = "DF"', "a.flags", "a", "a.options"],
    ["t = TCP()", "t.flags", 't.flags = "SA"', "t.flags", "str(t.flags)", "t.flags.S",
     "t.flags.F", "t.flags == 0x12", 't.flags == "SA"', "t.flags = 0x10", "t",
     "t.sport", "t.dport", "t.options", 't.options = [("MSS", 1460), ("NOP", None)]', "t.options"],
    # Layers in a packet
    [f"p = Ether({E})/IP({A})/UDP(sport=1025, dport=53)", "TCP in p", "UDP in p", "p.haslayer(UDP)",
     "p.haslayer(TCP)", "p[UDP]", "p[IP].dst", "p.getlayer(UDP)", "p.getlayer(UDP, nb=2)",
     "p[UDP].firstlayer()", "p.lastlayer()", "p.getlayer(1)", "p['UDP']", "p[UDP:1]"],
    [f"p = IP({A})/IP(src=\"203.0.113.1\", dst=\"203.0.113.2\")/ICMP()", "p[IP:2]",
     "p.getlayer(IP, nb=2)", "p[IP:2].src", "p[IP:2].underlayer"],
    [f"p = IP({A})/TCP()", "p[UDP]"],
    [f"p = IP({A})/TCP()", "p[IP:3]"],
    [f"p = IP({A})/TCP()", "p.foo"],
    [f"p = IP({A})/TCP()", "del p.foo"],
    ["IP(foo=1)"],
    ['TCP(flags="Z")'],
    ['ICMP(type="nope")'],
    [f"p = IP({A})/TCP()", "p / 3"],
    # Views share the packet
    [f"p = IP({A})/TCP()", "t = p[TCP]", "t.dport = 443", "p", "p.sport = 1234", "p",
     "q = p.copy()", "q.dport = 22", "p[TCP].dport", "q == p", "p == p.copy()"],
    # Operators with bytes and str
    [f"p = IP({A})", 'p / "x"', 'p / b"y"', '"str" / p', 'b"ab" / p', "raw(p / b'abc')[-3:]"],
    # Dissection
    ["d = Ether(bytes.fromhex('00112233445566778899aabb0800450000280001000040067c8dc6336401c633640204d20050000000000000000050022000a8a90000'))",
     "d", "d.summary()", "d[TCP].flags", "d[IP].src", "d.hide_defaults()", "d",
     "IP(raw(d[IP]))", "d[IP].chksum", "hex(d[IP].chksum)"],
    ['IP(b"E\\x00\\x00\\x14\\x00\\x01\\x00\\x00@\\x00\\x00\\x00\\xc63d\\x01\\xc63d\\x02", ttl=3)'],
    [f"p = IP({A})/UDP(sport=1025, dport=2000)/Raw(b'\\x00\\x01')", "q = IP(raw(p))", "q",
     "q[UDP].payload", "q[UDP].decode_payload_as(Raw)", "q"],
    # Display
    [f"p = Ether({E})/IP({A})/TCP(sport=20, dport=80, flags='PA')/Raw(b'hi')", "p.show()",
     "p.show2()", "p.command()", "hexdump(p)", "x = hexdump(p, dump=True)", "x.count('\\n')"],
    [f"p = IP({A})/TCP(sport=20, dport=80, flags='SA')",
     'p.sprintf("%IP.src% -> %IP.dst% %TCP.flags%")',
     'p.sprintf("{IP:%IP.src%}{UDP:udp %UDP.sport%}{TCP:tcp %TCP.sport%}")',
     'p.sprintf("%-15s,IP.src% %5s,TCP.dport%|")', 'p.sprintf("%TCP.flags%")'],
    ["ls(TCP)", "ls(UDP)", f"ls(IP({A})/UDP())"],
    # Sets of packets
    [f"a = IP(dst=\"198.51.100.0/30\", src=\"198.51.100.1\")", "a", "list(a)", "len(list(a))",
     "b = TCP(dport=[80, 443], flags='S')", "list(a/b)[:3]", "c = IP(ttl=[1, 2, (5, 7)])",
     "list(c)", "for x in IP(ttl=(1, 3)):\n    print(x.ttl)\n"],
    ['Net("198.51.100.0/30")', 'list(Net("198.51.100.0/30"))', 'IP(dst=Net("198.51.100.8/31"))'],
    # Random values
    ["RandShort()", "RandIP()", "RandMAC()", "IP(ttl=RandByte())", "type(fuzz(TCP())).__name__"],
    # Checksums
    ['checksum(b"abcd")', f'in4_chksum(6, IP({A}), b"abcd")', f"raw(IP({A})/TCP())[-10:].hex()"],
    # Bindings
    ["bind_layers(UDP, ARP, dport=4242)", f"p = IP({A})/UDP(sport=1024)/ARP(hwsrc=\"00:01:02:03:04:05\", psrc=\"198.51.100.7\", pdst=\"198.51.100.8\")", "p",
     "raw(p)[20:24].hex()", "IP(raw(p))", "split_layers(UDP, ARP, dport=4242)", "IP(raw(p))"],
    ["bind_top_down(TCP, Raw, dport=9999)", f"p = IP({A})/TCP()/Raw(b'x')", "p[TCP].dport",
     "split_top_down(TCP, Raw, dport=9999)", f"(IP({A})/TCP()/Raw(b'x'))[TCP].dport"],
    # conf
    ["conf.verb", "conf.verb = 0", "conf.verb"],
    # getfieldval/setfieldval
    [f"p = IP({A})/TCP()", 'p.getfieldval("ttl")', 'p.getfieldval("dport")',
     'p.setfieldval("dport", 443)', "p", 'p.getfieldval("flags")'],
]


class ToStdout(logging.Handler):
    def emit(self, record):
        sys.stdout.write(f"WARNING: {record.getMessage()}\n")


def run(snippet):
    ns = {}
    exec("from scapy.all import *", ns)
    handler = ToStdout(level=logging.WARNING)
    logging.getLogger("scapy").addHandler(handler)
    out = io.StringIO()
    lineno = 0
    try:
        for stmt in snippet:
            lines = stmt.split("\n")
            first = True
            for ln in lines:
                if first:
                    out.write(">>> " + ln + "\n")
                    first = False
                else:
                    out.write("... " + ln + "\n")
            lineno += len(lines)
            buf = io.StringIO()
            try:
                with contextlib.redirect_stdout(buf):
                    code = compile(stmt + ("\n" if "\n" in stmt else ""), "<console>", "single")
                    exec(code, ns)
            except Exception as e:  # noqa: BLE001
                out.write(buf.getvalue())
                msg = str(e)
                out.write("Traceback (most recent call last):\n")
                out.write(f'  File "t.uts", line {lineno - len(lines) + 1}, in <module>\n')
                out.write(f"    {lines[0].strip()}\n")
                out.write(f"{type(e).__name__}: {msg}\n" if msg else f"{type(e).__name__}\n")
                return out.getvalue()
            out.write(buf.getvalue())
    finally:
        logging.getLogger("scapy").removeHandler(handler)
    return out.getvalue()


def main():
    cases = [{"src": "\n".join(s), "transcript": run(s)} for s in SNIPPETS]
    json.dump(cases, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
