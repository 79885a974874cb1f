# Prints what Scapy 2.8 says about the lab client's host state, in sections "=== NAME", the
# expected data of tests/net_routes.rs. Run by gen.sh inside the client namespace of lab "wcrt".
import logging
import os
import sys

from scapy.all import conf, get_if_list, get_if_addr, get_if_hwaddr, get_if_addr6
from scapy.arch.unix import get_if_raw_hwaddr
from scapy.utils import pretty_list

# Warnings go to stdout, inline with the section they belong to, as "WARNING: ...".
log = logging.getLogger("scapy")
for h in list(log.handlers):
    log.removeHandler(h)
h = logging.StreamHandler(sys.stdout)
h.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
log.addHandler(h)


# Every warning, unthrottled: the rate limit is the logger's business, not the tables'.
conf.warning_threshold = 0


def sec(name):
    sys.stdout.flush()
    print("=== " + name)


IF = "wcrtc0"
os.environ["COLUMNS"] = "1000"  # no cropping unless a section says so

sec("route")
print(conf.route)
sec("route6")
print(conf.route6)
sec("iface")
print(conf.iface)
sec("if_list")
print(get_if_list())
sec("if_info")
for i in get_if_list():
    print(i, get_if_addr(i), get_if_hwaddr(i), get_if_raw_hwaddr(i), get_if_addr6(i))

sec("ip_src")
from scapy.all import IP, Ether
for d in ["198.51.100.1", "203.0.113.20", "127.0.0.1", "224.0.0.1", "192.0.2.1"]:
    print(d, IP(dst=d).src, (Ether() / IP(dst=d)).src)

sec("route_lookup")
for d in ["198.51.100.1", "198.51.100.10", "198.51.100.20", "198.51.100.0", "198.51.100.255",
          "203.0.113.20", "203.0.113.255", "127.0.0.1", "127.1.2.3", "127.255.255.255",
          "255.255.255.255", "224.0.0.1", "239.1.2.3", "8.8.8.8", "0.0.0.0", "192.0.2.1",
          "198.51.100.*", "203.0.113.1-5", "203.0.113.0/24", "127.1"]:
    print(repr(d), conf.route.route(d))
sec("route_lookup_dev")
for d, dev in [("203.0.113.20", "lo"), ("127.0.0.1", IF), ("198.51.100.1", IF), ("8.8.8.8", IF)]:
    print(repr(d), dev, conf.route.route(d, dev=dev))

sec("route6_lookup")
for d in ["2001:db8:1::1", "2001:db8:1::10", "2001:db8:2::20", "2001:db8:2::", "2001:db8:3::1",
          "fe80::1", "fe80::200:5eff:fe00:5310", "ff02::1", "ff02::1:ff00:1", "ff05::1", "ff0e::1",
          "ff01::1", "ff08::1", "::1", "::", "2001:4860::1", "fd00::1", "::ffff:1.2.3.4",
          "2001:db8:1::*", "2001:db8:2::1-5", "2001:db8:2::20/64"]:
    print(repr(d), conf.route6.route(d))
sec("route6_lookup_dev")
for d, dev in [("2001:db8:2::20", "lo"), ("::1", IF), ("ff02::1", IF), ("ff02::1", "lo")]:
    print(repr(d), dev, conf.route6.route(d, dev=dev))

sec("route_add")
conf.route.add(net="192.0.2.0/24", gw="198.51.100.1")
conf.route.add(host="192.0.2.7", dev=IF)
conf.route.add(net="10.0.0.0/8")
conf.route.add(net="192.0.2.128/25", gw="198.51.100.1", metric=5)
conf.route.add(net="203.0.113.64/26", gw="203.0.113.1")
print(conf.route)
sec("route_add_lookup")
for d in ["192.0.2.1", "192.0.2.7", "192.0.2.200", "10.1.2.3", "203.0.113.70"]:
    print(repr(d), conf.route.route(d))
sec("route_delt")
conf.route.delt(net="192.0.2.0/24", gw="198.51.100.1")
conf.route.delt(host="192.0.2.7", dev=IF)
print(conf.route)
sec("route_delt_missing")
try:
    conf.route.delt(net="192.0.2.0/24", gw="198.51.100.1")
except ValueError as e:
    print("ValueError:", e)
try:
    conf.route.delt(net="192.0.2.128/25", gw="198.51.100.1")
except ValueError as e:
    print("ValueError:", e)
sec("route_resync")
conf.route.resync()
print(conf.route)

sec("route6_add")
conf.route6.add(dst="2001:db8:3::/48", gw="2001:db8:1::1")
conf.route6.add(dst="2001:db8:4::/64", dev=IF)
conf.route6.add(dst="2001:db8:5::1")
conf.route6.add(dst="fe80::/10", dev=IF)
print(conf.route6)
sec("route6_add_lookup")
for d in ["2001:db8:3::1", "2001:db8:4::1", "2001:db8:5::1", "fe80::1"]:
    print(repr(d), conf.route6.route(d))
sec("route6_delt")
conf.route6.delt(dst="2001:db8:3::/48")
conf.route6.delt(dst="2001:db8:5::1")
print(conf.route6)
sec("route6_delt_missing")
conf.route6.delt(dst="2001:db8:3::/48")
# Scapy's delt with gw= matches on the gateway alone (the dst filter is dropped):
# this removes 2001:db8:2::/64, the one route via 2001:db8:1::1.
conf.route6.delt(dst="2001:db8:4::/64", gw="2001:db8:1::1")
print(conf.route6)
conf.route6.add(dst="2001:db8:6::/64", gw="fe80::1")
conf.route6.add(dst="2001:db8:7::/64", gw="fe80::1")
conf.route6.delt(dst="2001:db8:6::/64", gw="fe80::1")
sec("route6_resync")
conf.route6.resync()
print(conf.route6)

sec("crop")
rows = [("a-very-long-network-name", "x", ["cand-one-long", "c2"], "1"),
        ("b", "a-long-gateway", ["c"], "22")]
print(pretty_list(list(rows), [("Network", "Gw", "Cands", "M")]))
os.environ["COLUMNS"] = "40"
print(pretty_list(list(rows), [("Network", "Gw", "Cands", "M")]))
os.environ["COLUMNS"] = "20"
print(pretty_list(list(rows), [("Network", "Gw", "Cands", "M")]))
sec("route6_crop60")
os.environ["COLUMNS"] = "60"
print(conf.route6)
sec("route_crop50")
os.environ["COLUMNS"] = "50"
print(conf.route)
sec("if_errors")
for f in (get_if_addr, get_if_hwaddr, get_if_addr6):
    try:
        print(f("nope0"))
    except ValueError as e:
        print("ValueError:", e)
try:
    print(get_if_raw_hwaddr("nope0"))
except OSError as e:
    print("OSError:", e)
sec("route_none")
print(conf.route.route(None))
print(conf.route6.route(None))
sec("ipv6_src")
# IPv6's unset source, from fresh tables (tests/net_routes.rs starts from a fresh host).
conf.route.resync()
conf.route6.resync()
from scapy.all import IPv6, Net6, raw  # noqa: E402
for d in ["2001:db8:1::1", "2001:db8:2::20", "fe80::1", "ff02::1", "ff05::1", "::1",
          "2001:4860::1", "2001:db8:1::/127"]:
    print(repr(d), IPv6(dst=d).src)
    print(raw(IPv6(dst=d))[8:24].hex())
print("unset", IPv6().src)
sec("end")
