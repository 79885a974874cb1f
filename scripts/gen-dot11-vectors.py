#!/usr/bin/env python3
"""Generates the 802.11 vectors from Scapy 2.8 (tests/data/dot11_vectors.jsonl) and the
campaign made from them (campaigns/selftest/vectors_dot11.uts).

Run with the reference venv:  target/scapy-venv/bin/python scripts/gen-dot11-vectors.py
(from the repository root).

Two kinds of vectors, each recording Scapy 2.8's facts:
- built: an expression, its bytes, summary, repr, show, show2, and the repr and summary of
  the bytes dissected again (as tests/data/core_vectors.jsonl);
- dissected: bytes as they may arrive (truncated, lying lengths, odd present bitmaps) with
  the repr and summary of their dissection, for the inputs Scapy 2.8 dissects without
  raising.
MACs are locally administered (02:...), as a lab's would be; element IDs are those whose
classes wirecraft has (Scapy dispatches some others to classes of their own).
"""
import importlib.util
import json
import os
import sys

from scapy.all import *  # noqa: F401,F403
from scapy.all import conf, raw

conf.verb = 0

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "tests", "data", "dot11_vectors.jsonl")
UTS = os.path.join(ROOT, "campaigns", "selftest", "vectors_dot11.uts")

BC = "ff:ff:ff:ff:ff:ff"
AP = "02:00:00:00:01:01"
STA = "02:00:00:00:02:02"
GW = "02:00:00:00:03:03"
MGMT = 'addr1="%s", addr2="%s", addr3="%s"' % (BC, AP, AP)
TO_AP = 'addr1="%s", addr2="%s", addr3="%s"' % (AP, STA, AP)
SSID = 'Dot11Elt(ID="SSID", info=b"lab-ap")'
RATES = "Dot11EltRates(rates=[0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12])"

BUILT = [
    # The management bodies, each after its header.
    'Dot11(%s)/Dot11Beacon(cap="ESS+privacy")/%s/%s/Dot11EltDSSSet(channel=6)' % (MGMT, SSID, RATES),
    'Dot11(%s)/Dot11Beacon(timestamp=123456789, beacon_interval=200, cap="short-slot+ESS+privacy+short-preamble")/Dot11Elt(ID="SSID", info=b"wireless_100")' % MGMT,
    'Dot11(%s)/Dot11ProbeReq()/Dot11Elt(ID="SSID", info=b"")/%s' % ('addr1="%s", addr2="%s", addr3="%s"' % (BC, STA, BC), RATES),
    'Dot11(%s)/Dot11ProbeResp(cap="ESS")/%s/Dot11EltRates()' % ('addr1="%s", addr2="%s", addr3="%s"' % (STA, AP, AP), SSID),
    'Dot11(%s)/Dot11AssoReq(cap="ESS+short-preamble", listen_interval=10)/%s/%s' % (TO_AP, SSID, RATES),
    'Dot11(%s)/Dot11AssoResp(cap="ESS", status=0, AID=1)/Dot11EltRates()' % ('addr1="%s", addr2="%s", addr3="%s"' % (STA, AP, AP)),
    'Dot11(%s)/Dot11ReassoReq(cap="ESS", current_AP="%s")/%s' % (TO_AP, GW, SSID),
    'Dot11(%s)/Dot11ReassoResp(status=17, AID=3)' % ('addr1="%s", addr2="%s", addr3="%s"' % (STA, AP, AP)),
    'Dot11(%s)/Dot11Auth(algo="open", seqnum=1, status="success")' % TO_AP,
    'Dot11(%s)/Dot11Auth(algo="sharedkey", seqnum=2, status=13)/Dot11Elt(ID="Challenge text", info=b"0123456789")' % TO_AP,
    'Dot11(%s)/Dot11Deauth(reason="inactivity")' % TO_AP,
    'Dot11(%s)/Dot11Disas()' % TO_AP,
    'Dot11(%s)/Dot11ATIM()' % MGMT,
    # Control frames: the addresses each has.
    'Dot11(type="Control", subtype="RTS", addr1="%s", addr2="%s", ID=44)' % (AP, STA),
    'Dot11(type=1, subtype=12, addr1="%s", ID=30)' % STA,
    'Dot11(type=1, subtype=13, addr1="%s")' % STA,
    'Dot11(type=1, subtype=10, FCfield="pw_mgt", addr1="%s", addr2="%s", ID=0xc001)' % (AP, STA),
    'Dot11(type=1, subtype=6, cfe="Grant", FCfield="protected", addr1="%s", addr2="%s")' % (AP, STA),
    'Dot11(type=1, subtype=0, addr1="%s")' % AP,
    # Data frames: every DS direction, QoS, LLC/SNAP.
    'Dot11(type="Data", %s)/LLC(dsap=0xaa, ssap=0xaa, ctrl=3)/SNAP(code=0x800)/IP(src="198.51.100.2", dst="198.51.100.1")/ICMP()' % TO_AP,
    'Dot11(type=2, FCfield="to_DS", %s, SC=0x120)/LLC()/SNAP()' % TO_AP,
    'Dot11(type=2, FCfield="from_DS+retry", addr1="%s", addr2="%s", addr3="%s")/LLC()' % (STA, AP, GW),
    'Dot11(type=2, FCfield="to_DS+from_DS", addr1="%s", addr2="%s", addr3="%s", addr4="%s")/LLC()' % (AP, GW, STA, AP),
    'Dot11(type=2, subtype=8, FCfield="to_DS", %s)/Dot11QoS(TID=5, Ack_Policy=1, TXOP=3)/LLC(dsap=0xaa, ssap=0xaa, ctrl=3)/SNAP(code=0x806)' % TO_AP,
    'Dot11(%s)/Dot11QoS(A_MSDU_Present=1, EOSP=1, TID=15)' % TO_AP,
    'Dot11(type=2, subtype=4, FCfield="to_DS+pw_mgt", %s)' % TO_AP,
    # Extension frames, the S1G beacon's own flags.
    'Dot11(type=3, subtype=0, addr1="%s")' % AP,
    'Dot11(type=3, subtype=1, FCfield="security", FCfield_bw=5, FCfield2="next_tbtt+ano", addr1="%s")' % AP,
    'Dot11(FCfield=0xff, %s)' % MGMT,
    'Dot11()',
    # FCS: computed over the frame, or given.
    'Dot11FCS(%s)/Dot11Beacon()/%s' % (MGMT, SSID),
    'Dot11FCS(type=1, subtype=13, addr1="%s")' % STA,
    'Dot11FCS(type=1, subtype=12, addr1="%s", fcs=0x12345678)' % STA,
    # Elements on their own.
    'Dot11Elt(ID="SSID", info=b"caf\\xc3\\xa9 \\xff")',
    'Dot11Elt(ID="BSS Load", info=b"\\x01\\x00\\x20\\x00\\x00")',
    'Dot11(type=1, subtype=13, addr1="%s")/Dot11Ack()' % AP,
    'Dot11Elt(ID=200, len=5, info=b"ab")',
    'Dot11EltRates(rates=[1, 2, 0x82, 0x0c, 0xff, 0x80])',
    'Dot11EltDSSSet(channel=11)/Dot11Elt(ID="TIM", info=b"\\x00\\x01\\x00\\x00")',
    # Capture headers.
    'PrismHeader(channel=6)/Dot11(%s)/Dot11Beacon(cap="ESS+privacy")/%s' % (MGMT, SSID),
    'PrismHeader(dev=b"wlan0", hosttime=1000, mactime=2000, channel=11, rssi=40, signal=-40, noise=95, rate=22, frmlen=60)/Dot11(type=1, subtype=13, addr1="%s")' % STA,
    'PrismHeader()',
    'RadioTap()/Dot11(%s)/Dot11Beacon()/%s' % (MGMT, SSID),
    'RadioTap(present="TSFT+Flags+Rate+Channel+dBm_AntSignal+dBm_AntNoise+Antenna", mac_timestamp=123456, Flags="ShortPreamble", Rate=2, ChannelFrequency=2437, ChannelFlags="CCK+2GHz", dBm_AntSignal=-40, dBm_AntNoise=-90, Antenna=1)/Dot11(%s)/Dot11Beacon(cap="ESS")/%s' % (MGMT, SSID),
    'RadioTap(present="Flags+Rate+Channel+dBm_AntSignal", Flags="FCS", Rate=5.5, ChannelFrequency=5180, ChannelFlags="OFDM+5GHz", dBm_AntSignal=-60)/Dot11FCS(type=1, subtype=13, addr1="%s")' % STA,
    'RadioTap(present="Rate+Lock_Quality+RXFlags", Rate=54, Lock_Quality=7, RXFlags="BAD_PLCP")/Dot11(type=1, subtype=12, addr1="%s")' % STA,
    'RadioTap(present="TSFT+TXFlags", TXFlags="RTS+NOACK")',
    'RadioTap(present="Rate+dBm_TX_Power", Rate=1, notdecoded=b"\\x0a")',
    'RadioTap(version=0, len=12, present="Flags", Flags="CFP", notdecoded=b"\\x00\\x00\\x00")',
    # Extension bitmaps, HT (MCS), A-MPDU, VHT and channel+ fields.
    'RadioTap(present="Flags+Rate+Channel+dBm_AntSignal+RXFlags+Ext", Ext=[RadioTapExtendedPresenceMask(present="b0+b1+Ext"), RadioTapExtendedPresenceMask(present="b29")], Flags=0, Rate=1, ChannelFrequency=2412, ChannelFlags="CCK+2GHz", dBm_AntSignal=-50, RXFlags=0, notdecoded=b"\\xd2\\x00\\x00\\x00")/Dot11(type=1, subtype=13, addr1="%s")' % STA,
    'RadioTap(present="Flags+Channel+dBm_AntSignal+MCS", Flags="ShortGI", ChannelFrequency=5180, ChannelFlags="OFDM+5GHz", dBm_AntSignal=-45, knownMCS="MCS_bandwidth+MCS_index+guard_interval", guard_interval="Short_GI", MCS_bandwidth="40MHz", MCS_index=7)',
    'RadioTap(present="TSFT+Flags+A_MPDU", mac_timestamp=42, Flags="FCS", A_MPDU_ref=1234, A_MPDU_flags="KnownLastSubframe+LastSubframe")/Dot11FCS(type=1, subtype=13, addr1="%s")' % STA,
    'RadioTap(present="Flags+Channel+VHT", Flags=0, ChannelFrequency=5500, ChannelFlags="OFDM+5GHz", KnownVHT="GuardInterval+Bandwidth", PresentVHT="GuardInterval", VHT_bandwidth=4, mcs_nss=b"\\x92\\x00\\x00\\x00\\x00", GroupID=0, PartialAID=5)',
    'RadioTap(present="Rate+ChannelPlus", Rate=6, ChannelPlusFlags="OFDM+2GHz+20MHz", ChannelPlusFrequency=2437, ChannelPlusNumber=6)',
]

# Bytes as they may arrive: (class, hex).
DISSECTED = [
    # Truncated headers and bodies: the body becomes Raw, an element keeps what is there.
    ("Dot11", "80000000" + "ff" * 6 + "02" * 6 + "02" * 6 + "0000" + "0000"),
    ("Dot11", "80000000" + "ff" * 6 + "02" * 6 + "02" * 6 + "1000" + "0000000000000000640011000008616263"),
    ("Dot11", "80000000" + "ff" * 6 + "02" * 6 + "02" * 6 + "1000" + "000000000000000064001100000361626301"),
    ("Dot11", "c40000000200000000010102"),
    ("Dot11", "d4000000020000000002"),
    ("Dot11", "b0000000" + "02" * 18 + "0000" + "000001000000"),
    ("Dot11", "c0000000" + "02" * 18 + "0000" + "0700"),
    ("Dot11", "a0000000" + "02" * 18 + "0000" + "08"),
    ("Dot11", "48400000" + "02" * 18 + "0000" + "0102030041424344454647480a0b0c0d"),
    ("Dot11", "08020000" + "02" * 18 + "0000" + "aaaa030000000800450000"),
    ("Dot11", "88010000" + "02" * 18 + "0000" + "05"),
    ("Dot11", "88010000" + "02" * 18 + "0000" + "0500aaaa03000000"),
    ("Dot11", "08030000" + "02" * 18 + "0000" + "03" * 6 + "e0e0"),
    ("Dot11", "1cc00000020000000001"),
    ("Dot11", "64400000020000000001020000000002"),
    ("Dot11FCS", "d400000002000000000201020304"),
    ("Dot11FCS", "d40000000200000000020102030405"),
    ("Dot11FCS", "80000000" + "ff" * 6 + "02" * 6 + "02" * 6 + "0000" + "00000000"),
    ("Dot11Elt", "0005ab"),
    ("Dot11Elt", "1000"),
    ("Dot11Elt", "00036c6162010482848b9603010b"),
    ("Dot11EltRates", "010582848b"),
    ("Dot11EltDSSSet", "03020b0c"),
    ("PrismHeader", "44000000" + "14000000" + "00" * 136 + "d4000000020000000002"),
    ("RadioTap", "0000090000000000ff"),
    ("RadioTap", "00000800020000000b"),
    ("RadioTap", "0000ff0f0200000016"),
    ("RadioTap", "00000a00020000001612"),
    ("RadioTap", "000010001000000002000000aabbccdd"),
    ("RadioTap", "000010001100000010020000aabbccdd"),
    ("RadioTap", "00000c00040400000201ffee"),
    ("RadioTap", "000009000200000016c4000000020000000001"),
    ("RadioTap", "00000a000200000000ccd4000000020000000002"),
    ("RadioTap", "000012002e48000000029e098004e5000000d40000000200000000020102030405"),
    # A mac80211 monitor header: two bitmap words, then flags, rate, channel, signal.
    ("RadioTap", "00001a002f4000a0200800000000000000000000100c6c09c000c30000c300d4000000020000000002"),
    ("RadioTap", "000010000280008008000000000000000c"),
    ("RadioTap", "00000c0000000080ffffffff"),
    ("RadioTap", "000014000000100000000000d2040000180000000ff0"),
]


def shown(f):
    try:
        return f(dump=True) + "\n"
    except Exception:  # noqa: BLE001
        return None


def built(e):
    p = eval(e)
    b = raw(p)
    q = p.__class__(b)
    return {
        "expr": e, "hex": b.hex(), "summary": p.summary(), "repr": repr(p),
        "show": shown(p.show), "show2": shown(p.show2),
        "dissect_expr": "%s(bytes.fromhex('%s'))" % (p.__class__.__name__, b.hex()),
        "dissect_repr": repr(q), "dissect_summary": q.summary(),
    }


def dissected(cls, h):
    q = globals()[cls](bytes.fromhex(h))
    return {
        "dissect_expr": "%s(bytes.fromhex('%s'))" % (cls, h), "hex": h,
        "dissect_repr": repr(q), "dissect_summary": q.summary(),
        "dissect_show": shown(q.show),
    }


def campaign_test(v):
    """A campaign test for a vector (gen-vectors-campaign.py's, for both kinds)."""
    if "expr" in v:
        spec = importlib.util.spec_from_file_location(
            "gvc", os.path.join(HERE, "gen-vectors-campaign.py"))
        gvc = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(gvc)
        return gvc.test(v)
    lines = [f"= {v['id']}: {v['dissect_expr'][:60]}", f"~ vectors {v['tag']}"]
    lines.append(f"d = {v['dissect_expr']}")
    lines.append(f"assert repr(d) == {v['dissect_repr']!r}")
    if v.get("dissect_show") is not None:
        lines.append(f"assert d.show(dump=True) + \"\\n\" == {v['dissect_show']!r}")
    lines.append(f"d.summary() == {v['dissect_summary']!r}")
    return "\n".join(lines) + "\n"


def main():
    out, bad = [], []
    for i, e in enumerate(BUILT):
        try:
            rec = built(e)
        except Exception as ex:  # noqa: BLE001
            bad.append("%s: %s: %s" % (e, type(ex).__name__, ex))
            continue
        rec["id"], rec["tag"] = "dot11-%03d" % i, "dot11"
        out.append(rec)
    for i, (cls, h) in enumerate(DISSECTED):
        try:
            rec = dissected(cls, h)
        except Exception as ex:  # noqa: BLE001
            bad.append("%s(%s): %s: %s" % (cls, h, type(ex).__name__, ex))
            continue
        rec["id"], rec["tag"] = "dot11-wire-%03d" % i, "dot11_wire"
        out.append(rec)
    for b in bad:
        print("FAILED IN SCAPY:", b, file=sys.stderr)
    with open(OUT, "w") as f:
        for rec in out:
            f.write(json.dumps(rec, sort_keys=True) + "\n")
    with open(UTS, "w") as f:
        f.write("% wirecraft self-test: 802.11, Prism and Radiotap against Scapy 2.8\n")
        f.write("# Generated by scripts/gen-dot11-vectors.py from Scapy 2.8: do not edit,\n")
        f.write("# regenerate.\n\n")
        for tag, title in [("dot11", "Frames built from fields"),
                           ("dot11_wire", "Bytes as they may arrive: truncated, lying, odd")]:
            f.write(f"+ {title}\n\n")
            f.write("\n".join(campaign_test(v) for v in out if v["tag"] == tag))
            f.write("\n")
    print("wrote %d vectors to %s" % (len(out), OUT), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
