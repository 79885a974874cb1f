#!/usr/bin/env python3
"""Generates the core protocols' vectors from Scapy 2.8 (tests/data/core_vectors.jsonl).

Run with the reference venv:  target/scapy-venv/bin/python scripts/gen-core-vectors.py
(from the repository root), then scripts/gen-vectors-campaign.py to refresh the campaign
made from the same data (campaigns/selftest/vectors_protocols.uts).

One vector (or more) per IP option class, TCP option, ICMP type/code family, ICMPv6 type,
Neighbor Discovery option, IPv6 extension header, GRE flag combination and link-layer
header (SLL/SLL2, loopback, 802.1Q/802.1ad): each records what the reference vectors of
../shared/vectors/core.jsonl record (bytes, summary, repr, show, show2, and the repr and
summary of the bytes dissected again). Every address is a documentation address (lab.md)
and every MAC explicit, so nothing is resolved from the host.
"""
import json
import os
import sys

from scapy.all import *  # noqa: F401,F403
from scapy.all import conf, raw

conf.verb = 0

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "core_vectors.jsonl")

A4 = 'src="198.51.100.1", dst="198.51.100.2"'
B4 = 'src="198.51.100.2", dst="198.51.100.1"'
A6 = 'src="2001:db8::1", dst="2001:db8::2"'
B6 = 'src="2001:db8::2", dst="2001:db8::1"'
LL6 = 'src="fe80::1", dst="ff02::1"'
ETH = 'Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")'
TS = "ts_ori=45296789, ts_rx=45296790, ts_tx=45296791"

# (tag, [expressions])
FAMILIES = []


def family(tag, exprs):
    FAMILIES.append((tag, exprs))


# --- Layer 2 ---
family("l2", [
    ETH + '/IP(%s)/UDP(sport=1, dport=2)' % A4,
    ETH + '/ARP(hwsrc="66:77:88:99:aa:bb", psrc="198.51.100.1", pdst="198.51.100.2")',
    ETH + '/ARP(op="is-at", hwsrc="00:11:22:33:44:55", psrc="198.51.100.2", hwdst="66:77:88:99:aa:bb", pdst="198.51.100.1")',
    'ARP(op=3, hwsrc="66:77:88:99:aa:bb", psrc="198.51.100.1", hwdst="00:11:22:33:44:55", pdst="198.51.100.2")',
    'ARP(hwtype=6, ptype=0x86dd, hwlen=6, plen=16, hwsrc="66:77:88:99:aa:bb", hwdst="00:11:22:33:44:55", psrc="2001:db8::1", pdst="2001:db8::2")',
    'Dot3(dst="01:80:c2:00:00:00", src="66:77:88:99:aa:bb")/LLC(dsap=0xaa, ssap=0xaa, ctrl=3)/SNAP(OUI=0, code=0x800)/IP(%s)' % A4,
    'Dot3(dst="01:80:c2:00:00:00", src="66:77:88:99:aa:bb")/LLC()/Raw(b"payload")',
    ETH + '/LLC(dsap=0xaa, ssap=0xaa, ctrl=3)/SNAP(OUI=0x00000c, code=0x2000)/Raw(b"cdp")',
    ETH + '/Dot1Q(vlan=10, prio=5)/IP(%s)/ICMP()' % A4,
    ETH + '/Dot1Q(vlan=10)/Dot1Q(vlan=20)/IP(%s)/UDP(sport=1, dport=2)' % A4,
    ETH + '/Dot1AD(vlan=100)/Dot1Q(vlan=20)/IP(%s)/TCP(sport=1, dport=2)' % A4,
    ETH + '/Dot1AD(vlan=100, dei=1, prio=3)/Dot1AD(vlan=200)/Dot1Q(vlan=7)/ARP(hwsrc="66:77:88:99:aa:bb", psrc="198.51.100.1", pdst="198.51.100.2")',
    ETH + '/Dot1Q(vlan=4094, dei=1)/IPv6(%s)/UDP(sport=1, dport=2)' % A6,
    'CookedLinux(pkttype=0, lladdrlen=6, src=b"\\x66\\x77\\x88\\x99\\xaa\\xbb\\x00\\x00")/IP(%s)/TCP(sport=1, dport=2)' % A4,
    'CookedLinux(pkttype=4, lladdrtype=1, lladdrlen=6, src=b"\\x66\\x77\\x88\\x99\\xaa\\xbb\\x00\\x00", proto=0x86dd)/IPv6(%s)/ICMPv6EchoRequest()' % A6,
    'CookedLinux(pkttype="broadcast", proto=0x806)/ARP(hwsrc="66:77:88:99:aa:bb", psrc="198.51.100.1", pdst="198.51.100.2")',
    'CookedLinux(pkttype=2, src=b"abcdefgh")',
    'CookedLinuxV2(ifindex=3, pkttype=0, lladdrlen=6, src=b"\\x66\\x77\\x88\\x99\\xaa\\xbb\\x00\\x00")/IP(%s)/UDP(sport=1, dport=2)' % A4,
    'CookedLinuxV2(proto=0x86dd, ifindex=2, lladdrtype=1, pkttype=4, lladdrlen=6, src=b"\\x00\\x11\\x22\\x33\\x44\\x55\\x00\\x00")/IPv6(%s)/UDP(sport=1, dport=2)' % A6,
    'CookedLinuxV2(pkttype="multicast", proto=0x806)/ARP(hwsrc="66:77:88:99:aa:bb", psrc="198.51.100.1", pdst="198.51.100.2")',
    'Loopback()/IP(%s)/ICMP()' % A4,
    'Loopback(type=24)/IPv6(%s)/UDP(sport=1, dport=2)' % A6,
    'Loopback(type=30)/IPv6(%s)/ICMPv6EchoRequest()' % A6,
    'Loopback(type=7)/Raw(b"other")',
    ETH + '/Raw(b"abc")',
])

# --- IPv4 options: one per class, raw bytes, and mixtures ---
family("ipopt", [
    'IP(%s, options=[IPOption_EOL()])' % A4,
    'IP(%s, options=[IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_EOL()])' % A4,
    'IP(%s, options=[IPOption_RR(routers=["192.0.2.1", "192.0.2.2"])])/ICMP()' % A4,
    'IP(%s, options=[IPOption_RR(pointer=8, routers=["192.0.2.1", "0.0.0.0"])])' % A4,
    'IP(%s, options=[IPOption_LSRR(routers=["192.0.2.1", "192.0.2.2"])])/UDP(sport=1, dport=2)' % A4,
    'IP(%s, options=[IPOption_SSRR(routers=["192.0.2.9"])])/TCP(sport=1, dport=2)' % A4,
    'IP(%s, options=[IPOption_Timestamp(flg=0, timestamp=1000)])' % A4,
    'IP(%s, options=[IPOption_Timestamp(flg=1, internet_address="192.0.2.1", timestamp=5)])' % A4,
    'IP(%s, options=[IPOption_Timestamp(flg=3, internet_address="192.0.2.3", timestamp=7, oflw=2)])' % A4,
    'IP(%s, options=[IPOption_Router_Alert()])/ICMP()' % A4,
    'IP(%s, options=[IPOption_Router_Alert(alert=1)])' % A4,
    'IP(%s, options=[IPOption_Security(security=0x789a, compartment=1, handling_restrictions=2, transmission_control_code=b"abc")])' % A4,
    'IP(%s, options=[IPOption_Stream_Id(security=0x1234)])' % A4,
    'IP(%s, options=[IPOption_MTU_Probe(mtu=1500)])' % A4,
    'IP(%s, options=[IPOption_MTU_Reply(mtu=576)])' % A4,
    'IP(%s, options=[IPOption_Traceroute(id=1, outbound_hops=2, return_hops=3, originator_ip="198.51.100.7")])' % A4,
    'IP(%s, options=[IPOption_Address_Extension(src_ext="192.0.2.1", dst_ext="192.0.2.2")])' % A4,
    'IP(%s, options=[IPOption_SDBM(addresses=["192.0.2.1", "192.0.2.2", "192.0.2.3"])])' % A4,
    'IP(%s, options=[IPOption(option=25, value=b"\\x01\\x02")])' % A4,
    'IP(%s, options=[IPOption(copy_flag=1, optclass=2, option=30, value=b"xyz")])' % A4,
    'IP(%s, options=b"\\x94\\x04\\x00\\x00")/UDP(sport=1, dport=2)' % A4,
    'IP(%s, options=b"\\x01\\x07\\x07\\x04\\xc0\\x00\\x02\\x01")' % A4,
    'IP(%s, options=[IPOption_NOP(), IPOption_Router_Alert(), IPOption_MTU_Probe(mtu=1280)])/TCP(sport=1, dport=2)' % A4,
    'IP(%s, options=[IPOption_Security(), IPOption_EOL()])' % A4,
])

# --- TCP options, each kind, unknown kinds as raw, and flags ---
family("tcpopt", [
    'IP(%s)/TCP(sport=1234, dport=80, options=[("MSS", 1460)])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[("WScale", 7)])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[("SAckOK", b"")])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[("SAck", (100, 200))])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[("SAck", (1, 2, 3, 4, 5, 6))])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[("Timestamp", (12345, 0))])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[("MD5", b"0123456789abcdef")])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[("AltChkSum", (1, 0x1234))])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[("AltChkSumOpt", b"")])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[("Mood", b":)")])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[("UTO", 300)])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[("AO", TCPAOValue(keyid=1, rnextkeyid=2, mac=b"0123456789ab"))])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[("TFO", b"")])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[("TFO", b"cookie12")])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[("NOP", None), ("NOP", None), ("EOL", None)])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[(99, b"xy")])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[(254, b"\\xf9\\x89")])' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None), ("WScale", 7)])' % A4,
    'IPv6(%s)/TCP(sport=1234, dport=443, options=[("MSS", 1440), ("NOP", None), ("WScale", 8)])' % A6,
    'IP(%s)/TCP(sport=20, dport=21, flags="FSRPAUECN")' % A4,
    'IP(%s)/TCP(sport=80, dport=1234, flags="SA", seq=1, ack=2, window=65535)' % B4,
    'IP(%s)/TCP(sport=80, dport=1234, flags="R")' % B4,
    'IP(%s)/TCP(sport=1234, dport=80, flags="PA", urgptr=3)/Raw(b"GET / HTTP/1.0\\r\\n\\r\\n")' % A4,
    'IP(%s)/TCP(sport=1234, dport=80, flags=0)' % A4,
    'IP(%s)/UDP(sport=5353, dport=5353)/Raw(b"mdns")' % A4,
    'IP(%s)/UDP(sport=1, dport=2, chksum=0)' % A4,
    'IPv6(%s)/UDP(sport=547, dport=546)' % A6,
])

# --- ICMP: every type, every code family, the variants, the error quoting layers ---
icmp = []
for t in [0, 4, 8, 9, 10, 15, 16, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39]:
    icmp.append('IP(%s)/ICMP(type=%d, id=1, seq=2)' % (A4, t))
for c in range(16):
    icmp.append('IP(%s)/ICMP(type=3, code=%d)/IPerror(%s, proto=17)/UDPerror(sport=1000, dport=53)' % (B4, c, A4))
for c in range(4):
    icmp.append('IP(%s)/ICMP(type=5, code=%d, gw="198.51.100.254")/IPerror(%s)/ICMPerror()' % (B4, c, A4))
for c in range(2):
    icmp.append('IP(%s)/ICMP(type=11, code=%d)/IPerror(%s, proto=6)/TCPerror(sport=1234, dport=80)' % (B4, c, A4))
for c in range(3):
    icmp.append('IP(%s)/ICMP(type=12, code=%d, ptr=8)/IPerror(%s)' % (B4, c, A4))
for c in range(6):
    icmp.append('IP(%s)/ICMP(type=40, code=%d)' % (A4, c))
icmp += [
    'IP(%s)/ICMP(type=13, id=5, seq=6, %s)' % (A4, TS),
    'IP(%s)/ICMP(type=14, id=5, seq=6, %s)' % (B4, TS),
    'IP(%s)/ICMP(type=17, id=3, seq=4)' % A4,
    'IP(%s)/ICMP(type=18, id=3, seq=4, addr_mask="255.255.255.0")' % B4,
    'IP(%s)/ICMP(type=3, code=4, nexthopmtu=1400)/IPerror(%s, flags="DF")/TCPerror(sport=1, dport=2)' % (B4, A4),
    'IP(%s)/ICMP(type=3, code=1, unused=0)/IPerror(%s)/UDPerror()/Raw(b"12345678")' % (B4, A4),
    'IP(%s)/ICMP(type=11, length=4)/IPerror(%s)/ICMPerror(id=9, seq=10)' % (B4, A4),
    'IP(%s)/ICMP(type=9, unused=0x01020304)' % B4,
    'IP(%s)/ICMP(type=100, code=7)' % A4,
    'IP(%s)/ICMP()/Raw(b"abcdefgh")' % A4,
]
family("icmp", icmp)

# --- ICMPv6: every type and code family ---
icmp6 = []
for c in range(8):
    icmp6.append('IPv6(%s)/ICMPv6DestUnreach(code=%d)/IPerror6(%s)/UDPerror(sport=1, dport=2)' % (B6, c, A6))
for c in range(2):
    icmp6.append('IPv6(%s)/ICMPv6TimeExceeded(code=%d)/IPerror6(%s)/TCPerror(sport=1, dport=2)' % (B6, c, A6))
for c in range(4):
    icmp6.append('IPv6(%s)/ICMPv6ParamProblem(code=%d, ptr=6)/IPerror6(%s)' % (B6, c, A6))
icmp6 += [
    'IPv6(%s)/ICMPv6PacketTooBig(mtu=1280)/IPerror6(%s)/ICMPv6EchoRequest()' % (B6, A6),
    'IPv6(%s)/ICMPv6EchoRequest(id=1, seq=2, data=b"hello")' % A6,
    'IPv6(%s)/ICMPv6EchoReply(id=1, seq=2, data=b"hello")' % B6,
    'IPv6(src="fe80::1", dst="ff02::2")/ICMPv6ND_RS()',
    'IPv6(src="fe80::1", dst="ff02::1")/ICMPv6ND_RA(M=1, O=1, H=1, prf="High", P=1, reachabletime=3, retranstimer=4)',
    'IPv6(src="fe80::1", dst="ff02::1:ff00:2")/ICMPv6ND_NS(tgt="fe80::2")',
    'IPv6(src="fe80::2", dst="fe80::1")/ICMPv6ND_NA(tgt="fe80::2", R=0, S=1, O=0)',
    'IPv6(src="fe80::1", dst="fe80::2")/ICMPv6ND_Redirect(tgt="fe80::3", dst="2001:db8::9")',
    'IPv6(%s)/ICMPv6MLQuery(mladdr="ff02::fb")' % LL6,
    'IPv6(%s)/ICMPv6MLReport(mladdr="ff02::fb")' % LL6,
    'IPv6(%s)/ICMPv6MLDone(mladdr="ff02::fb")' % LL6,
    'IPv6(%s)/ICMPv6MLQuery2(mladdr="ff02::fb", S=1, QRV=3, QQIC=10)' % LL6,
    'IPv6(%s)/ICMPv6MLReport2(records=[ICMPv6MLDMultAddrRec(rtype=4, dst="ff02::fb"), ICMPv6MLDMultAddrRec(dst="ff02::1:3", sources=["2001:db8::1", "2001:db8::2"])])' % LL6,
    # Node Information (RFC 4620): the subject's encoding gives a query its code; a reply's
    # data is read by its qtype.
    'IPv6(%s)/ICMPv6NIQueryNOOP(nonce=b"\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08")' % A6,
    'IPv6(%s)/ICMPv6NIQueryName(nonce=b"abcdefgh", data="2001:db8::2")' % A6,
    'IPv6(%s)/ICMPv6NIQueryName(nonce=b"abcdefgh", data="host.example.")' % A6,
    'IPv6(%s)/ICMPv6NIQueryIPv6(nonce=b"abcdefgh", data="198.51.100.1")' % A6,
    'IPv6(%s)/ICMPv6NIQueryIPv4(nonce=b"abcdefgh", data="2001:db8::2")' % A6,
    'IPv6(%s)/ICMPv6NIReplyNOOP(nonce=b"abcdefgh")' % B6,
    'IPv6(%s)/ICMPv6NIReplyName(nonce=b"abcdefgh", data=[3, "host.example."])' % B6,
    'IPv6(%s)/ICMPv6NIReplyIPv6(nonce=b"abcdefgh", data=[(60, "2001:db8::2")])' % B6,
    'IPv6(%s)/ICMPv6NIReplyIPv4(nonce=b"abcdefgh", data=[(60, "198.51.100.2")])' % B6,
    'IPv6(%s)/ICMPv6NIReplyRefuse(nonce=b"abcdefgh")' % B6,
    'IPv6(%s)/ICMPv6NIReplyUnknown(nonce=b"abcdefgh")' % B6,
    'IPv6(%s)/ICMPv6NIQueryName(nonce=b"abcdefgh", data="host")' % A6,
    'IPv6(%s)/ICMPv6NIQueryIPv4(nonce=b"abcdefgh", flags="A", data=b"a.b.example")' % A6,
    'IPv6(%s)/ICMPv6NIQueryIPv6(nonce=b"abcdefgh", flags="TACLSG", data="2001:db8::2")' % A6,
    'IPv6(%s)/ICMPv6NIReplyName(nonce=b"abcdefgh", data=[600, "host.", "host.example.", "h2"])' % B6,
    'IPv6(%s)/ICMPv6NIReplyIPv6(nonce=b"abcdefgh", flags="A", data=[(60, "2001:db8::2"), "fe80::1"])' % B6,
    'IPv6(%s)/ICMPv6NIReplyIPv4(nonce=b"abcdefgh", data="198.51.100.2")' % B6,
    'IPv6(%s)/ICMPv6NIReplyNOOP(nonce=b"abc", qtype=9, data=b"opaque")' % B6,
] + [
    # Node Information bytes as they may arrive: the class by type, code and qtype; a
    # qtype no class knows, an address cut short or an unknown reply code is Raw; a
    # refusal's or a NOOP's trailing bytes are a payload; names cut short are dropped.
    'IPv6(%s, nh=58)/Raw(b"%s")' % (NI6, "".join("\\x" + h[i:i + 2] for i in range(0, len(h), 2)))
    for NI6, h in [
        (A6, "8b01000000010000616263646566676800"),
        (A6, "8b00000000020000616263646566676820010db8"),
        (A6, "8b01000000020000616263646566676804686f737407"),
        (A6, "8b0000000000000061626364656667680102"),
        (B6, "8c010000000300006162636465666768000000"),
        (B6, "8c000000000500006162636465666768abcd"),
        (B6, "8c030000000000006162636465666768"),
        (B6, "8c0000000002000061626364656667680000000301610001620000016300"),
        (B6, "8c0000000004000061626364656667680000003cc6336402000000"),
        (B6, "8c000000000300006162636465666768000000"),
    ]
] + [
    'IPv6(%s)/ICMPv6HAADRequest(id=7)' % A6,
    'IPv6(%s)/ICMPv6HAADReply(id=7, addresses=["2001:db8::a", "2001:db8::b"])' % B6,
    'IPv6(%s)/ICMPv6MPSol(id=8)' % A6,
    'IPv6(%s)/ICMPv6MPAdv(id=8)/ICMPv6NDOptPrefixInfo(prefix="2001:db8:1::")' % B6,
    'IPv6(%s)/ICMPv6MRD_Advertisement(advinter=30, queryint=125, robustness=2)' % LL6,
    'IPv6(%s)/ICMPv6MRD_Solicitation()' % LL6,
    'IPv6(%s)/ICMPv6MRD_Termination()' % LL6,
    'IPv6(%s)/ICMPv6ND_INDSol()/ICMPv6NDOptSrcLLAddr(lladdr="66:77:88:99:aa:bb")/ICMPv6NDOptDstLLAddr(lladdr="00:11:22:33:44:55")' % LL6,
    'IPv6(%s)/ICMPv6ND_INDAdv()/ICMPv6NDOptSrcLLAddr(lladdr="66:77:88:99:aa:bb")' % LL6,
    'IPv6(%s)/ICMPv6Unknown(type=200, code=1, msgbody=b"body")' % A6,
]
family("icmp6", icmp6)

# --- Neighbor Discovery options, each type ---
RA = 'IPv6(src="fe80::1", dst="ff02::1")/ICMPv6ND_RA()'
family("ndopt", [
    RA + '/ICMPv6NDOptSrcLLAddr(lladdr="66:77:88:99:aa:bb")',
    'IPv6(src="fe80::2", dst="fe80::1")/ICMPv6ND_NA(tgt="fe80::2")/ICMPv6NDOptDstLLAddr(lladdr="00:11:22:33:44:55")',
    RA + '/ICMPv6NDOptPrefixInfo(prefix="2001:db8:1::", prefixlen=64, L=0, validlifetime=600, preferredlifetime=300)',
    'IPv6(src="fe80::1", dst="fe80::2")/ICMPv6ND_Redirect(tgt="fe80::3", dst="2001:db8::9")/ICMPv6NDOptRedirectedHdr(pkt=IPv6(%s)/ICMPv6EchoRequest())' % A6,
    RA + '/ICMPv6NDOptMTU(mtu=9000)',
    'IPv6(%s)/ICMPv6ND_INDSol()/ICMPv6NDOptSrcAddrList(addrlist=["2001:db8::1", "2001:db8::2"])' % LL6,
    'IPv6(%s)/ICMPv6ND_INDAdv()/ICMPv6NDOptTgtAddrList(addrlist=["2001:db8::5"])' % LL6,
    RA + '/ICMPv6NDOptAdvInterval(advint=1000)',
    RA + '/ICMPv6NDOptHAInfo(pref=1, lifetime=2)',
    RA + '/ICMPv6NDOptIPAddr(optcode=1, plen=64, addr="2001:db8::7")',
    RA + '/ICMPv6NDOptNewRtrPrefix(prefix="2001:db8:2::", plen=48)',
    RA + '/ICMPv6NDOptLLA(optcode=2, lla="66:77:88:99:aa:bb")',
    RA + '/ICMPv6NDOptMAP(dist=2, pref=3, R=0, validlifetime=100, addr="2001:db8::8")',
    RA + '/ICMPv6NDOptRouteInfo(prefix="2001:db8:3::", plen=64, prf="High", rtlifetime=60)',
    RA + '/ICMPv6NDOptRDNSS(lifetime=60, dns=["2001:db8::53"])',
    RA + '/ICMPv6NDOptEFA()',
    RA + '/ICMPv6NDOptDNSSL(lifetime=60, searchlist=["example.com.", "lab.example."])',
    RA + '/ICMPv6NDOptCaptivePortal(URI=b"https://portal.example/")',
    RA + '/ICMPv6NDOptPREF64(scaledlifetime=100, plc=1, prefix="64:ff9b::")',
    RA + '/ICMPv6NDOptShortcutLimit(shortcutlim=5)',
    RA + '/ICMPv6NDOptUnknown(type=250, data=b"abcdef")',
    RA + '/ICMPv6NDOptSrcLLAddr(lladdr="66:77:88:99:aa:bb")/ICMPv6NDOptMTU()/ICMPv6NDOptPrefixInfo(prefix="2001:db8:4::")/ICMPv6NDOptRDNSS(dns=["2001:db8::53", "2001:db8::54"])',
])

# --- IPv6 extension headers ---
family("exthdr", [
    'IPv6(%s)/IPv6ExtHdrHopByHop()/UDP(sport=1, dport=2)' % A6,
    'IPv6(%s)/IPv6ExtHdrHopByHop(options=[Pad1(), Pad1()])/UDP(sport=1, dport=2)' % A6,
    'IPv6(%s)/IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\\x00\\x00\\x00\\x00")])/TCP(sport=1, dport=2)' % A6,
    'IPv6(%s)/IPv6ExtHdrHopByHop(options=[RouterAlert(value=2)])/ICMPv6MLReport(mladdr="ff02::fb")' % LL6,
    'IPv6(%s)/IPv6ExtHdrHopByHop(options=[Jumbo(jumboplen=100000)])/UDP(sport=1, dport=2)' % A6,
    'IPv6(%s)/IPv6ExtHdrHopByHop(options=[HBHOptUnknown(otype=0x1e, optdata=b"\\x01\\x02")])' % A6,
    'IPv6(%s)/IPv6ExtHdrDestOpt(options=[HAO(hoa="2001:db8::99")])/ICMPv6EchoRequest()' % A6,
    'IPv6(%s)/IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\\x00\\x00"), HBHOptUnknown(otype=0xc2, optdata=b"zz")])/UDP(sport=1, dport=2)' % A6,
    'IPv6(%s)/IPv6ExtHdrRouting(addresses=["2001:db8::a", "2001:db8::b", "2001:db8::c"])/TCP(sport=1, dport=2)' % A6,
    'IPv6(%s)/IPv6ExtHdrRouting(type=2, addresses=["2001:db8::a"], segleft=1)/UDP(sport=1, dport=2)' % A6,
    'IPv6(%s)/IPv6ExtHdrSegmentRouting(addresses=["2001:db8::a", "2001:db8::b"], lastentry=1, tag=5)/UDP(sport=1, dport=2)' % A6,
    'IPv6(%s)/IPv6ExtHdrSegmentRouting(addresses=["2001:db8::a"], tlv_objects=[IPv6ExtHdrSegmentRoutingTLVIngressNode(ingress_node="2001:db8::1")])/IPv6(%s)/UDP(sport=1, dport=2)' % (A6, B6),
    'IPv6(%s)/IPv6ExtHdrFragment(id=0xabcd, offset=0, m=1)/UDP(sport=1, dport=2)' % A6,
    'IPv6(%s)/IPv6ExtHdrFragment(id=0xabcd, offset=185, m=0)/Raw(b"rest of it")' % A6,
    'IPv6(%s)/IPv6ExtHdrHopByHop()/IPv6ExtHdrRouting(addresses=["2001:db8::a"])/IPv6ExtHdrDestOpt()/IPv6ExtHdrFragment(id=1)/TCP(sport=1, dport=2)' % A6,
    'IPv6(%s, nh=59)' % A6,
])

# --- GRE: flag combinations, routing entries, over IPv4 and IPv6; IP-in-IP ---
family("gre", [
    'IP(%s)/GRE()/IP(%s)/ICMP()' % (A4, B4),
    'IP(%s)/GRE(chksum_present=1)/IP(%s)/UDP(sport=1, dport=2)' % (A4, B4),
    'IP(%s)/GRE(key_present=1, key=0x1234)/IP(%s)' % (A4, B4),
    'IP(%s)/GRE(seqnum_present=1, sequence_number=77)/IP(%s)' % (A4, B4),
    'IP(%s)/GRE(chksum_present=1, key_present=1, key=9, seqnum_present=1, sequence_number=10)/IP(%s)/TCP(sport=1, dport=2)' % (A4, B4),
    'IP(%s)/GRE(key_present=1, key=1, seqnum_present=1, sequence_number=2)/IPv6(%s)/UDP(sport=1, dport=2)' % (A4, A6),
    'IP(%s)/GRE(proto=0x6558)/Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")/IP(%s)/ICMP()' % (A4, B4),
    'IP(%s)/GRE(routing_present=1)/GRErouting(address_family=0x800, SRE_offset=0, routing_info=b"\\xc0\\x00\\x02\\x01")/GRErouting()/IP(%s)' % (A4, B4),
    'IP(%s)/GRE(chksum_present=1, routing_present=1, offset=4)/GRErouting(address_family=0x800, routing_info=b"\\xc0\\x00\\x02\\x01")/GRErouting()/IP(%s)' % (A4, B4),
    'IP(%s)/GRE(recursion_control=2, version=0, proto=0x800, strict_route_source=1)/IP(%s)' % (A4, B4),
    'IPv6(%s)/GRE()/IPv6(%s)/ICMPv6EchoRequest()' % (A6, B6),
    'IPv6(%s)/GRE(key_present=1, key=0xfeedbeef)/IP(%s)/UDP(sport=1, dport=2)' % (A6, A4),
    'IP(%s)/IP(%s)/UDP(sport=1, dport=2)' % (A4, B4),
    'IP(%s)/IPv6(%s)/TCP(sport=1, dport=2)' % (A4, A6),
    'IPv6(%s)/IP(%s)/ICMP()' % (A6, A4),
])


def shown(f):
    # Scapy 2.8's show() fails on IP options given as raw bytes: such vectors have none.
    try:
        return f(dump=True) + "\n"
    except AttributeError:
        return None


def record(e):
    p = eval(e)
    b = raw(p)
    q = p.__class__(b)
    return {
        "expr": e, "hex": b.hex(), "summary": p.summary(), "repr": repr(p),
        # As core.jsonl: the text show() prints (dump=True, then print's newline).
        "show": shown(p.show), "show2": shown(p.show2),
        "dissect_expr": "%s(bytes.fromhex('%s'))" % (p.__class__.__name__, b.hex()),
        "dissect_repr": repr(q), "dissect_summary": q.summary(),
    }


def main():
    out, bad = [], []
    for tag, exprs in FAMILIES:
        for i, e in enumerate(exprs):
            try:
                rec = record(e)
            except Exception as ex:  # noqa: BLE001
                bad.append("%s: %s: %s" % (e, type(ex).__name__, ex))
                continue
            rec["id"] = "%s-%03d" % (tag, i)
            rec["tag"] = tag
            out.append(rec)
    for b in bad:
        print("FAILED IN SCAPY:", b, file=sys.stderr)
    with open(OUT, "w") as f:
        for rec in out:
            f.write(json.dumps(rec, sort_keys=True) + "\n")
    print("wrote %d vectors to %s" % (len(out), OUT), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
