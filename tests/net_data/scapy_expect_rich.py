# Prints what Scapy 2.8 says about the lab client of lab "wcr2" after rich.sh gave it more
# addresses and routes (several global IPv6 addresses, default routes, a blackhole route).
# The expected data of tests/net_routes.rs's "rich" test; run by gen.sh.
import logging
import os
import sys

from scapy.all import conf, get_if_addr, get_if_addr6

log = logging.getLogger("scapy")
for h in list(log.handlers):
    log.removeHandler(h)
h = logging.StreamHandler(sys.stdout)
h.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
log.addHandler(h)
conf.warning_threshold = 0
os.environ["COLUMNS"] = "1000"


def sec(name):
    sys.stdout.flush()
    print("=== " + name)


IF = "wcr2c0"
sec("route6")
print(conf.route6)
sec("route6_lookup")
for d in ["2001:db8:9::1", "2001:db8:1::5", "ff0e::1", "ff0e::1", "2001:db8:1::11",
          "2001:db8:1::9", "ff02::2", "ff05::2", "fe80::9", "2001:db8:2::20"]:
    print(repr(d), conf.route6.route(d))
sec("route6_after")
print(conf.route6)
sec("iface")
print(conf.iface, get_if_addr(IF), get_if_addr6(IF))
sec("routes")
for r in conf.route.routes:
    print(r)
sec("route_lookup")
for d in ["8.8.8.8", "192.0.2.5", "198.51.100.11", "198.51.100.12", "203.0.113.9", "0.0.0.0"]:
    print(repr(d), conf.route.route(d))
sec("end")
