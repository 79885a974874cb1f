#!/usr/bin/env python3
"""Generates the application protocols' vectors from Scapy 2.8 (tests/data/app_vectors.jsonl)
and the campaign made from them (campaigns/selftest/vectors_app.uts).

Run with the reference venv:  target/scapy-venv/bin/python scripts/gen-app-vectors.py
(from the repository root).

Two kinds of vectors, for DNS, BOOTP/DHCP and ISAKMP:
- "build": an expression, as in tests/data/core_vectors.jsonl (bytes, summary, repr, show,
  show2, and the repr and summary of the bytes dissected again);
- "dissect": bytes given as hex (compressed DNS names, truncated and malformed input),
  dissected by a class: the repr, summary and show() of what the reference makes of them.
  Inputs on which the reference raises are not vectors (wirecraft never raises there).
Every address is a documentation address (lab.md) and every MAC explicit.
"""
import json
import os
import sys

from scapy.all import *  # noqa: F401,F403
from scapy.all import conf, raw

conf.verb = 0

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "tests", "data", "app_vectors.jsonl")
UTS = os.path.join(ROOT, "campaigns", "selftest", "vectors_app.uts")

A4 = 'src="198.51.100.1", dst="198.51.100.2"'
ETH = 'Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")'
MAC = 'b"\\x66\\x77\\x88\\x99\\xaa\\xbb"'
HDR = "000001000001000000000000"  # a DNS query header with one question

BUILD = []
DISSECT = []


def build(tag, exprs):
    BUILD.append((tag, exprs))


def dissect(tag, cases):
    DISSECT.append((tag, cases))


# --- DNS ---
build("dns", [
    'DNS()',
    'DNSQR()',
    'DNSRR()',
    'IP(%s)/UDP()/DNS(rd=1, qd=DNSQR(qname="www.slashdot.org"))' % A4,
    'IP(%s)/UDP(sport=1234)/DNS(id=7, qd=[DNSQR(qname="a.example", qtype="AAAA"), DNSQR(qname=b"b.example.", qtype=255, qclass="CH")])' % A4,
    'DNS(id=1, qr=1, rd=1, ra=1, qd=DNSQR(qname="www.slashdot.org"), an=DNSRR(rrname="www.slashdot.org", rdata="203.0.113.20", ttl=60))',
    'DNS(qr=1, an=DNSRR(rrname="x.example", type="AAAA", rdata="2001:db8::1"))',
    'DNS(qr=1, an=DNSRR(rrname="x.example", type="TXT", rdata=["hello", b"world"]))',
    'DNS(qr=1, an=DNSRR(rrname="x.example", type="TXT", rdata="hello"))',
    'DNSRR(type="TXT", rdata="%s")' % ("x" * 300),
    'DNSRR(type="TXT")',
    'DNSRR(type="TXT", rdata=[])',
    'DNSRR(type="CNAME")',
    'DNSRR(type="AAAA")',
    'DNS(qr=1, an=DNSRR(rrname="x.example", type="NS", rdata="ns.example"))',
    'DNS(qr=1, an=DNSRR(rrname="x.example", type="PTR", rdata="ptr.example."))',
    'DNS(qr=1, an=DNSRR(rrname="x.example", type="CNAME", rdata="y.example", ttl=300, rclass="CH", cacheflush=1))',
    'DNS(qr=1, an=DNSRR(rrname="x.example", type=99, rdata=b"\\x01\\x02"))',
    'DNS(qr=1, an=DNSRRMX(rrname="x.example", preference=10, exchange="mx.example"))',
    'DNS(qr=1, aa=1, ns=DNSRRSOA(rrname="example", mname="ns.example", rname="root.example", serial=1, refresh=2, retry=3, expire=4, minimum=5))',
    'DNS(qr=1, an=DNSRRSRV(rrname="_sip._tcp.example", priority=1, weight=2, port=5060, target="sip.example"))',
    'DNS(ar=DNSRROPT(rdata=[EDNS0TLV(optcode=10, optdata=b"12345678")]))',
    'DNS(ar=DNSRROPT(rdata=[EDNS0TLV(optcode=3, optdata=b"")]))',
    'DNS(ar=DNSRROPT())',
    'DNS(ar=DNSRROPT(rdata=[EDNS0COOKIE(client_cookie=b"abcdefgh", server_cookie=b"12345678")]))',
    'DNS(qr=1, ar=DNSRROPT(rdata=[EDNS0ExtendedDNSError(info_code=18, extra_text=b"lab")]))',
    'DNS(ar=DNSRROPT(rdata=[EDNS0ClientSubnet(), EDNS0ClientSubnet(address="198.51.100.0", source_plen=24)]))',
    'DNS(ar=DNSRROPT(rdata=[EDNS0ClientSubnet(family=2, address="2001:db8::"), EDNS0ClientSubnet(source_plen=32, address="198.51.100.0"), EDNS0ClientSubnet(address="198.51.100.7", scope_plen=5)]))',
    'DNS(ar=DNSRROPT(rdata=[EDNS0DAU(alg_code=[8, 13]), EDNS0DHU(alg_code=[1, 2]), EDNS0N3U(alg_code=[1])]))',
    'DNS(ar=DNSRROPT(rdata=[EDNS0PADDING(padding=b"\\x00\\x00\\x00\\x00"), EDNS0OWN()]))',
    'DNS(ar=DNSRROPT(rdata=[EDNS0OWN(optlen=14, wakeup_mac="00:11:22:33:44:55"), EDNS0OWN(optlen=18, password=b"abcd")]))',
    'DNSRRRSIG(expiration=1700000000, inception=0, signersname="example", signature=b"sig")',
    'DNSRRRSIG()',
    'DNSRRDNSKEY(publickey=b"key")',
    'DNSRRDNSKEY(flags=257, algorithm=13, publickey=b"key")',
    'DNSRRNSEC(nextname="b.example", typebitmaps=[1, 2, 46, 47, 65535])',
    'DNSRRNSEC(typebitmaps=[1, 1234])',
    'DNSRRNSEC3(salt=b"ab", nexthashedownername=b"hash", typebitmaps=[1, 46])',
    'DNSRRNSEC3(hashalg=1, flags=1, iterations=10, saltlength=2, salt=b"ab", hashlength=4, nexthashedownername=b"hash", typebitmaps=[1, 28])',
    'DNSRRNSEC3PARAM(hashalg=1, saltlength=2, salt=b"ab")',
    'DNSRRTSIG(time_signed=1700000000, mac_data=b"mac")',
    'DNSRRTSIG()',
    'DNSRRHINFO(cpu=b"x86", os=b"linux")',
    'DNSRRNAPTR(order=1, flags=b"S", services=b"SIP+D2U", replacement="_sip._udp.example")',
    'DNSRRDS(keytag=12345, algorithm=8, digesttype=2, digest=b"\\x01\\x02")',
    'DNS(id=8, qr=1, ad=1, qd=DNSQR(qname="example", qtype="DNSKEY"), an=[DNSRRDNSKEY(rrname="example", flags=257, algorithm=13, publickey=b"pk"), DNSRRRSIG(rrname="example", typecovered=48, algorithm=13, labels=1, originalttl=3600, expiration=1700000000, inception=1690000000, keytag=4242, signersname="example", signature=b"sg")], ns=DNSRRNSEC(rrname="example", nextname="a.example", typebitmaps=[2, 6, 46, 47, 48]))',
    'DNSRRHTTPS(rrname="example", svc_priority=1, target_name=".", svc_params=[SvcParam(key="alpn", value=[b"h2", b"h3"]), SvcParam(key="port", value=443), SvcParam(key="ipv4hint", value=["198.51.100.1"]), SvcParam(key="ipv6hint", value=["2001:db8::1"]), SvcParam(key="mandatory", value=["alpn"]), SvcParam(key="ech", value=b"xx"), SvcParam(key=9, value=b"yy"), SvcParam(key="no-default-alpn")])',
    'DNSRRSVCB(rrname="_dns.example", svc_priority=2, target_name="dns.example", svc_params=[SvcParam(key="alpn", value=["dot"]), SvcParam(key="dohpath", value=b"/q{?dns}")])',
    'DNS(qr=1, qd=DNSQR(qname="example", qtype="HTTPS"), an=DNSRRHTTPS(rrname="example", svc_priority=1, svc_params=[SvcParam(key="alpn", value=[b"h2"])]))',
    'DNS(rcode=3, qr=1, qd=DNSQR(qname="nx.example"))',
    'DNS(qr=1, rcode=2)',
    'DNS(qr=1, rcode=3, an=DNSRR())',
    'DNS(qr=1, an=[DNSRR(rdata="198.51.100.4"), DNSRR(rdata="198.51.100.5")])',
    'DNS(opcode=2, z=1, ad=1, cd=1, tc=1, aa=1)',
    'DNS(qd=[])',
    'DNSQR(qname="")',
    'DNSQR(qname="a..b")',
    'DNSQR(qname="%s")' % ("a" * 70),
    'IP(%s)/TCP(sport=1234, dport=53)/DNS(qd=DNSQR(qname="a.example"))' % A4,
    'IP(%s)/TCP(sport=53, dport=1234)/DNS(id=3, qr=1, qd=DNSQR(qname="a.example"), an=DNSRR(rrname="a.example", rdata="198.51.100.7"))' % A4,
    'IP(src="198.51.100.1", dst="224.0.0.251")/UDP(sport=5353, dport=5353)/DNS(qd=DNSQR(qname="a.local", unicastresponse=1))',
    'IP(%s)/UDP(sport=1, dport=5353)/DNS(qr=1, an=DNSRR(rrname="a.local", rdata="198.51.100.9", cacheflush=1))' % A4,
    ETH + '/IP(%s)/UDP(sport=53, dport=4000)/DNS(id=9, qr=1, qd=DNSQR(qname="www.target.com"), an=DNSRR(rrname="www.target.com", rdata="203.0.113.20"))' % A4,
])

dissect("dns_wire", [
    # Compressed names: an answer pointing at the question, a CNAME pointing into it.
    ("DNS", "0001810000010001000000000161076578616d706c650000010001c00c000500010000000000040162c00e"),
    ("DNS", "00028180000100010000000003777777076578616d706c6503636f6d0000010001c00c0001000100000e100004cb007114"),
    # SOA with both names compressed, MX with its exchange compressed, SRV target.
    ("DNS", "000381800001000000010000076578616d706c650000060001c00c00060001000000000020026e73c00c04726f6f74c00c0000000100000002000000030000000400000005"),
    ("DNS", "000481800001000100000000076578616d706c6500000f0001c00c000f000100000000000600050178c00c"),
    ("DNS", "0005818000010001000000000474657374076578616d706c650000210001c00c0021000100000000000a0001000213c40173c011"),
    # OPT with a cookie and an unknown option; OPT with an extended error.
    ("DNS", "00000100000100000000000103777777076578616d706c6503636f6d0000010001000029100000008000001800" "0a00083132333435363738" "00630004" "61626364"),
    ("DNS", "000081000000000000000001000029100000000000000900" "0f0005001268656c"),
    # Over TCP (the length first), over UDP and TCP ports.
    ("TCP", "0001003500000000000000005002200000000000001b0000010000010000000000000161076578616d706c650000010001"),
    ("UDP", "14e914e90021ef8b0000010000010000000000000161056c6f63616c0000018001"),
    # Responses compressed by Scapy 2.8's DNS.compress(): DNSSEC records, MX/SRV/SOA.
    ("DNS", raw(DNS(id=8, qr=1, qd=DNSQR(qname="example", qtype="DNSKEY"), an=[DNSRRDNSKEY(rrname="example", flags=257, algorithm=13, publickey=b"pk"), DNSRRRSIG(rrname="example", typecovered=48, algorithm=13, labels=1, originalttl=3600, expiration=1700000000, inception=1690000000, keytag=4242, signersname="example", signature=b"sg")], ns=DNSRRNSEC(rrname="example", nextname="a.example", typebitmaps=[2, 6, 46, 47, 48])).compress()).hex()),
    ("DNS", raw(DNS(id=9, qr=1, qd=DNSQR(qname="example", qtype="ALL"), an=[DNSRRMX(rrname="example", preference=5, exchange="mx.example"), DNSRRSRV(rrname="_x._tcp.example", target="srv.example"), DNSRR(rrname="www.example", type="CNAME", rdata="example")], ns=DNSRRSOA(rrname="example", mname="ns.example", rname="root.example")).compress()).hex()),
    # Surplus after the counted records, and records the counts leave out.
    ("DNS", HDR + "0161000001000178797a"),
    ("DNS", "000001000000000000000000" + "0161000001000101620000010001"),
])

dissect("dns_malformed", [
    # A pointer to itself, a pointer loop after a label, a pointer past the end.
    ("DNS", HDR + "c00c00010001"),
    ("DNS", HDR + "0161c00e00010001"),
    ("DNS", HDR + "c0ff00010001"),
    # A pointer loop between two answers' names.
    ("DNS", "000081000000000200000000" + "c01800010001000000000000" + "c00c00010001000000000000"),
    # More questions counted than present; a truncated name; a label past the end.
    ("DNS", "000001000005000000000000" + "0161000001000101620000010001"),
    ("DNS", HDR + "056162"),
    # Label bytes misread as lengths (a name that is not one), 0x40 and 0x80 as pointers.
    ("DNS", "000281800001000100000000037777770765786d706c6503636f6d0000010001c00c0001000100000e100004cb007114"),
    ("DNS", HDR + "8001000100010001"),
    ("DNS", HDR + "4161"),
    ("DNS", HDR + "40"),
    # A record cut in its data; rdlen past the end; a TXT string past rdlen.
    ("DNS", "000081000000000100000000" + "00000100010000000000040102"),
    ("DNS", "000081000000000100000000" + "000010000100000000000905616263"),
    ("DNS", "000081000000000100000000" + "000010000100000000000309616263"),
    ("DNS", "000081000000000100000000" + "0000050001000000000002c0"),
])

# --- BOOTP / DHCP ---
DISCOVER = ('Ether(dst="ff:ff:ff:ff:ff:ff", src="66:77:88:99:aa:bb")/IP(src="0.0.0.0", dst="255.255.255.255")'
            '/UDP(sport=68, dport=67)/BOOTP(chaddr=%s)' % MAC)
OFFER = ('Ether(dst="66:77:88:99:aa:bb", src="00:11:22:33:44:55")/IP(src="198.51.100.1", dst="198.51.100.50")'
         '/UDP(sport=67, dport=68)/BOOTP(op=2, xid=5, yiaddr="198.51.100.50", siaddr="198.51.100.1", chaddr=%s)' % MAC)
build("dhcp", [
    'BOOTP()',
    'BOOTP(chaddr=b"\\x01\\x02\\x03")',
    'BOOTP(chaddr=b"\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08")',
    'BOOTP(chaddr=b"0123456789abcdef", sname=b"srv", file=b"boot")',
    'BOOTP(htype=6, chaddr=b"\\x01\\x02\\x03\\x04\\x05\\x06")',
    'BOOTP(flags="B", xid=0x12345678, secs=3, hops=1, ciaddr="198.51.100.3", giaddr="198.51.100.1")',
    'BOOTP(options=b"abcd")',
    'UDP(sport=68, dport=67)/BOOTP()',
    'BOOTP()/DHCP()',
    DISCOVER + '/DHCP(options=[("message-type", 1), "end"])',
    DISCOVER + '/DHCP(options=[("message-type", "discover"), ("param_req_list", [1, 3, 6, 15]), "end"])',
    OFFER + '/DHCP(options=[("message-type", 2), ("server_id", "198.51.100.1"), ("lease_time", 3600), ("subnet_mask", "255.255.255.0"), ("router", "198.51.100.1"), "end"])',
    'DHCP(options=[("message-type", 3), ("router", "198.51.100.1", "198.51.100.2"), ("name_server", "198.51.100.3"), "end"])',
    'DHCP(options=[("message-type", "request"), ("requested_addr", "198.51.100.50"), ("lease_time", 60), ("max_dhcp_size", 1500), "pad", "pad", "end"])',
    'DHCP(options=[("vendor_class_id", "MSFT 5.0"), (200, b"xy"), "end"])',
    'DHCP(options=[("message-type", 99), "end", "pad"])',
    'DHCP(options=[("subnet_mask", "255.255.255.0"), ("domain", "lab."), ("renewal_time", 10), ("rebinding_time", 20), ("NTP_server", "198.51.100.9"), "end"])',
    'DHCP(options=[("hostname", b"lab"), ("client_id", b"\\x01\\x66\\x77"), ("message-type", 5), "end"])',
    'DHCP(options=[("message-type", 8), ("time_zone", 3600), ("boot-size", 10), ("ip-forwarding", 1), "end"])',
])
dissect("dhcp_wire", [
    ("DHCP", "0135ff"), ("DHCP", "3501"), ("DHCP", "35"), ("DHCP", "3505010203"),
    ("DHCP", "330201"), ("DHCP", "ff0000"), ("DHCP", "00003501"), ("DHCP", "3201c6"),
    ("DHCP", "3302010135010235ff"), ("DHCP", "330800000001000000023501ff"),
    ("DHCP", "0108ffffff00ffff0000ff"), ("DHCP", "37000c00ff"), ("DHCP", "0c00ff"),
    ("DHCP", "3500ff"), ("DHCP", "3c00ff"), ("DHCP", "3502010235ff"), ("DHCP", "c8"),
    ("DHCP", "c801"), ("DHCP", "350106ff"), ("DHCP", "35010dff"),
    ("BOOTP", "01010600" + "00" * 232),
    ("BOOTP", "0201060000000005" + "00" * 228 + "63825363350102ff"),
    ("BOOTP", "01010600" + "00" * 232 + "78797a"),
])

# --- ISAKMP ---
build("isakmp", [
    'ISAKMP()',
    'ISAKMP_payload_SA()',
    'ISAKMP_payload_Proposal()',
    'ISAKMP_payload_Transform()',
    'ISAKMP_payload()',
    'IP(src="198.51.100.10", dst="203.0.113.20")/UDP()/ISAKMP(init_cookie=b"ABCDEFGH", exch_type="identity protection")/ISAKMP_payload_SA(prop=ISAKMP_payload_Proposal())',
    'ISAKMP(init_cookie=b"ABCDEFGH", exch_type=2)/ISAKMP_payload_SA(prop=ISAKMP_payload_Proposal())',
    'ISAKMP(init_cookie=b"ABCDEFGH", resp_cookie=b"12345678", exch_type="aggressive", flags="encryption+commit", id=7)',
    'ISAKMP_payload_Proposal(trans=ISAKMP_payload_Transform(transforms=[("Encryption", "AES-CBC"), ("KeyLength", 128), ("Hash", "SHA"), ("GroupDesc", "1024MODPgr"), ("Authentication", "PSK"), ("LifeType", "Seconds"), ("LifeDuration", 86400)]))',
    'ISAKMP(init_cookie=b"ABCDEFGH")/ISAKMP_payload_SA(prop=ISAKMP_payload_Proposal(trans_nb=1, trans=ISAKMP_payload_Transform(transforms=[("Encryption", "3DES-CBC"), ("Hash", "MD5"), ("Authentication", "RSA Sig"), ("GroupDesc", "2048MODPgr"), ("LifeType", "Kilobytes"), ("LifeDuration", 1000)])))',
    'ISAKMP_payload_Transform(transforms=[("Encryption", 7), ("GroupPrime", 23), ("LifeDuration", 0x10000)])',
    'ISAKMP_payload_Proposal(proto="IPSEC_ESP", SPI=b"\\x01\\x02\\x03\\x04", trans=ISAKMP_payload_Transform(transform_id=3))',
    'ISAKMP(init_cookie=b"ABCDEFGH")/ISAKMP_payload(load=b"vendor")',
    'ISAKMP(next_payload=13, init_cookie=b"ABCDEFGH")/ISAKMP_payload(load=b"vendor")',
    'ISAKMP()/ISAKMP_payload_SA()/ISAKMP_payload_VendorID(VendorID=b"x")',
    'ISAKMP(next_payload=6)/Raw(b"\\x00\\x00\\x00\\x08abcd")',
    'ISAKMP(exch_type=5)/ISAKMP_payload_Notify(notify_msg_type=14, SPI=b"\\x01\\x02", notify_data=b"data")',
    'ISAKMP()/ISAKMP_payload_KE(ke=b"key")/ISAKMP_payload_Nonce(nonce=b"nonce")/ISAKMP_payload_VendorID(VendorID=b"\\x09\\x00\\x26\\x89\\xdf\\xd6\\xb7\\x12")',
    'ISAKMP()/ISAKMP_payload_ID(IdentData="198.51.100.1")/ISAKMP_payload_Hash(hash=b"h")/ISAKMP_payload_SIG(sig=b"s")',
    'ISAKMP()/ISAKMP_payload_ID(IDtype=11, IdentData=b"keyid")',
    'ISAKMP()/ISAKMP_payload_Delete(SPIs=[b"\\x01\\x02\\x03\\x04", b"\\x05\\x06\\x07\\x08"])',
    'IP(src="198.51.100.10", dst="203.0.113.20")/UDP(sport=500, dport=500)/ISAKMP(init_cookie=b"ABCDEFGH", resp_cookie=b"IJKLMNOP", next_payload=11)/ISAKMP_payload_Notify(notify_msg_type="NO-PROPOSAL-CHOSEN")',
])
dissect("isakmp_wire", [
    ("ISAKMP", "41424344454647480000000000000000011002000000000000000030" "0000001400000001000000010000000801010000"),
    ("ISAKMP", "414243444546474800000000000000000d100200000000000000002c" "0000000a76656e646f72"),
    ("ISAKMP_payload_Transform", "0000000c0001000080010007"),
    ("ISAKMP_payload_Transform", "000000100001000000060004000000"),
    ("ISAKMP_payload_SA", "00000014000000010000000100000008010100000000"),
])


def shown(f):
    try:
        return f(dump=True) + "\n"
    except Exception:  # noqa: BLE001
        return None


def record_build(e):
    p = eval(e)
    b = raw(p)
    q = p.__class__(b)
    try:
        r = repr(p)
    except Exception:  # noqa: BLE001
        r = None
    return {
        "kind": "build", "expr": e, "hex": b.hex(), "summary": p.summary(), "repr": r,
        "show": shown(p.show), "show2": shown(p.show2),
        "dissect_expr": "%s(bytes.fromhex('%s'))" % (p.__class__.__name__, b.hex()),
        "dissect_repr": repr(q), "dissect_summary": q.summary(), "dissect_show": shown(q.show),
    }


def record_dissect(cls, h):
    q = globals()[cls](bytes.fromhex(h))
    return {
        "kind": "dissect", "expr": "%s(bytes.fromhex('%s'))" % (cls, h), "class": cls,
        "hex": h, "dissect_repr": repr(q), "dissect_summary": q.summary(),
        "dissect_show": shown(q.show),
    }


TITLES = {
    "dns": "DNS built from fields",
    "dns_wire": "DNS from the wire: compressed names, EDNS(0), TCP and mDNS",
    "dns_malformed": "DNS from malformed and truncated bytes",
    "dhcp": "BOOTP and DHCP built from fields",
    "dhcp_wire": "BOOTP and DHCP from the wire, malformed options included",
    "isakmp": "ISAKMP built from fields",
    "isakmp_wire": "ISAKMP from the wire",
}


def campaign_test(v):
    lines = ["= %s: %s" % (v["id"], v["expr"][:60]), "~ vectors %s" % v["tag"]]
    if v["kind"] == "build":
        lines.append("p = %s" % v["expr"])
        lines.append("assert raw(p).hex() == %r" % v["hex"])
        lines.append("assert p.summary() == %r" % v["summary"])
        if v["repr"] is not None:
            lines.append("assert repr(p) == %r" % v["repr"])
        if v["show"] is not None:
            lines.append('assert p.show(dump=True) + "\\n" == %r' % v["show"])
        if v["show2"] is not None:
            lines.append('assert p.show2(dump=True) + "\\n" == %r' % v["show2"])
    lines.append("d = %s" % v["dissect_expr"] if v["kind"] == "build" else "d = %s" % v["expr"])
    lines.append("assert repr(d) == %r" % v["dissect_repr"])
    lines.append("assert d.summary() == %r" % v["dissect_summary"])
    if v.get("dissect_show") is not None:
        lines.append('assert d.show(dump=True) + "\\n" == %r' % v["dissect_show"])
    return "\n".join(lines) + "\n"


def main():
    out, bad = [], []
    for kind, families in (("build", BUILD), ("dissect", DISSECT)):
        for tag, items in families:
            for i, it in enumerate(items):
                try:
                    rec = record_build(it) if kind == "build" else record_dissect(*it)
                except Exception as ex:  # noqa: BLE001
                    bad.append("%s: %s: %s" % (it, type(ex).__name__, ex))
                    continue
                rec["id"] = "%s-%03d" % (tag, i)
                rec["tag"] = tag
                out.append(rec)
    for b in bad:
        print("FAILED IN SCAPY:", b, file=sys.stderr)
    with open(OUT, "w") as f:
        for rec in out:
            f.write(json.dumps(rec, sort_keys=True) + "\n")
    with open(UTS, "w") as f:
        f.write("% wirecraft self-test: DNS, BOOTP/DHCP and ISAKMP against Scapy 2.8, through the language\n")
        f.write("# Generated by scripts/gen-app-vectors.py from Scapy 2.8: do not edit, regenerate.\n\n")
        for tag, title in TITLES.items():
            f.write("+ %s\n\n" % title)
            f.write("\n".join(campaign_test(v) for v in out if v["tag"] == tag))
            f.write("\n")
    print("wrote %d vectors to %s and %s" % (len(out), OUT, UTS), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
