#!/usr/bin/env python3
"""Turns the field vectors (tests/data/field_vectors.jsonl, made from Scapy 2.8 by
scripts/gen-field-vectors.py) into campaigns/selftest/field_vectors.uts: one unit test per
case, one test set per group.

Usage: scripts/gen-field-vectors-campaign.py   (plain python3, from anywhere)

Each test defines the case's layer with `class FVnnn(Packet)` as a campaign would, builds the
instance, and asserts Scapy 2.8's facts: the built bytes, repr, show(dump=True), i2repr of
every field, the repr of the bytes dissected again and its i2repr, and for each input the
repr of its dissection and the bytes that dissection builds back. Where Scapy 2.8 raises
(a truncated layer, a list past conf.max_list_count), the test asserts wirecraft's
documented behaviour instead and its comment quotes Scapy's exception.
"""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "tests", "data", "field_vectors.jsonl")
OUT = os.path.join(ROOT, "campaigns", "selftest", "field_vectors.uts")

GROUPS = [
    ("int", "Integers: every fixed-size class, big and little endian, signed"),
    ("float", "Floats, BCD, fixed point and timestamps"),
    ("bits", "Bit fields, little-endian bit groups, bit enums and bit lengths"),
    ("flags", "Flags"),
    ("enum", "Enumerations"),
    ("len", "Length and count links"),
    ("str", "Strings: rest, fixed, null- and stop-terminated, length-prefixed"),
    ("pkt", "Packet fields and packet lists"),
    ("list", "Field lists"),
    ("addr", "Addresses and options"),
    ("wrap", "Wrappers: conditional, padded, emphasized, may-end, multiple-type, action"),
    ("malformed", "Malformed input: wirecraft stays well-behaved"),
]


def i2repr_check(var, names, want):
    return (f"assert [repr({var}.get_field(n).i2repr({var}, {var}.getfieldval(n))) "
            f"for n in {names!r}] == {want!r}")


def test(v):
    lines = [f"= {v['id']}: {v['title']}", f"~ field_vectors {v['group']}"]
    comments = []
    if v.get("note"):
        comments.append(v["note"])
    raising = [i for i in v["inputs"] if "scapy_error" in i]
    if v.get("dissect_scapy_error"):
        raising.append({"scapy_error": v["dissect_scapy_error"], "hex": "its own bytes"})
    # Keywords for scripts/compare-with-utscapy: the tests asserting wirecraft's own
    # behaviour, or using a field class Scapy 2.8 lacks, are expected to differ there.
    if raising or v.get("build_error"):
        lines[1] += " scapy_raises wirecraft_only"
    elif v.get("note"):
        lines[1] += " wirecraft_only"
    if raising:
        comments.append("Where Scapy 2.8 raises, wirecraft dissects as engine.md documents "
                        "(dissection never fails: the fields that found their bytes, the rest "
                        "Raw; a list stops at conf.max_list_count or max_count, the rest going "
                        "back to the layer):")
        for i in raising:
            comments.append(f"  {i['hex'][:40]}: Scapy 2.8 raises {i['scapy_error'].splitlines()[0]}")
    if v.get("build_error"):
        comments.append(f"Scapy 2.8 cannot build it ({v['build_error'].splitlines()[0]} "
                        f"{v['build_error'].splitlines()[1]}); wirecraft sends the value cut "
                        "to the field's width (engine.md: any value fits any field).")
    lines += [f"* {c}" for c in comments]
    lines += v["source"].rstrip("\n").split("\n")
    lines.append("")
    checks = [f"p = {v['expr']}"]
    if v.get("build_error"):
        checks.append(f"assert raw(p).hex() == {v['build_expect']!r}")
    else:
        checks.append(f"assert raw(p).hex() == {v['hex']!r}")
    checks.append(f"assert repr(p) == {v['repr']!r}")
    checks.append(f"assert p.show(dump=True) == {v['show']!r}")
    checks.append(i2repr_check("p", v["fields"], v["i2repr"]))
    if "hex" in v:
        checks.append(f"d = {v['cls']}(raw(p))")
        if "dissect_repr" in v:
            checks.append(f"assert repr(d) == {v['dissect_repr']!r}")
            checks.append(i2repr_check("d", v["fields"], v["dissect_i2repr"]))
        else:
            checks.append(f"assert repr(d) == {v['dissect_expect']!r}")
    for i in v["inputs"]:
        checks.append(f"i = {v['cls']}(bytes.fromhex({i['hex']!r}))")
        if "scapy_error" in i:
            checks.append(f"assert repr(i) == {i['expect']!r}")
        else:
            checks.append(f"assert repr(i) == {i['repr']!r}")
            if i.get("rebuilt") is not None:
                checks.append(f"assert raw(i).hex() == {i['rebuilt']!r}")
    # The last check is the test's value rather than an assert, as in the other campaigns.
    last = checks[-1]
    if last.startswith("assert "):
        checks[-1] = last[len("assert "):]
    return "\n".join(lines + checks) + "\n"


def main():
    by_group = {}
    with open(SRC) as f:
        for line in f:
            if line.strip():
                v = json.loads(line)
                by_group.setdefault(v["group"], []).append(test(v))
    with open(OUT, "w") as f:
        f.write("% wirecraft self-test: every field class of the engine against Scapy 2.8\n")
        f.write("# Generated by scripts/gen-field-vectors-campaign.py from "
                "tests/data/field_vectors.jsonl\n")
        f.write("# (made by scripts/gen-field-vectors.py with Scapy 2.8): do not edit, "
                "regenerate.\n")
        f.write("# Each test defines a layer as a campaign does and checks Scapy 2.8's "
                "facts about it.\n")
        f.write("# scripts/compare-with-utscapy runs it under UTScapy 2.8 too: the transcripts "
                "agree but in the\n# tests keyworded wirecraft_only, where Scapy 2.8 raises "
                "(their comments say what\n# wirecraft does instead) or lacks the field "
                "class.\n\n")
        for group, title in GROUPS:
            f.write(f"+ {title}\n\n")
            f.write("\n".join(by_group.pop(group, [])))
            f.write("\n")
    if by_group:
        raise SystemExit(f"groups without a test set: {sorted(by_group)}")
    print(f"{sum(1 for _ in open(SRC) if _.strip())} tests -> {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
