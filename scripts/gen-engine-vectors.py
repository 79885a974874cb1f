#!/usr/bin/env python3
"""Generates the engine's expected outputs from Scapy 2.8 (tests/data/engine_*.jsonl).

Run with the reference venv:  target/scapy-venv/bin/python scripts/gen-engine-vectors.py
(from the repository root; /work/main/target/scapy-venv/bin/python works as well).

Each field case defines packet classes from Python source (the same text the Rust tests
parse and hand to field_from_spec), then records for each instance and each byte string
what Scapy prints: raw bytes, repr, show, ls, command, and the dissection of the bytes.
The display cases do the same for built-in layers (sprintf, command, ls, hide_defaults).
"""
import contextlib
import io
import json
import logging
import os
import random
import sys

from scapy.all import *  # noqa: F401,F403
from scapy.all import conf, Packet, raw, ls
from scapy.layers.ntp import TimeStampField  # noqa: F401

conf.verb = 0

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")


def capture(f, *a):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        f(*a)
    return buf.getvalue()


# Each case: classes as (class name, display name, [field sources], extract_padding),
# the last class is the one instantiated; instances as keyword-argument source text;
# dissect as hex strings.
FIELD_CASES = [
    ("ints", [("T", "Ints", [
        'ByteField("a", 1)', 'XByteField("b", 2)', 'SignedByteField("c", -3)',
        'ShortField("d", 4)', 'XShortField("e", 0x1f)', 'SignedShortField("f", -5)',
        'LEShortField("g", 0x1234)', 'XLEShortField("h", 0x1234)', 'LESignedShortField("i", -2)',
        'ThreeBytesField("j", 5)', 'X3BytesField("k", 0xabcdef)', 'LEThreeBytesField("l", 0x010203)',
        'IntField("m", 6)', 'XIntField("n", 7)', 'SignedIntField("o", -8)', 'LEIntField("p", 9)',
        'XLEIntField("q", 10)', 'LESignedIntField("r", -11)', 'LongField("s", 12)',
        'XLongField("t", 13)', 'SignedLongField("u", -14)', 'LELongField("v", 15)',
        'XLELongField("w", 16)', 'LESignedLongField("x", -17)',
        'Field("y", 18)', 'Field("z", -19, fmt="i")', 'Field("aa", 20, fmt="<I")',
    ], False)], ["", "a=255, c=-128, e=0xffff, m=4294967295, s=2**63"], []),
    ("floats", [("T", "Floats", [
        'IEEEFloatField("f", 1.5)', 'IEEEDoubleField("g", 0.1)', 'BCDFloatField("h", 1.5)',
        'IEEEFloatField("i", 3)',
    ], False)], ["", "f=0.1, g=1e-7, h=2.25, i=-2.5"], ["3dcccccd3ff000000000000002400000000000"]),
    ("bits", [("T", "Bits", [
        'BitField("a", 5, 3)', 'XBitField("b", 0x1ff, 9)', 'BitField("c", 1, 4)',
        'BitEnumField("d", 2, 4, {1: "one", 2: "two"})',
        'FlagsField("e", 3, 4, "ABCD")', 'FlagsField("f", 5, 8, ["aa", "bb", "cc"])',
        'BitField("g", 0, 1)', 'BitFieldLenField("h", None, 7, length_of="s")',
        'StrLenField("s", b"abc", length_from=lambda pkt: pkt.h)',
    ], False)], ["", "e='ABD', f='aa+cc', d='one', s=b'hello'", "e=0, f=255"], ["ffff0f12345678"]),
    ("enums", [("T", "Enums", [
        'ByteEnumField("a", 1, {1: "one", 2: "two"})',
        'XByteEnumField("b", 3, {1: "one"})',
        'ShortEnumField("c", 2, {2: "two"})', 'XShortEnumField("d", 0x10, {1: "one"})',
        'LEShortEnumField("e", 1, {1: "one"})', 'IntEnumField("f", 2, {2: "two"})',
        'SignedIntEnumField("g", -1, {-1: "minus"})', 'LEIntEnumField("h", 7, {})',
        'ByteEnumField("i", 0, ["zero", "one"])',
        'EnumField("j", 1, {"uno": 1, "dos": 2})',
        'EnumField("k", 1, {1: "x"}, fmt="B")',
        'CharEnumField("l", "a", {"a": "alpha", "b": "beta"})',
        'MultiEnumField("m", 1, {1: {1: "a1", 2: "a2"}, 2: {1: "b1"}}, depends_on=lambda pkt: pkt.a, fmt="B")',
        'LongEnumField("n", 3, {3: "three"})', 'LELongEnumField("o", 3, {3: "three"})',
    ], False)], ["", "a='two', b=2, c=99, i='one', j='dos', l='beta', m='a2'", "a=2, m=1", "c=[2, 3]"],
        []),
    ("strings", [("T", "Strings", [
        'StrFixedLenField("a", b"ab", 4)', 'StrFixedLenField("b", b"xy", length=3)',
        'XStrFixedLenField("c", b"\\x01\\x02", 2)', 'StrNullField("d", b"nul")',
        'StrStopField("e", b"stop", b"\\r\\n")', 'StrStopField("f", b"", b"|", 1)',
        'FieldLenField("g", None, length_of="h", fmt="B")',
        'StrLenField("h", b"lenv", length_from=lambda pkt: pkt.g)',
        'XStrLenField("i", b"\\xaa", length_from=lambda pkt: 1)',
        'StrLenField("j", b"", length_from=lambda pkt: 8, max_length=2)',
        'XStrField("k", b"\\xde\\xad")',
    ], False)], ["", "a=b'\\x00z', d=b'', e=b'go\\r\\nX', f=b'q|r', h=b''"],
        ["61620000787900010268690000737470310d0a617c62036162639900", "6162"]),
    ("strfield_remain", [("T", "Remain", [
        'StrField("a", b"", remain=2)', 'ShortField("b", 7)',
    ], False)], ["", "a=b'xyz'"], ["6162630009", "01"]),
    ("lengths", [("T", "Lengths", [
        'FieldLenField("len", None, length_of="data", adjust=lambda pkt, x: x + 2)',
        'FieldLenField("cnt", None, count_of="items", fmt="B")',
        'StrLenField("data", b"", length_from=lambda pkt: pkt.len - 2)',
        'FieldListField("items", [], ShortField("", 0), count_from=lambda pkt: pkt.cnt)',
        'LenField("plen", None, fmt="B", adjust=lambda x: x + 1)',
    ], False)], ["", "data=b'abc', items=[1, 2, 3]", "len=10, cnt=0, data=b'z'"],
        ["0005026162000100020309", "00020361000100020003", "00ff01"]),
    ("fieldlist", [("T", "Lists", [
        'ByteField("n", None)',
        'FieldListField("a", [1, 2], ByteField("", 0), count_from=lambda pkt: pkt.n)',
        'FieldListField("b", [], IPField("", "0.0.0.0"), length_from=lambda pkt: 8)',
        'FieldListField("c", [0x10], XShortField("", 0))',
    ], False)], ["", "n=2, b=['1.2.3.4', '5.6.7.8'], c=[1, 0x200]", "a=7"],
        ["030102030a0000010a00000200ff0001"]),
    ("addresses", [("T", "Addresses", [
        'IPField("a", "198.51.100.1")', 'IP6Field("b", "2001:db8::1")',
        'IP6Field("c", "2002:c633:6401::1")', 'IP6Field("d", "2001:0:4136:e378:8000:63bf:3fff:fdd2")',
        'MACField("e", "00:11:22:33:44:55")', 'IPField("f", None)', 'IP6Field("g", None)',
    ], False)], ["", "a='10.0.0.1', b='::1', e='aa:bb:cc:dd:ee:ff', f='192.0.2.9'"], []),
    ("timestamps", [("T", "Times", [
        'TimeStampField("a", 0)', 'TimeStampField("b", 1.5)',
        'TimeStampField("c", 3900000000.25)', 'ICMPTimeStampField("d", 45296789)',
        'FixedPointField("e", 3.25, 16, 8)',
    ], False)], ["", "a=12.1, d='1:2:3.4', e=1.75", "d='junk'"],
        ["0000000c1999999900000000800000000000000000000000e8754700400000000281b195034003"]),
    ("conditional_pad", [("T", "Conditional", [
        'ByteField("flag", 0)',
        'ConditionalField(ShortField("opt", 7), lambda pkt: pkt.flag == 1)',
        'PadField(StrLenField("s", b"abc", length_from=lambda pkt: 3), 4)',
        'PadField(ByteField("p", 9), 4, padwith=b"\\xff")',
        'Emph(ByteField("e", 1))',
        'MultipleTypeField([(ShortField("m", 2), lambda pkt: pkt.flag == 1)], ByteField("m", 3))',
        'ByteField("end", 0)',
    ], False)], ["", "flag=1", "flag=1, opt=9, s=b'hello'"],
        ["00616263000900ffffff0103", "01000561626300090000010004ff00"]),
    ("packet_fields", [
        ("Inner", "Inner", ['ByteField("x", 1)', 'ShortField("y", 2)'], True),
        ("Outer", "Outer", [
            'ByteField("n", None)',
            'PacketField("one", Inner(), Inner)',
            'PacketLenField("two", Inner(x=3), Inner, length_from=lambda pkt: 3)',
            'PacketListField("many", [], Inner, count_from=lambda pkt: pkt.n)',
            'ByteField("tail", 0xee)',
        ], False)],
        ["", "n=2, many=[Inner(x=5), Inner(y=6)]", "one=Inner(x=9)/Raw(b'zz')"],
        ["0201000202000303000404000505ee", "0301000202000303000404", "00"]),
    ("packet_list_length", [
        ("Item", "Item", ['ByteField("k", 1)', 'FieldLenField("l", None, length_of="v", fmt="B")',
                          'StrLenField("v", b"", length_from=lambda pkt: pkt.l)'], True),
        ("Holder", "Holder", [
            'FieldLenField("len", None, length_of="items", fmt="B")',
            'PacketListField("items", [], Item, length_from=lambda pkt: pkt.len)',
            'StrField("rest", b"")',
        ], False)],
        ["", "items=[Item(v=b'ab'), Item(k=2, v=b'')]"],
        ["060102616202004242", "09010261620200", "ff010999"]),
    ("packet_list_greedy", [
        ("Elem", "Elem", ['ByteField("k", 1)'], False),
        ("Greedy", "Greedy", ['PacketListField("items", [], Elem)'], False)],
        ["", "items=[Elem(k=3), Elem(k=4)]"], ["030405"]),
    ("packet_list_next_cls", [
        ("A", "A", ['ByteField("tag", 1)', 'ByteField("a", 0)'], True),
        ("B", "B", ['ByteField("tag", 2)', 'ShortField("b", 0)'], True),
        ("Chain", "Chain", [
            'PacketListField("items", [], next_cls_cb=lambda pkt, lst, cur, remain: '
            'A if remain and remain[0] == 1 else (B if remain and remain[0] == 2 else None))',
            'StrField("rest", b"")',
        ], False)],
        ["", "items=[A(a=5), B(b=6), A()]"],
        ["0105020006010002ff", "03", "01"]),
    ("tcp_options_field", [("T", "Opts", [
        'ByteField("n", 6)', 'TCPOptionsField("options", [])'], False)],
        ["", "options=[('MSS', 1460), ('NOP', None), ('WScale', 7)]"], []),
]


def attempt(f):
    """f() or, if it raises, the exception as the text the Rust test expects for errors."""
    try:
        return f()
    except Exception as ex:  # noqa: BLE001
        return "ERROR: %s: %s" % (type(ex).__name__, ex)


def dissection(cls, b):
    try:
        d = cls(b)
    except Exception as ex:  # noqa: BLE001
        return {"error": "%s: %s" % (type(ex).__name__, ex)}
    return {
        "repr": repr(d),
        "show": attempt(lambda: d.show(dump=True)),
        "command": attempt(d.command),
        "rebuilt": attempt(lambda: raw(d).hex()),
    }


def define(cname, dname, srcs, padding, ns):
    fields = [eval(s, ns) for s in srcs]
    body = {"name": dname, "fields_desc": fields}
    if padding:
        body["extract_padding"] = lambda self, s: (b"", s)
    cls = type(cname, (Packet,), body)
    ns[cname] = cls
    return cls


def field_vectors():
    out = []
    for cid, classes, instances, dissect in FIELD_CASES:
        ns = dict(globals())
        cls = None
        for cname, dname, srcs, padding in classes:
            cls = define(cname, dname, srcs, padding, ns)
        rec = {
            "id": cid,
            "classes": [{"class": c, "name": n, "fields": f, "extract_padding": p}
                        for c, n, f, p in classes],
            "ls_class": capture(ls, cls),
            "instances": [],
            "dissect": [],
        }
        for kw in instances:
            p = eval("%s(%s)" % (cls.__name__, kw), ns)
            b = raw(p)
            rec["instances"].append({
                "kwargs": kw,
                "hex": b.hex(),
                "repr": repr(p),
                "show": attempt(lambda: p.show(dump=True)),
                "ls": attempt(lambda: capture(ls, p)),
                "command": p.command(),
                "dissect": dissection(cls, b),
            })
        for h in dissect:
            d = dissection(cls, bytes.fromhex(h))
            d["hex"] = h
            rec["dissect"].append(d)
        out.append(rec)
    return out


# Display cases on built-in layers: expression, then what to record.
DISPLAY_EXPRS = [
    'IP(src="198.51.100.1", dst="198.51.100.2", ttl=3)/TCP(sport=1234, dport=80, flags="SA")/Raw(b"hi")',
    'Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")/IP(src="198.51.100.1", dst="198.51.100.2", proto=17, id=7)/UDP(sport=53, dport=4242)',
    'IP(src="198.51.100.1", dst="198.51.100.2")/ICMP(type=3, code=1)/IP(src="198.51.100.2", dst="198.51.100.3")/UDP()',
    'Ether(src="66:77:88:99:aa:bb", dst="ff:ff:ff:ff:ff:ff")/ARP(hwsrc="66:77:88:99:aa:bb", psrc="198.51.100.1", pdst="198.51.100.2")',
    'IP(src="198.51.100.1", dst="198.51.100.2", flags="DF", options=[IPOption_NOP(), IPOption_NOP()])/TCP(options=[("MSS", 1460), ("NOP", None)])',
]

SPRINTF_FORMATS = [
    "%IP.src% > %IP.dst%",
    "%-16s,IP.src%|%5s,IP.ttl%|",
    "%IP.proto% %r,IP.proto% %03xr,IP.proto% %x,IP.chksum%",
    "%2s,TCP.flags% %r,TCP.flags% %TCP.sport%",
    "{TCP:tcp %TCP.dport%}{UDP:udp %UDP.dport%}{ICMP:icmp %ICMP.type%}{!TCP: not-tcp}",
    "{IP:%IP.dst% {ICMP:%ICMP.type%}{TCP:%TCP.dport%}}",
    "%IP:2.dst% %IP:1.dst% %Ether.src% %%%(%)",
    "%Ether.type% %ARP.op% %ARP.psrc% %src% %NoSuch.x%",
    "%.5s,IP.dst%/%8r,IP.len%/%-5d,r,IP.ttl%",
]


def display_vectors():
    out = []
    for e in DISPLAY_EXPRS:
        p = eval(e)
        b = raw(p)
        q = p.__class__(b)
        rec = {
            "expr": e,
            "hex": b.hex(),
            "command": p.command(),
            "ls": capture(ls, p),
            "dissect_command": q.command(),
            "sprintf": {},
            "dissect_sprintf": {},
        }
        for f in SPRINTF_FORMATS:
            for key, pkt in (("sprintf", p), ("dissect_sprintf", q)):
                try:
                    rec[key][f] = pkt.sprintf(f)
                except Exception as ex:  # noqa: BLE001
                    rec[key][f] = "ERROR: %s" % ex
        q2 = p.__class__(b)
        q2.hide_defaults()
        rec["hide_defaults_repr"] = repr(q2)
        rec["equal_to_dissection"] = bool(p == q)
        out.append(rec)
    return out


def class_vectors():
    out = {}
    for name in ["Ether", "Dot3", "LLC", "SNAP", "Dot1Q", "ARP", "TCP", "UDP",
                 "IPOption", "IPOption_RR", "Raw", "Padding"]:
        out[name] = capture(ls, globals()[name])
    return out


def set_vectors():
    out = []
    exprs = [
        'IP(src="198.51.100.1", dst="198.51.100.0/30", ttl=(1, 3), id=[5, 6])/TCP(dport=[80, 443])',
        'IP(src="198.51.100.1", dst=["198.51.100.1", "198.51.100.9"])/ICMP(id=[3, 4], seq=(1, 2))',
        'IP(dst=Net("198.51.100.7", "198.51.100.9"), src="198.51.100.1")',
        'IP(dst="198.51.100/30", src="198.51.100.1")',
        'TCP(flags=["S", "A"], dport=(8080, 8081))',
        'Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")/IP(src="198.51.100.1", dst="198.51.100.2", tos=(0, 2, 1))',
        'IPv6(src="2001:db8::9", dst="2001:db8::/126")',
        'IPv6(src="2001:db8::/127", dst="2001:db8::1")/UDP(dport=[1, 2])',
        'IPv6(src="2001:db8::9", dst=Net6("2001:db8::1", "2001:db8::3"))/ICMPv6EchoRequest(seq=(1, 2))',
        'IPv6(src="2001:db8::9", dst="2001:DB8:0::5/125")',
        'IPv6(src="2001:db8::9", dst="::ffff:198.51.100.1/127")',
        'IPv6(src="2001:db8::9", dst=("2001:db8::7", "2001:db8::9"))',
    ]
    for e in exprs:
        p = eval(e)
        items = list(p)
        out.append({
            "expr": e,
            "repr": repr(p),
            "show": p.show(dump=True),
            "command": p.command(),
            "hex": raw(p).hex(),
            "count": len(items),
            "items": [repr(x) for x in items],
            "items_hex": [raw(x).hex() for x in items],
        })
    errors = {}
    for e in ['IP(dst="198.51.100.1-254")', 'IP(dst="198.51.*.1-10")', 'Net("198.51.100.5-7")',
              'IPv6(dst="2001:db8::*")', 'Net6("2001:db8::/129")', 'Net6("2001:db8::/x")',
              'Net6("2001:db8::1-5")']:
        try:
            eval(e)
            errors[e] = "no error"
        except Exception as ex:  # noqa: BLE001
            errors[e] = str(ex)
    net6 = []
    for e in ['Net6("2001:db8::/126")', 'Net6("2001:db8::1/127")', 'Net6("2001:db8::5")',
              'Net6("2001:db8::3", "2001:db8::1")', 'Net6("::/126")', 'Net6("2001:db8::/ 126")',
              'Net6("2001:db8::/64")', 'Net6("fe80::1%eth0")', 'Net6("2001:db8::/0")']:
        n = eval(e)
        net6.append({"expr": e, "repr": repr(n), "str": str(n), "count": str(max(n.count, 0)),
                     "items": [str(x) for x in n] if n.count <= 16 else []})
    return {"sets": out, "errors": errors, "net6": net6}


A6 = 'src="2001:db8::1", dst="2001:db8::2"'
B6 = 'src="2001:db8::2", dst="2001:db8::1"'
LL = 'src="fe80::1", dst="ff02::1"'

# IPv6 family: one or more expressions per layer, option type and ICMPv6 type, recorded as
# the reference vectors are (core.jsonl's fields).
INET6_EXPRS = [
    'IPv6(%s, tc=3, fl=0x12345, hlim=7)' % A6,
    'IPv6(%s)/TCP(sport=1234, dport=80, flags="SA", seq=7, ack=9)/Raw(b"data")' % A6,
    'IPv6(%s)/UDP(sport=1000, dport=53)/Raw(b"q")' % A6,
    'Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")/IPv6(%s)/UDP()' % A6,
    'IP(src="198.51.100.1", dst="198.51.100.2")/IPv6(%s)/ICMPv6EchoRequest()' % A6,
    'IPv6(%s)/IP(src="198.51.100.1", dst="198.51.100.2")/ICMP()' % A6,
    'IPv6(%s)/IPv6(%s)/UDP()' % (A6, B6),
    'IPv6(%s)/GRE()/IP(src="198.51.100.1", dst="198.51.100.2")' % A6,
    'IPv6(%s)/IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)])/ICMPv6MLReport(mladdr="ff02::fb")' % LL,
    'IPv6(%s)/IPv6ExtHdrHopByHop(options=[Jumbo(jumboplen=70000)])/UDP()' % A6,
    'IPv6(%s)/IPv6ExtHdrHopByHop(options=[Pad1(), PadN(optdata=b"\\x00\\x00")])/TCP()' % A6,
    'IPv6(%s)/IPv6ExtHdrHopByHop(autopad=0, options=[RouterAlert()])/UDP()' % A6,
    'IPv6(%s)/IPv6ExtHdrHopByHop(options=[HBHOptUnknown(otype=0x3e, optdata=b"abc")])/UDP()' % A6,
    'IPv6(%s)/IPv6ExtHdrDestOpt(options=[HAO(hoa="2001:db8::99")])/UDP()' % A6,
    'IPv6(%s)/IPv6ExtHdrDestOpt(nh=59)' % A6,
    'IPv6(%s)/IPv6ExtHdrRouting(addresses=["2001:db8::a", "2001:db8::b"])/UDP()' % A6,
    'IPv6(%s)/IPv6ExtHdrRouting(addresses=["2001:db8::a"], segleft=0)/TCP()' % A6,
    'IPv6(%s)/IPv6ExtHdrSegmentRouting(addresses=["2001:db8::a", "2001:db8::b"])/UDP()' % A6,
    'IPv6(%s)/IPv6ExtHdrSegmentRouting(addresses=["2001:db8::a"], tlv_objects=[IPv6ExtHdrSegmentRoutingTLVIngressNode(), IPv6ExtHdrSegmentRoutingTLVEgressNode(egress_node="2001:db8::e")])/TCP()' % A6,
    'IPv6(%s)/IPv6ExtHdrSegmentRouting(addresses=["2001:db8::a"], tlv_objects=[IPv6ExtHdrSegmentRoutingTLVHMAC(hmackeyid=3, hmac=b"0123456789abcdef0123456789abcdef")])/UDP()' % A6,
    'IPv6(%s)/IPv6ExtHdrSegmentRouting(addresses=["2001:db8::a"], tlv_objects=[IPv6ExtHdrSegmentRoutingTLVPadN(padding=b"\\x00\\x00\\x00"), IPv6ExtHdrSegmentRoutingTLVPad1()])/UDP()' % A6,
    'IPv6(%s)/IPv6ExtHdrFragment(id=0x1234, offset=10, m=0)/Raw(b"tail")' % A6,
    'IPv6(%s)/IPv6ExtHdrHopByHop()/IPv6ExtHdrDestOpt()/IPv6ExtHdrFragment(id=1)/ICMPv6EchoRequest(id=3)' % A6,
    'IPv6(%s)/ICMPv6EchoRequest(id=0x1234, seq=5, data=b"ping")' % A6,
    'IPv6(%s)/ICMPv6EchoReply(id=0x1234, seq=5, data=b"ping")' % B6,
    'IPv6(%s)/ICMPv6DestUnreach()/IPv6(%s)/TCP(sport=4000, dport=22)' % (B6, A6),
    'IPv6(%s)/ICMPv6PacketTooBig(mtu=1400)/IPv6(%s)/UDP()/Raw(b"xxxxxxxx")' % (B6, A6),
    'IPv6(%s)/ICMPv6TimeExceeded(code=1)/IPv6(%s)/ICMPv6EchoRequest()' % (B6, A6),
    'IPv6(%s)/ICMPv6ParamProblem(code=2, ptr=40)/IPv6(%s)/IPv6ExtHdrDestOpt()/UDP()' % (B6, A6),
    'IPv6(%s)/ICMPv6Unknown(type=100, msgbody=b"xyz")' % A6,
    'IPv6(src="fe80::1")/ICMPv6ND_RS()/ICMPv6NDOptSrcLLAddr(lladdr="00:01:02:03:04:05")',
    'IPv6(src="fe80::1")/ICMPv6ND_RA(chlim=64, M=1, prf="Low", routerlifetime=600)/ICMPv6NDOptMTU(mtu=1500)/ICMPv6NDOptRDNSS(dns=["2001:db8::53", "2001:db8::54"])',
    'IPv6(src="fe80::1")/ICMPv6ND_RA()/ICMPv6NDOptRouteInfo(prefix="2001:db8:2::", plen=48, prf=3)',
    'IPv6(src="fe80::1")/ICMPv6ND_RA()/ICMPv6NDOptRouteInfo()',
    'IPv6(src="fe80::2", dst="fe80::1")/ICMPv6ND_NA(tgt="fe80::2", S=1)/ICMPv6NDOptDstLLAddr(lladdr="00:0a:0b:0c:0d:0e")',
    'IPv6(src="fe80::1")/ICMPv6ND_Redirect(tgt="fe80::3", dst="2001:db8::5")/ICMPv6NDOptRedirectedHdr(pkt=IPv6(%s)/UDP()/Raw(b"abcdefgh"))' % A6,
    'IPv6(src="fe80::1")/ICMPv6ND_NS(tgt="fe80::9")/ICMPv6NDOptUnknown(type=14, data=b"nonce")',
    'IPv6(src="fe80::1")/ICMPv6MLQuery()',
    'IPv6(src="fe80::1")/ICMPv6MLQuery(mladdr="ff02::fb", mrd=500)',
    'IPv6(src="fe80::1")/ICMPv6MLDone(mladdr="ff02::fb")',
    'IPv6(src="fe80::1")/ICMPv6MLQuery2(sources=["2001:db8::1", "2001:db8::2"], QRV=2)',
    'IPv6(src="fe80::1")/ICMPv6MLReport2(records=[ICMPv6MLDMultAddrRec(dst="ff02::fb", sources=["2001:db8::1"])])',
    'IPv6(%s)/IPv6ExtHdrRouting(addresses=["2001:db8::a"])/ICMPv6EchoRequest()' % A6,
    'IPv6(%s)/IPv6ExtHdrDestOpt(options=[HAO(hoa="2001:db8::99")])/ICMPv6EchoRequest()' % A6,
    'IPv6(src="2002:c633:6401::1", dst="2001:0:4136:e378:8000:63bf:3fff:fdd2")/UDP()',
    # Ether's unset dst towards multicast groups: known without traffic.
    'Ether(src="66:77:88:99:aa:bb")/IPv6(src="fe80::1", dst="ff02::1:ff00:1")/ICMPv6ND_NS(tgt="fe80::2")',
    'Ether(src="66:77:88:99:aa:bb")/IPv6(src="fe80::1", dst="ff02::1:ff00:1")',
    'Ether(src="66:77:88:99:aa:bb")/Dot1Q(vlan=3)/IPv6(src="fe80::1", dst="ff02::fb")/UDP(sport=1, dport=2)',
    'Ether(src="66:77:88:99:aa:bb")/IPv6(src="2001:db8::1", dst="ff0e::1:2:3")/UDP(sport=1, dport=2)',
    'Ether(src="66:77:88:99:aa:bb")/IP(src="198.51.100.1", dst="224.0.0.251")/UDP(sport=1, dport=2)',
    'Ether(src="66:77:88:99:aa:bb")/IP(src="198.51.100.1", dst="239.255.255.250")/UDP(sport=1, dport=2)',
    'Ether(src="66:77:88:99:aa:bb")/IP(src="198.51.100.1", dst="224.128.1.2")/ICMP()',
]

# Hex strings dissected as IPv6: garbage, truncations, loops and lies.
INET6_DISSECT = [
    "60000000000811ff20010db800000000000000000000000120010db8000000000000000000000002",
    "6000000000ff00ff20010db800000000000000000000000120010db800000000000000000000000200ff010400000000",
    "6000000000083bff20010db800000000000000000000000120010db80000000000000000000000020000000000000000",
    "6000000000183aff20010db800000000000000000000000120010db8000000000000000000000002870000000000",
    "600000000010002b20010db800000000000000000000000120010db80000000000000000000000023a0000000000000000",
]


def record(e):
    p = eval(e)
    b = raw(p)
    q = p.__class__(b)
    return {
        "expr": e, "hex": b.hex(), "summary": p.summary(), "repr": repr(p),
        # As core.jsonl: the text show() prints (dump=True, then print's newline).
        "show": p.show(dump=True) + "\n", "show2": p.show2(dump=True) + "\n",
        "dissect_expr": "%s(bytes.fromhex('%s'))" % (p.__class__.__name__, b.hex()),
        "dissect_repr": repr(q), "dissect_summary": q.summary(),
    }


def inet6_vectors():
    out = []
    for i, e in enumerate(INET6_EXPRS):
        rec = record(e)
        rec["id"] = "gen6-%03d" % i
        out.append(rec)
    for i, h in enumerate(INET6_DISSECT):
        q = IPv6(bytes.fromhex(h))
        out.append({"id": "gen6-dissect-%03d" % i, "dissect_hex": h,
                    "dissect_repr": repr(q), "dissect_summary": q.summary(),
                    "rebuilt": raw(q).hex()})
    return out


# Request/answer pairs for sr() matching: (request, reply).
MATCH_PAIRS = [
    # ICMPv6 Node Information: a reply answers the query with its nonce, whatever its kind.
    ('IPv6(src="2001:db8::1", dst="2001:db8::2")/ICMPv6NIQueryName(nonce=b"abcdefgh", data="host")',
     'IPv6(src="2001:db8::2", dst="2001:db8::1")/ICMPv6NIReplyName(nonce=b"abcdefgh", data=[3, "host"])'),
    ('IPv6(src="2001:db8::1", dst="2001:db8::2")/ICMPv6NIQueryIPv6(nonce=b"abcdefgh", data="2001:db8::2")',
     'IPv6(src="2001:db8::2", dst="2001:db8::1")/ICMPv6NIReplyIPv6(nonce=b"zzzzzzzz", data=[(60, "2001:db8::2")])'),
    ('IPv6(src="2001:db8::1", dst="2001:db8::2")/ICMPv6NIQueryIPv4(nonce=b"abcdefgh", data="host")',
     'IPv6(src="2001:db8::2", dst="2001:db8::1")/ICMPv6NIReplyRefuse(nonce=b"abcdefgh")'),
    ('Ether(dst="ff:ff:ff:ff:ff:ff", src="00:01:02:03:04:05")/ARP(hwsrc="00:01:02:03:04:05", psrc="198.51.100.1", pdst="198.51.100.2")',
     'Ether(dst="00:01:02:03:04:05", src="00:0a:0b:0c:0d:0e")/ARP(op=2, hwsrc="00:0a:0b:0c:0d:0e", psrc="198.51.100.2", hwdst="00:01:02:03:04:05", pdst="198.51.100.1")'),
    ('ARP(psrc="198.51.100.1", pdst="198.51.100.2", hwsrc="00:01:02:03:04:05")',
     'ARP(op=2, psrc="198.51.100.3", pdst="198.51.100.1", hwsrc="00:01:02:03:04:05")'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/ICMP(id=7, seq=1)',
     'IP(src="198.51.100.2", dst="198.51.100.1")/ICMP(type=0, id=7, seq=1)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/ICMP(id=7, seq=1)',
     'IP(src="198.51.100.2", dst="198.51.100.1")/ICMP(type=0, id=7, seq=2)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/ICMP(id=7, seq=1)',
     'IP(src="198.51.100.9", dst="198.51.100.1")/ICMP(type=0, id=7, seq=1)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/TCP(sport=1234, dport=80, seq=100)',
     'IP(src="198.51.100.2", dst="198.51.100.1")/TCP(sport=80, dport=1234, flags="SA", seq=500, ack=101)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/TCP(sport=1234, dport=80, seq=100)',
     'IP(src="198.51.100.2", dst="198.51.100.1")/TCP(sport=80, dport=1234, flags="RA", seq=0, ack=101)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/TCP(sport=1234, dport=80, seq=100)',
     'IP(src="198.51.100.2", dst="198.51.100.1")/TCP(sport=80, dport=1235, flags="SA", seq=500, ack=101)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/TCP(sport=1234, dport=80, flags="A", seq=101, ack=501)/Raw(b"GET /")',
     'IP(src="198.51.100.2", dst="198.51.100.1")/TCP(sport=80, dport=1234, flags="A", seq=501, ack=106)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/UDP(sport=5000, dport=53)/Raw(b"q")',
     'IP(src="198.51.100.2", dst="198.51.100.1")/UDP(sport=53, dport=5000)/Raw(b"a")'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/UDP(sport=5000, dport=53)',
     'IP(src="198.51.100.9", dst="198.51.100.1")/ICMP(type=3, code=3)/IPerror(src="198.51.100.1", dst="198.51.100.2", proto=17)/UDPerror(sport=5000, dport=53)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2", ttl=1)/TCP(sport=1234, dport=80)',
     'IP(src="198.51.100.7", dst="198.51.100.1")/ICMP(type=11)/IPerror(src="198.51.100.1", dst="198.51.100.2", proto=6)/TCPerror(sport=1234, dport=80)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/ICMP(id=3, seq=4)',
     'IP(src="198.51.100.7", dst="198.51.100.1")/ICMP(type=11)/IPerror(src="198.51.100.1", dst="198.51.100.2", proto=1)/ICMPerror(id=3, seq=4)'),
    ('Ether(dst="00:0a:0b:0c:0d:0e", src="00:01:02:03:04:05")/IP(src="198.51.100.1", dst="198.51.100.2")/ICMP()',
     'Ether(dst="00:01:02:03:04:05", src="00:0a:0b:0c:0d:0e")/IP(src="198.51.100.2", dst="198.51.100.1")/ICMP(type=0)'),
    ('Ether(dst="00:0a:0b:0c:0d:0e", src="00:01:02:03:04:05")/Dot1Q(vlan=5)/IP(src="198.51.100.1", dst="198.51.100.2")/ICMP()',
     'Ether(dst="00:01:02:03:04:05", src="00:0a:0b:0c:0d:0e")/Dot1Q(vlan=5)/IP(src="198.51.100.2", dst="198.51.100.1")/ICMP(type=0)'),
    ('IPv6(%s)/ICMPv6EchoRequest(id=1, seq=2, data=b"abc")' % A6,
     'IPv6(%s)/ICMPv6EchoReply(id=1, seq=2, data=b"abc")' % B6),
    ('IPv6(%s)/ICMPv6EchoRequest(id=1, seq=2, data=b"abc")' % A6,
     'IPv6(%s)/ICMPv6EchoReply(id=1, seq=2, data=b"abd")' % B6),
    ('IPv6(src="fe80::1", dst="ff02::1")/ICMPv6EchoRequest(id=1)',
     'IPv6(src="fe80::2", dst="fe80::1")/ICMPv6EchoReply(id=1)'),
    ('IPv6(src="fe80::1", dst="ff02::1:ff00:2")/ICMPv6ND_NS(tgt="fe80::2")',
     'IPv6(src="fe80::2", dst="fe80::1")/ICMPv6ND_NA(tgt="fe80::2", S=1)'),
    ('IPv6(src="fe80::1", dst="ff02::1:ff00:2")/ICMPv6ND_NS(tgt="fe80::2")',
     'IPv6(src="fe80::2", dst="fe80::1")/ICMPv6ND_NA(tgt="fe80::3", S=1)'),
    ('IPv6(src="fe80::1", dst="ff02::2")/ICMPv6ND_RS()',
     'IPv6(src="fe80::9", dst="ff02::1")/ICMPv6ND_RA()'),
    ('IPv6(%s)/TCP(sport=1234, dport=22, seq=1)' % A6,
     'IPv6(%s)/TCP(sport=22, dport=1234, flags="SA", ack=2)' % B6),
    ('IPv6(%s)/UDP(sport=5000, dport=53)' % A6,
     'IPv6(%s)/UDP(sport=53, dport=5000)' % B6),
    ('IPv6(%s)/UDP(sport=5000, dport=53)' % A6,
     'IPv6(src="2001:db8::ff", dst="2001:db8::1")/ICMPv6DestUnreach(code=4)/IPerror6(%s)/UDPerror(sport=5000, dport=53)' % A6),
    ('IPv6(%s, hlim=1)/TCP(sport=1234, dport=80)' % A6,
     'IPv6(src="2001:db8::ff", dst="2001:db8::1")/ICMPv6TimeExceeded()/IPerror6(%s, hlim=1)/TCPerror(sport=1234, dport=80)' % A6),
    ('IPv6(%s)/IPv6ExtHdrFragment(id=9)/UDP(sport=5000, dport=53)' % A6,
     'IPv6(%s)/UDP(sport=53, dport=5000)' % B6),
    ('IPv6(%s)/IPv6ExtHdrRouting(addresses=["2001:db8::a"])/UDP(sport=5000, dport=53)' % A6,
     'IPv6(src="2001:db8::a", dst="2001:db8::1")/UDP(sport=53, dport=5000)'),
    ('IPv6(%s)/IPv6ExtHdrHopByHop()/UDP(sport=5000, dport=53)' % A6,
     'IPv6(%s)/UDP(sport=53, dport=5000)' % B6),
    ('IPv6(src="fe80::1")/ICMPv6MLQuery()',
     'IPv6(src="fe80::2", dst="ff02::1")/ICMPv6MLReport(mladdr="ff02::fb")'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/IPv6(%s)/ICMPv6EchoRequest()' % A6,
     'IP(src="198.51.100.2", dst="198.51.100.1")/IPv6(%s)/ICMPv6EchoReply()' % B6),
    # Core protocols beyond the first thirty: RARP, ICMP's other request/reply pairs,
    # errors quoting TCP over IPv6, tunnels, tags and cooked captures, Mobile IPv6 discovery.
    ('ARP(op=3, hwsrc="00:01:02:03:04:05", hwdst="00:01:02:03:04:05", psrc="0.0.0.0", pdst="0.0.0.0")',
     'ARP(op=4, hwsrc="00:0a:0b:0c:0d:0e", hwdst="00:01:02:03:04:05", psrc="198.51.100.9", pdst="0.0.0.0")'),
    ('ARP(psrc="198.51.100.1", pdst="198.51.100.2", hwsrc="00:01:02:03:04:05")',
     'ARP(op=1, psrc="198.51.100.2", pdst="198.51.100.1", hwsrc="00:0a:0b:0c:0d:0e")'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/ICMP(type=13, id=2, seq=3, ts_ori=1, ts_rx=2, ts_tx=3)',
     'IP(src="198.51.100.2", dst="198.51.100.1")/ICMP(type=14, id=2, seq=3, ts_ori=1, ts_rx=4, ts_tx=5)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/ICMP(type=17, id=4, seq=5)',
     'IP(src="198.51.100.2", dst="198.51.100.1")/ICMP(type=18, id=4, seq=5, addr_mask="255.255.255.0")'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/ICMP(type=15, id=6, seq=7)',
     'IP(src="198.51.100.2", dst="198.51.100.1")/ICMP(type=16, id=6, seq=7)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/ICMP(type=8, id=6, seq=7)',
     'IP(src="198.51.100.2", dst="198.51.100.1")/ICMP(type=14, id=6, seq=7, ts_ori=1, ts_rx=2, ts_tx=3)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2", options=[IPOption_RR(routers=["192.0.2.1"])])/TCP(sport=1234, dport=80, seq=5)',
     'IP(src="198.51.100.2", dst="198.51.100.1")/TCP(sport=80, dport=1234, flags="SA", ack=6)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/TCP(sport=1234, dport=80, seq=5, options=[("MSS", 1460), ("SAckOK", b"")])',
     'IP(src="198.51.100.2", dst="198.51.100.1")/TCP(sport=80, dport=1234, flags="SA", seq=77, ack=6, options=[("MSS", 1400)])'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/TCP(sport=1234, dport=80, seq=5)',
     'IP(src="198.51.100.9", dst="198.51.100.1")/ICMP(type=3, code=13)/IPerror(src="198.51.100.1", dst="198.51.100.2", proto=6)/TCPerror(sport=1234, dport=80, seq=5)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/TCP(sport=1234, dport=80, seq=5)',
     'IP(src="198.51.100.9", dst="198.51.100.1")/ICMP(type=3, code=13)/IPerror(src="198.51.100.1", dst="198.51.100.2", proto=6)/TCPerror(sport=1234, dport=81, seq=5)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/UDP(sport=5000, dport=53)',
     'IP(src="198.51.100.9", dst="198.51.100.1")/ICMP(type=4)/IPerror(src="198.51.100.1", dst="198.51.100.2", proto=17)/UDPerror(sport=5000, dport=53)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/GRE()/IP(src="192.0.2.1", dst="192.0.2.2")/ICMP(id=1)',
     'IP(src="198.51.100.2", dst="198.51.100.1")/GRE()/IP(src="192.0.2.2", dst="192.0.2.1")/ICMP(type=0, id=1)'),
    ('IP(src="198.51.100.1", dst="198.51.100.2")/IP(src="192.0.2.1", dst="192.0.2.2")/UDP(sport=1, dport=2)',
     'IP(src="198.51.100.2", dst="198.51.100.1")/IP(src="192.0.2.2", dst="192.0.2.1")/UDP(sport=2, dport=1)'),
    ('Ether(dst="00:0a:0b:0c:0d:0e", src="00:01:02:03:04:05")/Dot1AD(vlan=100)/Dot1Q(vlan=5)/IP(src="198.51.100.1", dst="198.51.100.2")/ICMP()',
     'Ether(dst="00:01:02:03:04:05", src="00:0a:0b:0c:0d:0e")/Dot1AD(vlan=100)/Dot1Q(vlan=5)/IP(src="198.51.100.2", dst="198.51.100.1")/ICMP(type=0)'),
    ('Ether(dst="00:0a:0b:0c:0d:0e", src="00:01:02:03:04:05")/Dot1Q(vlan=5)/IP(src="198.51.100.1", dst="198.51.100.2")/ICMP()',
     'Ether(dst="00:01:02:03:04:05", src="00:0a:0b:0c:0d:0e")/Dot1Q(vlan=6)/IP(src="198.51.100.2", dst="198.51.100.1")/ICMP(type=0)'),
    ('CookedLinux(pkttype=4)/IP(src="198.51.100.1", dst="198.51.100.2")/UDP(sport=5000, dport=53)',
     'CookedLinux(pkttype=0)/IP(src="198.51.100.2", dst="198.51.100.1")/UDP(sport=53, dport=5000)'),
    ('Loopback()/IP(src="198.51.100.1", dst="198.51.100.2")/ICMP()',
     'Loopback()/IP(src="198.51.100.2", dst="198.51.100.1")/ICMP(type=0)'),
    ('IPv6(%s)/TCP(sport=1234, dport=80)' % A6,
     'IPv6(src="2001:db8::ff", dst="2001:db8::1")/ICMPv6PacketTooBig(mtu=1280)/IPerror6(%s)/TCPerror(sport=1234, dport=80)' % A6),
    ('IPv6(%s)/UDP(sport=5000, dport=53)' % A6,
     'IPv6(src="2001:db8::ff", dst="2001:db8::1")/ICMPv6ParamProblem(code=1, ptr=40)/IPerror6(%s)/UDPerror(sport=5000, dport=53)' % A6),
    ('IPv6(%s)/ICMPv6HAADRequest(id=7)' % A6,
     'IPv6(%s)/ICMPv6HAADReply(id=7, addresses=["2001:db8::a"])' % B6),
    ('IPv6(%s)/ICMPv6HAADRequest(id=7)' % A6,
     'IPv6(%s)/ICMPv6HAADReply(id=8)' % B6),
    ('IPv6(%s)/ICMPv6MPSol(id=9)' % A6,
     'IPv6(%s)/ICMPv6MPAdv(id=9)/ICMPv6NDOptPrefixInfo(prefix="2001:db8:1::")' % B6),
    ('IPv6(src="fe80::1", dst="ff02::1:ff00:2")/ICMPv6ND_NS(tgt="fe80::2")/ICMPv6NDOptSrcLLAddr(lladdr="00:01:02:03:04:05")',
     'IPv6(src="fe80::2", dst="fe80::1")/ICMPv6ND_NA(tgt="fe80::2", S=1)/ICMPv6NDOptDstLLAddr(lladdr="00:0a:0b:0c:0d:0e")'),
    ('IPv6(%s)/IPv6ExtHdrDestOpt()/ICMPv6EchoRequest(id=3)' % A6,
     'IPv6(%s)/ICMPv6EchoReply(id=3)' % B6),
    ('IPv6(%s)/GRE()/IPv6(%s)/ICMPv6EchoRequest(id=4)' % (A6, A6),
     'IPv6(%s)/GRE()/IPv6(%s)/ICMPv6EchoReply(id=4)' % (B6, B6)),
]


def match_vectors():
    out = []
    for req_e, rep_e in MATCH_PAIRS:
        req, rep = eval(req_e), eval(rep_e)
        dreq, drep = req.__class__(raw(req)), rep.__class__(raw(rep))
        out.append({
            "request": req_e, "reply": rep_e,
            "request_hex": raw(req).hex(), "reply_hex": raw(rep).hex(),
            "hashret_request": req.hashret().hex(), "hashret_reply": rep.hashret().hex(),
            "hashret_request_dissected": dreq.hashret().hex(),
            "hashret_reply_dissected": drep.hashret().hex(),
            "answers": bool(rep.answers(req)), "answers_reversed": bool(req.answers(rep)),
            "answers_dissected": bool(drep.answers(dreq)),
        })
    return out


# Fragmentation: fragment(), defragment() and fragment6() on packets built from expressions
# (the Rust test parses them) or dissected from bytes; each case records the resulting
# packets (repr, bytes) and the warnings Scapy logs.
U4 = 'src="198.51.100.1", dst="198.51.100.2"'
LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


def data(n):
    return (LETTERS * (n // len(LETTERS) + 1))[:n]


FRAGMENT_CASES = [
    ('IP(%s, id=7)/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (U4, data(50)), 24),
    ('IP(%s, id=7)/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (U4, data(50)), 1480),
    ('IP(%s, id=7)/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (U4, data(3000)), 1480),
    ('IP(%s, id=7)/TCP(sport=1234, dport=4321)/Raw(b"%s")' % (U4, data(60)), 20),
    ('IP(%s, id=7)/ICMP()/Raw(b"%s")' % (U4, data(40)), 3),
    ('IP(%s, id=7)/ICMP()/Raw(b"%s")' % (U4, data(40)), -5),
    ('IP(%s, id=9, flags="DF", frag=4)/Raw(b"%s")' % (U4, data(30)), 16),
    ('IP(%s, id=9, flags="MF")/Raw(b"%s")' % (U4, data(30)), 16),
    ('IP(%s, id=9, ttl=3, tos=8, options=[IPOption_RR(routers=["192.0.2.1"])])/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (U4, data(40)), 24),
    ('Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")/IP(%s, id=3)/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (U4, data(40)), 32),
    ('IP(%s, id=3)' % U4, 8),
    ('IP(%s, id=3)/Raw(b"")' % U4, 8),
    ('IP(%s, id=3)/Raw(b"abc")' % U4, 8),
    ('IP(%s, id=3)/Raw(b"%s")' % (U4, data(16)), 16),
    ('IP(%s, id=3)/Raw(b"%s")' % (U4, data(17)), 16),
    ('IP(src="198.51.100.1", dst=["198.51.100.2", "198.51.100.3"], id=[1, 2])/Raw(b"%s")' % data(20), 8),
    ('IP(%s, id=5)/IP(src="192.0.2.1", dst="192.0.2.2")/UDP(sport=1, dport=2)/Raw(b"%s")' % (U4, data(30)), 24),
    ('IPv6(src="2001:db8::1", dst="2001:db8::2")/IP(%s, id=5)/Raw(b"%s")' % (U4, data(30)), 16),
    ('Ether()/ARP()', 8),
    ('IPv6()/UDP()', 8),
]

# defragment() inputs: ("frag", expr, size, [indices]) the fragments of a case (picked in
# that order), ("fraghex", class, expr, size, [indices]) the same fragments' bytes dissected
# as class, ("expr", expr) a packet, ("hex", class, hex) bytes dissected.
P1 = 'IP(%s, id=7)/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (U4, data(50))
P2 = 'IP(%s, id=8)/TCP(sport=1234, dport=4321)/Raw(b"%s")' % (U4, data(40))
P3 = ('Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")/IP(%s, id=3)/UDP(sport=1000, dport=2000)/Raw(b"%s")'
      % (U4, data(20)))
P4 = 'IP(%s, id=9, proto=17)/Raw(b"%s")' % (U4, data(40))
DEFRAGMENT_CASES = [
    [("frag", P1, 24, [0, 1, 2])],
    [("frag", P1, 24, [2, 1, 0])],
    [("fraghex", "IP", P1, 24, [0, 1, 2])],
    [("fraghex", "IP", P1, 24, [1, 2, 0])],
    [("expr", 'IP(%s)/ICMP()' % U4), ("frag", P1, 24, [0]),
     ("expr", 'Ether(dst="ff:ff:ff:ff:ff:ff", src="00:01:02:03:04:05")/ARP(hwsrc="00:01:02:03:04:05", psrc="198.51.100.1", pdst="198.51.100.2")'),
     ("frag", P2, 16, [1, 0]), ("frag", P1, 24, [1]), ("expr", 'Raw(b"x")'),
     ("frag", P1, 24, [2]), ("frag", P2, 16, [2])],
    [("frag", P1, 24, [0, 2])],
    [("frag", P1, 24, [1, 2])],
    [("frag", P1, 24, [0, 1])],
    [("frag", P1, 24, [0, 1, 1, 2])],
    [("frag", P1, 24, [0, 0, 1, 2])],
    [("fraghex", "IP", P1, 24, [0, 1]), ("frag", P1, 24, [1, 2])],
    [("fraghex", "Ether", P3, 16, [0, 1])],
    [("fraghex", "Ether", P3, 16, [1, 0])],
    [("frag", P4, 16, [0, 1, 2])],
    [("frag", P1, 24, [0]), ("frag", P1.replace("id=7", "id=6"), 24, [1, 2]), ("frag", P1, 24, [1, 2])],
    [("frag", P1, 24, [0, 1]), ("expr", 'IP(%s, id=7, proto=17, frag=6)/Raw(b"%s")' % (U4, data(4)))],
    [("expr", 'IP(%s, id=7, proto=17, frag=6)/Raw(b"%s")' % (U4, data(4)))],
    [("expr", 'IP(%s, id=7, flags="MF")' % U4), ("expr", 'IP(%s, id=7, frag=0)/Raw(b"end")' % U4)],
    [("expr", 'IP(%s, id=7, flags="MF")' % U4), ("expr", 'IP(%s, id=7, frag=1)/Raw(b"end")' % U4)],
    [("expr", 'IP(%s, id=7, flags="MF")/Raw(b"%s")' % (U4, data(8))),
     ("expr", 'IP(%s, id=7, frag=8191)/Raw(b"end")' % U4)],
    [("hex", "IP", "4500001c000720004011ffffc6336401c633640203e807d0"),
     ("hex", "IP", "45000014000700014011ffffc6336401c6336402")],
    [("hex", "IP", "4500ffff0007200040110000c6336401c633640203e807d0aaaaaaaa"),
     ("hex", "IP", "4f00001c000700034011ffffc6336401c63364020101010101010101")],
]

FRAGMENT6_CASES = [
    ('IPv6(%s)/IPv6ExtHdrFragment(id=5)/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (A6, data(100)), 90),
    ('IPv6(%s)/IPv6ExtHdrFragment(id=5)/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (A6, data(100)), 1280),
    ('IPv6(%s)/IPv6ExtHdrFragment(id=5)/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (A6, data(100)), 93),
    ('IPv6(%s)/IPv6ExtHdrHopByHop()/IPv6ExtHdrFragment(id=6, nh=17)/Raw(b"%s")' % (A6, data(60)), 80),
    ('Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")/IPv6(%s)/IPv6ExtHdrFragment(id=7)/TCP(sport=1234, dport=4321)/Raw(b"%s")' % (A6, data(70)), 70),
    ('IPv6(%s)/IPv6ExtHdrFragment(id=8)/ICMPv6EchoRequest(data=b"%s")' % (A6, data(64)), 56),
    ('IPv6(%s)/IPv6ExtHdrFragment(id=5)/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (A6, data(100)), 50),
    ('IPv6(%s)/IPv6ExtHdrFragment(id=5)/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (A6, data(100)), 52),
    ('IPv6(%s)/IPv6ExtHdrFragment(id=5)/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (A6, data(100)), 56),
    ('IPv6(%s)/IPv6ExtHdrFragment(id=5)/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (A6, data(100)), 57),
    ('IPv6(%s)/IPv6ExtHdrFragment(id=5)' % A6, 20),
    ('IPv6(%s)/IPv6ExtHdrFragment(id=5, offset=3, m=1)/Raw(b"%s")' % (A6, data(40)), 64),
    ('IPv6(%s)/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (A6, data(100)), 90),
    ('IPv6(%s)/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (A6, data(10)), 1280),
    ('IPv6(%s)/IPv6ExtHdrFragment()/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (A6, data(100)), 90),
    ('IP(%s)/UDP()' % U4, 8),
    ('IPv6(%s)/IPv6ExtHdrFragment(id=5)/Raw(b"%s")' % (A6, data(70000)), 1280),
    ('IPv6ExtHdrFragment(id=5)/Raw(b"%s")' % data(40), 24),
]


# defragment6() inputs: ("frag6", expr, size, [indices]) fragments of fragment6() (with an
# explicit id, so the bytes are stable), ("expr", expr), ("hex", class, hex).
F6 = 'IPv6(%s)/IPv6ExtHdrFragment(id=5)/UDP(sport=1000, dport=2000)/Raw(b"%s")' % (A6, data(100))
F6B = ('IPv6(%s)/IPv6ExtHdrHopByHop()/IPv6ExtHdrFragment(id=6)/ICMPv6EchoRequest(data=b"%s")'
       % (A6, data(80)))
F6E = ('Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")/IPv6(%s)/IPv6ExtHdrFragment(id=7)/TCP(sport=1234, dport=4321)/Raw(b"%s")'
       % (A6, data(70)))
DEFRAGMENT6_CASES = [
    [("frag6", F6, 90, [0, 1, 2])],
    [("frag6", F6, 90, [2, 0, 1])],
    [("frag6", F6, 90, [0, 2])],
    [("frag6", F6, 90, [1, 2])],
    [("frag6", F6, 90, [0])],
    [("frag6", F6, 90, [0, 1, 1, 2])],
    [("frag6", F6B, 70, [0, 1, 2, 3])],
    [("frag6", F6E, 70, [1, 0, 2])],
    [("frag6", F6, 90, [0]), ("frag6", F6B, 70, [1]), ("frag6", F6, 90, [1, 2])],
    [("expr", 'IPv6(%s)/UDP()' % A6)],
    [],
    [("expr", 'IPv6(%s)/IPv6ExtHdrFragment(id=1, m=0)/Raw(b"whole")' % A6)],
    [("hex", "IPv6", "6000000000103a4020010db800000000000000000000000120010db80000000000000000000000023a0000010000000980000000000000000000")],
]


def defrag6_input(spec):
    out, items = [], []
    for s in spec:
        if s[0] == "frag6":
            fr = fragment6(eval(s[1]), s[2])
            for i in s[3]:
                out.append(fr[i])
                items.append({"kind": "frag6", "expr": s[1], "size": s[2], "index": i})
        elif s[0] == "expr":
            out.append(eval(s[1]))
            items.append({"kind": "expr", "expr": s[1]})
        else:
            out.append(globals()[s[1]](bytes.fromhex(s[2])))
            items.append({"kind": "hex", "class": s[1], "hex": s[2]})
    return out, items


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__()
        self.seen = []

    def emit(self, record):
        self.seen.append(record.getMessage())


def with_warnings(f):
    h = _Warnings()
    log = logging.getLogger("scapy")
    log.addHandler(h)
    try:
        try:
            res = f()
        except Exception as ex:  # noqa: BLE001
            res = "ERROR: %s: %s" % (type(ex).__name__, ex)
    finally:
        log.removeHandler(h)
    return res, h.seen


def packets(lst):
    # defragment() in Scapy 2.8 puts the fragments of a datagram it cannot reassemble in its
    # result as (fragment, byte offset, length) tuples: recorded as such.
    out = []
    for x in lst:
        if isinstance(x, tuple):
            out.append({"tuple": [repr(x[0]), x[1], x[2]], "repr": repr(x), "hex": raw(x[0]).hex()})
        else:
            out.append({"repr": repr(x), "hex": raw(x).hex()})
    return out


def defrag_input(spec):
    out, items = [], []
    for s in spec:
        if s[0] == "frag":
            fr = fragment(eval(s[1]), s[2])
            for i in s[3]:
                out.append(fr[i])
                items.append({"kind": "frag", "expr": s[1], "size": s[2], "index": i})
        elif s[0] == "fraghex":
            fr = fragment(eval(s[2]), s[3])
            for i in s[4]:
                h = raw(fr[i]).hex()
                out.append(globals()[s[1]](bytes.fromhex(h)))
                items.append({"kind": "hex", "class": s[1], "hex": h})
        elif s[0] == "expr":
            out.append(eval(s[1]))
            items.append({"kind": "expr", "expr": s[1]})
        else:
            out.append(globals()[s[1]](bytes.fromhex(s[2])))
            items.append({"kind": "hex", "class": s[1], "hex": s[2]})
    return out, items


def frag_vectors():
    conf.warning_threshold = 0
    # fragment6() draws the ids it fills in: a fixed seed keeps the file stable.
    random.seed(6)
    out = []
    for i, (e, size) in enumerate(FRAGMENT_CASES):
        res, w = with_warnings(lambda: packets(fragment(eval(e), size)))
        out.append({"id": "frag-%03d" % i, "op": "fragment", "expr": e, "size": size,
                    "result": res, "warnings": w})
    for i, spec in enumerate(DEFRAGMENT_CASES):
        lst, items = defrag_input(spec)
        res, w = with_warnings(lambda: defragment(lst))
        out.append({"id": "defrag-%03d" % i, "op": "defragment", "input": items,
                    "result": packets(res), "list_repr": attempt(lambda: repr(res)), "warnings": w})
    for i, spec in enumerate(DEFRAGMENT6_CASES):
        lst, items = defrag6_input(spec)
        res, w = with_warnings(lambda: defragment6(lst))
        # An empty list when nothing was fragmented, else one packet.
        res = res if isinstance(res, (list, str)) else [res]
        out.append({"id": "defrag6-%03d" % i, "op": "defragment6", "input": items,
                    "result": res if isinstance(res, str) else packets(res), "warnings": w})
    for i, (e, size) in enumerate(FRAGMENT6_CASES):
        res, w = with_warnings(lambda: packets(fragment6(eval(e), size)))
        out.append({"id": "frag6-%03d" % i, "op": "fragment6", "expr": e, "size": size,
                    "result": res, "warnings": w})
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "engine_fields.jsonl"), "w") as f:
        for rec in field_vectors():
            f.write(json.dumps(rec) + "\n")
    with open(os.path.join(OUT, "engine_display.jsonl"), "w") as f:
        for rec in display_vectors():
            f.write(json.dumps(rec) + "\n")
    with open(os.path.join(OUT, "engine_ls.json"), "w") as f:
        json.dump(class_vectors(), f, indent=1)
    with open(os.path.join(OUT, "engine_sets.json"), "w") as f:
        json.dump(set_vectors(), f, indent=1)
    with open(os.path.join(OUT, "engine_inet6.jsonl"), "w") as f:
        for rec in inet6_vectors():
            f.write(json.dumps(rec) + "\n")
    with open(os.path.join(OUT, "engine_match.jsonl"), "w") as f:
        for rec in match_vectors():
            f.write(json.dumps(rec) + "\n")
    with open(os.path.join(OUT, "engine_frag.jsonl"), "w") as f:
        for rec in frag_vectors():
            f.write(json.dumps(rec) + "\n")
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
