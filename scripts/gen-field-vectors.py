#!/usr/bin/env python3
"""Generates the field vectors from Scapy 2.8 (tests/data/field_vectors.jsonl).

Run with the reference venv:  target/scapy-venv/bin/python scripts/gen-field-vectors.py
(from the repository root), then scripts/gen-field-vectors-campaign.py to refresh the
campaign made from the same data (campaigns/selftest/field_vectors.uts).

Each case is a layer a campaign could define (`class FVnnn(Packet): fields_desc = [...]`,
with helper classes for packet fields), the keyword arguments of one instance, and byte
strings to dissect. For each, Scapy 2.8 is asked (never read) for: raw() of the instance,
its repr and show(dump=True), the repr of i2repr of each field's value, the repr of the
built bytes dissected again and the same i2repr facts on it, and for each input the repr of
its dissection and the bytes that dissection builds back.

Malformed cases (short buffers, lengths past the end, counts of a million, negative
lengths) record what Scapy 2.8 does. Where it raises (a truncated top-level layer is a
struct.error in Scapy 2.8, a list longer than conf.max_list_count is MaximumItemsCount),
the case carries wirecraft's documented behaviour instead (engine.md: dissection never
fails; the fields that found their bytes are kept and what is left is Raw; a list stops at
conf.max_list_count or max_count and its remaining bytes go back to the layer):
`expect` is the repr wirecraft must give and the record keeps Scapy's exception beside
it. Where Scapy 2.8 cannot build a computed value that does not fit its field (a length
made negative by `adjust`), wirecraft sends it cut to the field's width (engine.md: any
value fits any field): `build_expect` holds those bytes.

Two field classes of the engine are in the documentation but not in Scapy 2.8
(ARPSourceMACField, IPOptionsField): their cases run in Scapy with a field that behaves the
same for the values used (`scapy_fields`), and the record says so.
"""
import json
import os
import sys

from scapy.all import *  # noqa: F401,F403
from scapy.all import conf, raw, Packet
from scapy.layers.ntp import TimeStampField  # noqa: F401
from scapy.layers.inet import TCPOptionsField, ICMPTimeStampField  # noqa: F401

conf.verb = 0

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "field_vectors.jsonl")

# A placeholder for the case's class name in helper classes and field sources ("$In" is the
# case's helper class, e.g. FV012In).
P = "$"

CASES = []


def case(group, title, fields, values="", inputs=(), extra="", scapy_fields=None,
         methods="", note="", payload="", self_expect=None, build_expect=None):
    """One case: `fields` are field constructor sources; `inputs` hex strings, or
    (hex, expected wirecraft repr) where Scapy 2.8 raises."""
    CASES.append(dict(group=group, title=title, fields=fields, values=values,
                      inputs=list(inputs), extra=extra, scapy_fields=scapy_fields,
                      methods=methods, note=note, payload=payload,
                      self_expect=self_expect, build_expect=build_expect))


# --- Integers: every fixed-size class, a value, and bytes with the top bit set ---------
INTS = [
    ("ByteField", 1, "200", "ff"), ("XByteField", 1, "0x3c", "80"),
    ("SignedByteField", 1, "-100", "80"), ("ShortField", 2, "0xbeef", "ff01"),
    ("XShortField", 2, "513", "8001"), ("SignedShortField", 2, "-2", "8000"),
    ("LEShortField", 2, "0x1234", "3412"), ("XLEShortField", 2, "0x1234", "0180"),
    ("LESignedShortField", 2, "-300", "0080"), ("ThreeBytesField", 3, "0x123456", "ffffff"),
    ("X3BytesField", 3, "0xabcdef", "000102"), ("LEThreeBytesField", 3, "0x010203", "030201"),
    ("XLE3BytesField", 3, "0x010203", "ff0080"), ("IntField", 4, "4294967295", "80000000"),
    ("XIntField", 4, "0xdeadbeef", "00000001"), ("SignedIntField", 4, "-2147483648", "ffffffff"),
    ("LEIntField", 4, "0x01020304", "04030201"), ("XLEIntField", 4, "0xcafe", "feca0000"),
    ("LESignedIntField", 4, "-5", "fbffffff"),
    ("LongField", 8, "2**64 - 1", "8000000000000001"),
    ("XLongField", 8, "0x0102030405060708", "ffffffffffffffff"),
    ("SignedLongField", 8, "-2**63", "fffffffffffffffe"),
    ("LELongField", 8, "0x0102030405060708", "0807060504030201"),
    ("XLELongField", 8, "0xabc", "0100000000000080"),
    ("LESignedLongField", 8, "-7", "f9ffffffffffffff"),
]
for cls, width, value, data in INTS:
    case("int", f"{cls}: a value, and {width * 8} bits dissected",
         [f'{cls}("v", 1)', 'ByteField("after", 7)'], f"v={value}", [data + "09"])
for cls, _, _, _ in INTS[::3]:
    case("int", f"{cls}: the default", [f'{cls}("v", 0)'], "", [])

case("int", "Field with the default format (!H)", ['Field("v", 3)'], "v=0x1234", ["ffee"])
case("int", "Field with a signed byte format", ['Field("v", -1, fmt="b")'], "v=-128", ["7f"])
case("int", "Field with a little-endian int format", ['Field("v", 0, fmt="<I")'], "v=1",
     ["01020304"])
case("int", "Field with a signed long format", ['Field("v", 0, fmt="q")'], "v=-2",
     ["8000000000000000"])
case("int", "Field with a bytes format (4s)", ['Field("v", b"abcd", fmt="4s")'], "", ["31323334"])
case("int", "Field with a short format given without byte order", ['Field("v", 0, "I")'],
     "v=65536", ["00010000"])

# --- Floats and fixed point ------------------------------------------------------------
case("float", "IEEEFloatField: a value single precision rounds", ['IEEEFloatField("v", 0.0)'],
     "v=0.1", ["3fc00000"])
case("float", "IEEEFloatField: an int value", ['IEEEFloatField("v", 1)'], "v=-3", ["c0490fdb"])
case("float", "IEEEDoubleField: a value", ['IEEEDoubleField("v", 0.0)'], "v=0.1",
     ["400921fb54442d18"])
case("float", "IEEEDoubleField: the default", ['IEEEDoubleField("v", 2.5)'], "", [])
case("float", "BCDFloatField: 1/256 steps", ['BCDFloatField("v", 1.5)'], "v=2.25", ["0180"])
case("float", "FixedPointField: 32 bits, 16 fractional", ['FixedPointField("v", 1.25, 32, 16)'],
     "v=3.5", ["00018000"])
case("float", "FixedPointField: 16 bits, 4 fractional", ['FixedPointField("v", 0, 16, 4)'],
     "v=7.0625", ["ffff"])
case("float", "TimeStampField: an NTP timestamp", ['TimeStampField("v", 0)'],
     "v=3900000000.5", ["e8772e0080000000"])
case("float", "ICMPTimeStampField: milliseconds since midnight", ['ICMPTimeStampField("v", 0)'],
     "v=45296789", ["02b33d95"])

# --- Bit fields ------------------------------------------------------------------------
case("bits", "BitField 3 + 5 bits", ['BitField("a", 5, 3)', 'BitField("b", 17, 5)'],
     "a=7", ["ff"])
case("bits", "BitField 4 + 12 bits across bytes", ['BitField("a", 1, 4)', 'BitField("b", 0xabc, 12)'],
     "b=0x123", ["fedc"])
case("bits", "XBitField shown in hex", ['XBitField("a", 0x1ff, 9)', 'BitField("b", 0, 7)'],
     "", ["80ff"])
case("bits", "BitField 1 + 7 + 8", ['BitField("a", 1, 1)', 'BitField("b", 0, 7)',
                                     'ByteField("c", 3)'], "b=127", ["0080ff"])
case("bits", "BitField of 16 bits then 16", ['BitField("a", 0xffff, 16)', 'BitField("b", 1, 16)'],
     "a=258", ["00010002"])
case("bits", "BitField values wider than their bits are masked",
     ['BitField("a", 0, 4)', 'BitField("b", 0, 4)'], "a=0x1f, b=0x12", [])
case("bits", "BitField of 64 bits", ['BitField("a", 0, 64)'], "a=2**63 + 5", ["ffffffffffffffff"])
case("bits", "BitField little-endian bits (negative size)",
     ['BitField("a", 1, -4)', 'BitField("b", 2, -4)'], "a=3", ["21"])
case("bits", "BitField with tot_size and end_tot_size (little-endian group)",
     ['BitField("a", 1, 4, tot_size=-2)', 'BitField("b", 0x123, 12, end_tot_size=-2)'],
     "", ["3412"])
case("bits", "BitEnumField: a known and an unknown value",
     ['BitEnumField("a", 2, 4, {1: "one", 2: "two"})', 'BitEnumField("b", 0, 4, {1: "one"})'],
     "b=9", ["12"])
case("bits", "BitEnumField set by name", ['BitEnumField("a", 0, 4, {1: "one", 2: "two"})',
                                           'BitField("b", 0, 4)'], "a='two'", [])
case("bits", "BitFieldLenField: length_of a string",
     ['BitFieldLenField("l", None, 12, length_of="s")', 'BitField("r", 0, 4)',
      'StrLenField("s", b"", length_from=lambda pkt: pkt.l)'], "s=b'hello'", ["0030abcdef"])
case("bits", "BitFieldLenField: count_of with adjust",
     ['BitFieldLenField("c", None, 4, count_of="l", adjust=lambda pkt, x: x + 1)',
      'BitField("r", 0, 4)',
      'FieldListField("l", [], ByteField("", 0), count_from=lambda pkt: pkt.c - 1)'],
     "l=[1, 2, 3]", ["30090a"])

# --- Flags ----------------------------------------------------------------------------
case("flags", "FlagsField from letters", ['FlagsField("f", 0, 8, "ABCDEFGH")'], "f='ACH'", ["05"])
case("flags", "FlagsField from an int", ['FlagsField("f", 0, 8, "ABCDEFGH")'], "f=0x81", ["ff"])
case("flags", "FlagsField of no flag", ['FlagsField("f", 0, 8, "ABCDEFGH")'], "", ["00"])
case("flags", "FlagsField with names longer than a letter",
     ['FlagsField("f", 0, 8, ["syn", "ack", "fin", "rst"])'], "f='syn+fin'", ["0a"])
case("flags", "FlagsField with bits beyond the names", ['FlagsField("f", 0, 8, "AB")'],
     "f=0x13", ["f1"])
case("flags", "FlagsField of 3 bits beside a 13-bit field",
     ['FlagsField("flags", 2, 3, ["MF", "DF", "evil"])', 'BitField("frag", 0, 13)'],
     "flags='MF+DF'", ["a001"])
case("flags", "FlagsField of 16 bits", ['FlagsField("f", 0, 16, "abcdefghijklmnop")'],
     "f=0x8001", ["0102"])
case("flags", "FlagsField default given as letters", ['FlagsField("f", "DF", 8, ["MF", "DF"])'],
     "", [])
case("flags", "FlagsField little-endian bits (negative size)",
     ['FlagsField("f", 0, -8, "ABCDEFGH")'], "f='B'", ["80"])

# --- Enums -----------------------------------------------------------------------------
E = '{1: "one", 2: "two", 255: "max"}'
case("enum", "ByteEnumField: a name", [f'ByteEnumField("e", 1, {E})'], "e='two'", ["ff", "07"])
case("enum", "ByteEnumField: a number without a name", [f'ByteEnumField("e", 1, {E})'],
     "e=9", [])
case("enum", "ByteEnumField: a list of names (index to name)",
     ['ByteEnumField("e", 0, ["zero", "one", "two"])'], "e='two'", ["01", "05"])
case("enum", "XByteEnumField: unknown values in hex", [f'XByteEnumField("e", 1, {E})'],
     "e=0x42", ["02"])
case("enum", "ShortEnumField", ['ShortEnumField("e", 0, {0x800: "IPv4", 0x86dd: "IPv6"})'],
     "e='IPv6'", ["0800", "1234"])
case("enum", "XShortEnumField", ['XShortEnumField("e", 0, {0x800: "IPv4"})'], "e=0x1234",
     ["0800"])
case("enum", "LEShortEnumField", ['LEShortEnumField("e", 0, {0x102: "x"})'], "e='x'", ["0201", "0102"])
case("enum", "IntEnumField", ['IntEnumField("e", 0, {7: "seven"})'], "e='seven'", ["ffffffff"])
case("enum", "SignedIntEnumField: negative values",
     ['SignedIntEnumField("e", 0, {-1: "minus one", 1: "one"})'], "e=-1", ["fffffffe"])
case("enum", "LEIntEnumField", ['LEIntEnumField("e", 0, {1: "one"})'], "e='one'", ["02000000"])
case("enum", "XLEIntEnumField", ['XLEIntEnumField("e", 0, {1: "one"})'], "e=0x10", ["01000000"])
case("enum", "LongEnumField", ['LongEnumField("e", 0, {2**40: "big"})'], "e='big'",
     ["0000000000000001"])
case("enum", "LELongEnumField", ['LELongEnumField("e", 0, {3: "three"})'], "e=3",
     ["0400000000000000"])
case("enum", "EnumField with the default format", ['EnumField("e", 1, {1: "one"})'], "",
     ["0001", "0002"])
case("enum", "EnumField with a byte format", ['EnumField("e", 1, {1: "one"}, fmt="B")'],
     "e=2", ["01"])
case("enum", "EnumField with a little-endian int format",
     ['EnumField("e", 1, {1: "one", 5: "five"}, fmt="<I")'], "e='five'", ["01000000"])
case("enum", "EnumField from a name-to-number dict", ['EnumField("e", 1, {"uno": 1, "dos": 2})'],
     "e='dos'", ["0001"])
case("enum", "EnumField with a list of values", ['ByteEnumField("e", 1, {1: "one", 2: "two"})'],
     "e=[1, 2]", [])
case("enum", "CharEnumField", ['CharEnumField("c", "a", {"a": "alpha", "b": "beta"})'], "c='b'",
     ["61", "7a"])
case("enum", "CharEnumField set by name, and an unknown character",
     ['CharEnumField("c", "a", {"a": "alpha", "b": "beta"})', 'ByteField("n", 0)'], "c='alpha'",
     ["7a01"])
case("enum", "MultiEnumField depends on another field",
     ['ByteField("t", 1)',
      'MultiEnumField("m", 1, {1: {1: "a1", 2: "a2"}, 2: {1: "b1"}}, depends_on=lambda pkt: pkt.t, fmt="B")'],
     "m='a2'", ["0201", "0102", "0302"])
case("enum", "ByteEnumField and a callable enum (i2s, s2i)",
     ['ByteEnumField("e", 0, (lambda x: "v%d" % x if x < 10 else None, lambda s: int(s[1:])))'],
     "e='v7'", ["03", "20"])

# --- Length and count links ------------------------------------------------------------
case("len", "FieldLenField length_of a StrLenField",
     ['FieldLenField("len", None, length_of="data")',
      'StrLenField("data", b"", length_from=lambda pkt: pkt.len)'], "data=b'abcdef'",
     ["0003616263646566"])
case("len", "FieldLenField with a byte format and adjust",
     ['FieldLenField("len", None, length_of="data", fmt="B", adjust=lambda pkt, x: x + 2)',
      'StrLenField("data", b"", length_from=lambda pkt: pkt.len - 2)'], "data=b'xyz'",
     ["0478797a"])
case("len", "FieldLenField given explicitly (a lie) builds as given",
     ['FieldLenField("len", None, length_of="data", fmt="B")',
      'StrLenField("data", b"", length_from=lambda pkt: pkt.len)'], "len=2, data=b'abcd'", [])
case("len", "FieldLenField count_of a FieldListField",
     ['FieldLenField("n", None, count_of="items", fmt="B")',
      'FieldListField("items", [], ShortField("", 0), count_from=lambda pkt: pkt.n)'],
     "items=[1, 2, 0xffff]", ["020001000200ff"])
case("len", "FieldLenField count_of a PacketListField",
     ['FieldLenField("n", None, count_of="recs", fmt="B")',
      'PacketListField("recs", [], $Rec, count_from=lambda pkt: pkt.n)'],
     "recs=[$Rec(a=1), $Rec(a=2, b=b'xy')]", ["02010000020178ff"],
     extra=f'class {P}Rec(Packet):\n    fields_desc = [ByteField("a", 0), '
           'FieldLenField("l", None, length_of="b", fmt="B"), '
           'StrLenField("b", b"", length_from=lambda pkt: pkt.l)]\n'
           '    def extract_padding(self, s):\n        return b"", s\n')
case("len", "FieldLenField length_of a PacketListField",
     ['FieldLenField("len", None, length_of="recs")',
      'PacketListField("recs", [], $Rec, length_from=lambda pkt: pkt.len)'],
     "recs=[$Rec(a=1), $Rec(a=2)]", ["00030102030405"],
     extra=f'class {P}Rec(Packet):\n    fields_desc = [ByteField("a", 0)]\n'
           '    def extract_padding(self, s):\n        return b"", s\n')
case("len", "LEFieldLenField", ['LEFieldLenField("len", None, length_of="data")',
                                'StrLenField("data", b"", length_from=lambda pkt: pkt.len)'],
     "data=b'abc'", ["0200616263"])
case("len", "FieldLenField with an int format",
     ['FieldLenField("len", None, length_of="data", fmt="I")',
      'StrLenField("data", b"", length_from=lambda pkt: pkt.len)'], "data=b'ab'", [])
case("len", "FieldLenField of an empty field", ['FieldLenField("len", None, length_of="data")',
                                                'StrLenField("data", b"", length_from=lambda pkt: pkt.len)'],
     "", ["0000"])
case("len", "FieldLenField length_of an IPField list",
     ['FieldLenField("len", None, length_of="addrs", fmt="B")',
      'FieldListField("addrs", [], IPField("", "0.0.0.0"), length_from=lambda pkt: pkt.len)'],
     "addrs=['192.0.2.1', '198.51.100.7']", ["04c0000201"])
case("len", "LenField: the payload's length", ['LenField("len", None)'], "", [])
case("len", "LenField with a payload", ['LenField("len", None, fmt="B")', 'ByteField("x", 1)'],
     "", [], payload="/Raw(b'abcd')")
case("len", "LenField with adjust", ['LenField("len", None, adjust=lambda x: x + 4)'], "", [])
case("len", "StrLenField with length_from arithmetic",
     ['ByteField("words", 1)', 'StrLenField("data", b"", length_from=lambda pkt: pkt.words * 4)'],
     "words=2, data=b'12345678'", ["01616263646566"])
case("len", "StrLenField with max_length",
     ['StrLenField("data", b"", length_from=lambda pkt: 10, max_length=3)'], "data=b'ab'",
     ["6162636465"])
case("len", "XStrLenField", ['FieldLenField("len", None, length_of="data", fmt="B")',
                             'XStrLenField("data", b"", length_from=lambda pkt: pkt.len)'],
     "data=b'\\x01\\x02\\xff'", ["02abcdef"])
case("len", "StrFixedLenField with length_from",
     ['ByteField("n", 2)', 'StrFixedLenField("data", b"", length_from=lambda pkt: pkt.n)'],
     "data=b'a'", ["03616263ff"])

# --- Strings ---------------------------------------------------------------------------
case("str", "StrField takes the rest", ['ByteField("a", 1)', 'StrField("s", b"")'],
     "s=b'hello'", ["0277 6f72 6c64".replace(" ", "")])
case("str", "StrField given a str", ['StrField("s", b"")'], "s='text'", [])
case("str", "StrField with non-printable bytes", ['StrField("s", b"")'],
     "s=b'\\x00\\x01\\x7f\\x80\\xff\\'\"'", [])
case("str", "StrField with remain leaves bytes to the next field",
     ['StrField("s", b"", remain=2)', 'ShortField("tail", 0)'], "s=b'abc', tail=7", ["6162630009"])
case("str", "XStrField shows hex", ['XStrField("s", b"")'], "s=b'\\x01\\x02ab'", ["00ff"])
case("str", "StrNullField", ['StrNullField("s", b"")', 'ByteField("b", 1)'], "s=b'abc'",
     ["6869006162", "00ff"])
case("str", "StrNullField without a terminator in the bytes", ['StrNullField("s", b"")'], "",
     ["616263"])
case("str", "StrStopField", ['StrStopField("s", b"", b"\\r\\n")', 'StrField("rest", b"")'],
     "s=b'GET /\\r\\n', rest=b'x'", ["41420d0a4344"])
case("str", "StrStopField with additional bytes",
     ['StrStopField("s", b"", b"|", 2)', 'StrField("rest", b"")'], "", ["61627c3132333435"])
case("str", "StrStopField without its stop", ['StrStopField("s", b"", b"|")'], "", ["616263"])
case("str", "StrFixedLenField pads a short value with zeros",
     ['StrFixedLenField("s", b"", 6)', 'ByteField("b", 1)'], "s=b'abc'", ["61626300000002"])
case("str", "StrFixedLenField cuts a long value", ['StrFixedLenField("s", b"", 3)'],
     "s=b'abcdef'", [])
case("str", "StrFixedLenField with the length keyword", ['StrFixedLenField("s", b"ab", length=2)'],
     "", ["7a7a"])
case("str", "XStrFixedLenField", ['XStrFixedLenField("s", b"", 4)'], "s=b'\\xde\\xad'",
     ["0102030405"])
case("str", "StrFixedLenField of a str value", ['StrFixedLenField("s", "abc", 4)'], "", [])
case("str", "StrLenField without length_from takes nothing",
     ['StrLenField("s", b"x")', 'ByteField("b", 0)'], "", ["05"])
case("str", "StrField with a default given as str", ['StrField("s", "dflt")'], "", [])
case("str", "StrNullField with a str value and empty default", ['StrNullField("s", "")'],
     "s='abc'", ["00"])

# --- Packet fields and lists -----------------------------------------------------------
IN = (f'class {P}In(Packet):\n    fields_desc = [ByteField("a", 1), ShortField("b", 2)]\n')
INP = IN + '    def extract_padding(self, s):\n        return b"", s\n'
case("pkt", "PacketField with the default inner packet",
     ['PacketField("inner", $In(), $In)', 'ByteField("after", 9)'], "", ["0a000bff"], extra=INP)
case("pkt", "PacketField with a value", ['PacketField("inner", $In(), $In)'],
     "inner=$In(a=5, b=6)", ["0100020304"], extra=IN)
case("pkt", "PacketField whose class keeps no padding takes the rest",
     ['PacketField("inner", $In(), $In)', 'ByteField("after", 9)'], "", [("0a000bff",
      "<$  inner=<$In  a=10 b=11 |<Raw  load=b'\\xff' |>> |>")], extra=IN,
     self_expect="<$  inner=<$In  a=1 b=2 |<Raw  load=b'\\t' |>> |>")
case("pkt", "PacketField with None as default", ['PacketField("inner", None, $In)'], "",
     ["010203"], extra=INP)
case("pkt", "PacketField holding a packet with a payload",
     ['PacketField("inner", None, $In)'], "inner=$In(a=3)/Raw(b'zz')", [], extra=IN)
case("pkt", "PacketLenField with length_from",
     ['ByteField("l", 3)', 'PacketLenField("inner", None, $In, length_from=lambda pkt: pkt.l)',
      'StrField("rest", b"")'], "inner=$In(a=7)", ["02090aff", "0509000a"], extra=IN)
case("pkt", "PacketListField: elements till the end", ['PacketListField("l", [], $In)'],
     "l=[$In(a=1), $In(a=2, b=3)]", ["010002020003"], extra=INP)
case("pkt", "PacketListField: count_from",
     ['ByteField("n", 2)', 'PacketListField("l", [], $In, count_from=lambda pkt: pkt.n)',
      'StrField("rest", b"")'], "l=[$In(), $In(a=9)]", ["01050006ffff"], extra=INP)
case("pkt", "PacketListField: length_from",
     ['ByteField("len", 3)', 'PacketListField("l", [], $In, length_from=lambda pkt: pkt.len)',
      'StrField("rest", b"")'], "l=[$In(a=4)]", ["03010203ee", "06010203040506"], extra=INP)
case("pkt", "PacketListField: next_cls_cb picks each element's class",
     ['PacketListField("l", [], next_cls_cb=lambda pkt, lst, cur, remain: '
      '($In if remain[:1] == b"\\x01" else $Other) if remain else None)'],
     "l=[$In(), $Other(x=b'ab')]", ["0100070200"],
     extra=INP + "\n" + f'class {P}Other(Packet):\n    fields_desc = [StrFixedLenField("x", b"", 2)]\n'
                 '    def extract_padding(self, s):\n        return b"", s\n')
case("pkt", "PacketListField: max_count", ['PacketListField("l", [], $In, max_count=2)'],
     "", ["010002", ("0100020100030100",
                     "<$  l=[<$In  a=1 b=2 |>, <$In  a=1 b=3 |>] |<Raw  load=b'\\x01\\x00' |>>")],
     extra=INP)
case("pkt", "PacketListField of a single packet value", ['PacketListField("l", [], $In)'],
     "l=$In(a=8)", [], extra=INP)
case("pkt", "PacketListField with a default list", ['PacketListField("l", [$In()], $In)'],
     "", [], extra=INP)
case("pkt", "PacketListField: elements without padding take the rest",
     ['PacketListField("l", [], $In)'], "", ["010002ffff"], extra=IN)

# --- FieldListField --------------------------------------------------------------------
case("list", "FieldListField of bytes, till the end", ['FieldListField("l", [], ByteField("", 0))'],
     "l=[1, 2, 3]", ["0a0b"])
case("list", "FieldListField of shorts with count_from",
     ['ByteField("n", 2)', 'FieldListField("l", [], ShortField("", 0), count_from=lambda pkt: pkt.n)',
      'StrField("rest", b"")'], "l=[1, 2]", ["0100010002", "00ff"])
case("list", "FieldListField with length_from",
     ['ByteField("len", 4)',
      'FieldListField("l", [], XShortField("", 0), length_from=lambda pkt: pkt.len)',
      'StrField("rest", b"")'], "l=[0xabcd, 1]", ["0200011234"])
case("list", "FieldListField of IP addresses", ['FieldListField("l", [], IPField("", "0.0.0.0"))'],
     "l=['192.0.2.1', '198.51.100.2']", ["cb007101"])
case("list", "FieldListField of enum values",
     ['FieldListField("l", [], ByteEnumField("", 0, {1: "one", 2: "two"}))'], "l=[1, 'two', 3]",
     ["0102"])
case("list", "FieldListField of bit fields", ['FieldListField("l", [], BitField("", 0, 4))'],
     "l=[1, 2, 3, 4]", [])
case("list", "FieldListField with a default list",
     ['FieldListField("l", [1, 2], ByteField("", 0))'], "", [])
case("list", "FieldListField with max_count",
     ['FieldListField("l", [], ByteField("", 0), max_count=3)'], "", ["010203"])
case("list", "FieldListField of strings with a fixed length",
     ['FieldListField("l", [], StrFixedLenField("", b"", 2))'], "l=[b'ab', b'c']", ["61626364"])

# --- Addresses -------------------------------------------------------------------------
case("addr", "IPField", ['IPField("ip", "0.0.0.0")'], "ip='192.0.2.1'", ["c6336401"])
case("addr", "IPField default", ['IPField("ip", "198.51.100.1")'], "", [])
case("addr", "IPField with None as default", ['IPField("ip", None)', 'ByteField("b", 1)'], "",
     [])
case("addr", "IPField with a network (a set of addresses)", ['IPField("ip", "0.0.0.0")'],
     "ip='192.0.2.0/30'", [])
case("addr", "DestIPField with a value", ['DestIPField("ip", "192.0.2.9")'],
     "ip='203.0.113.5'", ["cb007105"])
case("addr", "SourceIPField with a value", ['SourceIPField("src")', 'IPField("dst", "192.0.2.1")'],
     "src='192.0.2.2'", ["c0000202c0000201"])
case("addr", "IP6Field", ['IP6Field("ip", "::")'], "ip='2001:db8::1'",
     ["20010db8000000000000000000000002"])
case("addr", "IP6Field default and a mapped address", ['IP6Field("ip", "::1")'], "",
     ["00000000000000000000ffffc0000201"])
case("addr", "DestIP6Field with a value", ['DestIP6Field("ip", "ff02::1")'], "ip='2001:db8::5'",
     [])
case("addr", "SourceIP6Field with a value", ['SourceIP6Field("src")', 'IP6Field("dst", "::1")'],
     "src='2001:db8::2'", [])
case("addr", "MACField", ['MACField("m", "00:00:00:00:00:00")'], "m='02:00:5e:10:00:01'",
     ["ffffffffffff"])
case("addr", "MACField with None as default", ['MACField("m", None)'], "", ["001122334455"])
case("addr", "MACField given in capitals", ['MACField("m", None)'], "m='AA:BB:CC:DD:EE:FF'", [])
case("addr", "DestMACField with a value", ['DestMACField("dst")', 'SourceMACField("src")'],
     "dst='00:11:22:33:44:55', src='66:77:88:99:aa:bb'", ["0a0b0c0d0e0f010203040506"])
case("addr", "ARPSourceMACField with a value", ['ARPSourceMACField("hwsrc")'],
     "hwsrc='66:77:88:99:aa:bb'", ["001122334455"],
     scapy_fields=['SourceMACField("hwsrc")'],
     note="ARPSourceMACField is not in Scapy 2.8; SourceMACField behaves the same with a value")
case("addr", "IPOptionsField: raw option bytes sized by ihl",
     ['BitField("version", 4, 4)', 'BitField("ihl", 6, 4)', 'IPOptionsField("options", b"")'],
     "options=b'\\x01\\x01\\x01\\x00'", ["4601010100ff"],
     scapy_fields=['BitField("version", 4, 4)', 'BitField("ihl", 6, 4)',
                   'StrLenField("options", b"", length_from=lambda pkt: (pkt.ihl - 5) * 4)'],
     note="IPOptionsField is not in Scapy 2.8; StrLenField by ihl behaves the same "
          "with whole words")
TCPO = ['BitField("dataofs", 5, 4)', 'BitField("res", 0, 4)', 'TCPOptionsField("options", [])']
case("addr", "TCPOptionsField: MSS, NOP, window scale (dataofs gives the length)", TCPO,
     "dataofs=7, options=[('MSS', 1460), ('NOP', None), ('WScale', 7)]",
     ["70020405b4010303070101"])
case("addr", "TCPOptionsField: timestamps and SAckOK", TCPO,
     "dataofs=8, options=[('SAckOK', b''), ('Timestamp', (1, 2))]",
     ["800402080a0000000a0000000b"])
case("addr", "TCPOptionsField: an unknown option", TCPO, "dataofs=6, options=[(99, b'ab')]",
     ["606304616200"])
case("addr", "TCPOptionsField: SAck blocks padded to a word", TCPO,
     "dataofs=8, options=[('SAck', (100, 200))]", [])

# --- Wrappers --------------------------------------------------------------------------
case("wrap", "ConditionalField present",
     ['ByteField("flag", 1)', 'ConditionalField(ShortField("opt", 7), lambda pkt: pkt.flag == 1)',
      'ByteField("end", 2)'], "", ["01000903", "0503"])
case("wrap", "ConditionalField absent",
     ['ByteField("flag", 0)', 'ConditionalField(ShortField("opt", 7), lambda pkt: pkt.flag == 1)',
      'ByteField("end", 2)'], "opt=99", ["000403"])
case("wrap", "ConditionalField around a string with a length",
     ['FieldLenField("len", None, length_of="s", fmt="B")',
      'ConditionalField(StrLenField("s", b"", length_from=lambda pkt: pkt.len), lambda pkt: pkt.len != 0)'],
     "s=b'hey'", ["00", "026869"])
case("wrap", "PadField aligns to 4", ['PadField(ByteField("a", 1), 4)', 'ByteField("b", 2)'], "",
     ["05aaaaaa06"])
case("wrap", "PadField with padwith", ['PadField(StrLenField("s", b"ab", length_from=lambda pkt: 2), 4, padwith=b"\\xff")',
                                       'ShortField("b", 2)'], "", ["6869ffff0003"])
case("wrap", "PadField already aligned",
     ['PadField(IntField("a", 1), 4)', 'ByteField("b", 2)'], "", ["0000000103"])
case("wrap", "Emph changes nothing on the wire", ['Emph(IPField("ip", "192.0.2.1"))', 'ByteField("b", 3)'],
     "ip='198.51.100.1'", ["0a00000105"])
case("wrap", "MayEnd: dissection may stop after the field",
     ['MayEnd(ByteField("a", 1))', 'ByteField("b", 2)'], "", ["05", "0506"])
case("wrap", "MultipleTypeField: the default field",
     ['ByteField("t", 0)',
      'MultipleTypeField([(IPField("addr", "0.0.0.0"), lambda pkt: pkt.t == 4), '
      '(IP6Field("addr", "::"), lambda pkt: pkt.t == 6)], StrField("addr", b""))'],
     "addr=b'zz'", ["00616263"])
case("wrap", "MultipleTypeField: the first alternative",
     ['ByteField("t", 4)',
      'MultipleTypeField([(IPField("addr", "0.0.0.0"), lambda pkt: pkt.t == 4), '
      '(IP6Field("addr", "::"), lambda pkt: pkt.t == 6)], StrField("addr", b""))'],
     "addr='192.0.2.1'", ["04c6336401"])
case("wrap", "MultipleTypeField: the second alternative",
     ['ByteField("t", 6)',
      'MultipleTypeField([(IPField("addr", "0.0.0.0"), lambda pkt: pkt.t == 4), '
      '(IP6Field("addr", "::"), lambda pkt: pkt.t == 6)], StrField("addr", b""))'],
     "addr='2001:db8::1'", ["0620010db8000000000000000000000009"])
case("wrap", "ActionField calls the layer's method on assignment",
     ['ActionField(ByteField("a", 1), "seen", extra=5)', 'ByteField("b", 0)'], "a=3", ["0102"],
     methods='    def seen(self, val, fld, extra=0):\n        self.b = val + extra\n')
case("wrap", "A field used under two layers keeps one definition",
     ['ConditionalField(XByteField("x", 0x10), lambda pkt: True)', 'ByteField("y", 0)'], "y=1",
     ["ff01"])

# --- Malformed input: wirecraft stays well-behaved -------------------------------------
# Where Scapy 2.8 raises, the expected repr is wirecraft's documented behaviour: the
# fields that found their bytes, then what is left as Raw (engine.md: dissection never
# fails).
case("malformed", "A short buffer for a fixed field",
     ['ShortField("a", 0)', 'ByteField("b", 1)'], "",
     [("01", "<$  |<Raw  load=b'\\x01' |>>"), ("0102", "<$  a=258 |>"), "010203", "01020304"])
case("malformed", "A short buffer for an IP address",
     ['ByteField("t", 0)', 'IPField("ip", "0.0.0.0")'], "",
     [("04c000", "<$  t=4 |<Raw  load=b'\\xc0\\x00' |>>")])
case("malformed", "A short buffer for a 64-bit bit field", ['BitField("a", 0, 64)'], "",
     [("0102", "<$  |<Raw  load=b'\\x01\\x02' |>>")])
case("malformed", "A length past the end of the bytes",
     ['FieldLenField("len", None, length_of="data")',
      'StrLenField("data", b"", length_from=lambda pkt: pkt.len)', 'ByteField("after", 0)'], "",
     [("ffff616263", "<$  len=65535 data=b'abc' |>"), ("0005616263", "<$  len=5 data=b'abc' |>")])
case("malformed", "A negative length (adjust below zero)",
     ['ByteField("len", 0)', 'StrLenField("data", b"", length_from=lambda pkt: pkt.len - 10)',
      'ByteField("after", 0)'], "", ["02616263"])
case("malformed", "A negative length from FieldLenField's adjust on build",
     ['FieldLenField("len", None, length_of="data", adjust=lambda pkt, x: x - 10)',
      'StrLenField("data", b"", length_from=lambda pkt: pkt.len + 10)'], "data=b'abc'",
     ["fff9616263"], build_expect="fff9616263")
case("malformed", "A count of a million in a FieldListField",
     ['IntField("n", 0)', 'FieldListField("l", [], ByteField("", 0), count_from=lambda pkt: pkt.n)'],
     "", ["000f424001020304"])
case("malformed", "A count of a million, more elements than conf.max_list_count",
     ['IntField("n", 0)', 'FieldListField("l", [], ByteField("", 0), count_from=lambda pkt: pkt.n)'],
     "", [("000f4240" + "61" * 150,
           "<$  n=1000000 l=[" + ", ".join(["97"] * 100) + "] |<Raw  load=b'" + "a" * 50 + "' |>>")])
case("malformed", "A count of a million in a PacketListField",
     ['IntField("n", 0)', 'PacketListField("l", [], $In, count_from=lambda pkt: pkt.n)'], "",
     ["000f4240010002010003", "000f424001"], extra=INP)
case("malformed", "A count of a million packets, more than conf.max_list_count",
     ['IntField("n", 0)', 'PacketListField("l", [], $In, count_from=lambda pkt: pkt.n)'], "",
     [("000f4240" + "010002" * 102,
       "<$  n=1000000 l=[" + ", ".join(["<$In  a=1 b=2 |>"] * 100) + "] |<Raw  load=b'"
       + "\\x01\\x00\\x02" * 2 + "' |>>")], extra=INP)
case("malformed", "A negative count", ['SignedByteField("n", 0)',
                                        'FieldListField("l", [], ByteField("", 0), count_from=lambda pkt: pkt.n)',
                                        'StrField("rest", b"")'], "", ["ff0102"])
case("malformed", "A huge length for a PacketListField",
     ['IntField("len", 0)', 'PacketListField("l", [], $In, length_from=lambda pkt: pkt.len)'], "",
     ["7fffffff010002", "7fffffff0100"], extra=INP)
case("malformed", "A FieldListField whose last element is cut",
     ['ByteField("n", 0)', 'FieldListField("l", [], ShortField("", 0), count_from=lambda pkt: pkt.n)'],
     "", [("ff000100", "<$  n=255 |<Raw  load=b'\\x00\\x01\\x00' |>>"), "ff00010002"])
case("malformed", "A StrFixedLenField longer than the bytes",
     ['StrFixedLenField("s", b"", 8)', 'ByteField("b", 0)'], "",
     [("616263", "<$  s=b'abc' |>")])
case("malformed", "A PacketField whose packet is cut",
     ['ByteField("t", 0)', 'PacketField("inner", None, $In)'], "",
     [("0101", "<$  t=1 inner=<Raw  load=b'\\x01' |> |>"), "01"], extra=INP)
case("malformed", "A PacketLenField length past the end",
     ['ByteField("l", 0)', 'PacketLenField("inner", None, $In, length_from=lambda pkt: pkt.l)'],
     "", ["ff010002", "ff01"], extra=INP)
case("malformed", "A BitFieldLenField length past the end",
     ['BitFieldLenField("l", None, 12, length_of="s")', 'BitField("r", 0, 4)',
      'StrLenField("s", b"", length_from=lambda pkt: pkt.l)'], "", ["fff06162"])
case("malformed", "A ConditionalField whose condition reads a missing field",
     ['ByteField("t", 0)', 'ConditionalField(IntField("x", 0), lambda pkt: pkt.t > 0)',
      'ByteField("after", 0)'], "",
     [("0100", "<$  t=1 |<Raw  load=b'\\x00' |>>"), ("00", "<$  t=0 |>")])
case("malformed", "A StrNullField, StrStopField chain without terminators",
     ['StrNullField("a", b"")', 'StrStopField("b", b"", b"\\r\\n")', 'ByteField("c", 0)'], "",
     [("616263", "<$  a=b'abc' b=b'' |>"), ("6100620d", "<$  a=b'a' b=b'b\\r' |>")],
     self_expect="<$  a=b'' b=b'\\x00' |>")
case("malformed", "A PadField past the end", ['PadField(ByteField("a", 1), 8)', 'ByteField("b", 2)'],
     "", [("0102", "<$  a=1 |>")])
case("malformed", "Surplus bytes after every field", ['ByteField("a", 0)'], "",
     ["01ffffff"])
case("malformed", "A FieldLenField count_of lying about a list",
     ['FieldLenField("n", None, count_of="l", fmt="B")',
      'FieldListField("l", [], IntField("", 0), count_from=lambda pkt: pkt.n)'], "",
     [("05000000010000", "<$  n=5 |<Raw  load=b'\\x00\\x00\\x00\\x01\\x00\\x00' |>>")])
case("malformed", "A MultipleTypeField whose chosen field is cut",
     ['ByteField("t", 6)',
      'MultipleTypeField([(IP6Field("addr", "::"), lambda pkt: pkt.t == 6)], StrField("addr", b""))'],
     "", [("0620010db8", "<$  t=6 |<Raw  load=b' \\x01\\r\\xb8' |>>")])
case("malformed", "A TCPOptionsField with lengths past the end", TCPO, "",
     ["f002ff05", "600800", "7002000000"])
case("malformed", "An empty buffer", ['ShortField("a", 5)'], "", [""])


# ---------------------------------------------------------------------------------------

def source(cname, fields, extra, methods):
    """The class statements of a case, as a campaign writes them."""
    # A blank line after each helper class ends its block at the console.
    text = "".join(part.strip("\n").replace(P, cname) + "\n\n"
                   for part in extra.split("\n\n") if part.strip())
    body = "".join(f"        {f.replace(P, cname)},\n" for f in fields)
    text += f"class {cname}(Packet):\n    fields_desc = [\n{body}    ]\n"
    text += methods
    return text


def attempt(f):
    try:
        return f(), None
    except Exception as e:  # noqa: BLE001 - Scapy's exceptions are the facts recorded
        return None, f"{type(e).__name__}: {e}"


def i2reprs(p, names):
    return [repr(p.get_field(n).i2repr(p, p.getfieldval(n))) for n in names]


PROBLEMS = []


def record(n, c):
    cname = f"FV{n:03d}"
    src = source(cname, c["fields"], c["extra"], c["methods"])
    scapy_src = source(cname, c["scapy_fields"], c["extra"], c["methods"]) \
        if c["scapy_fields"] else src
    ns = dict(globals())
    exec(scapy_src, ns)
    cls = ns[cname]
    names = [f.name for f in cls.fields_desc]
    values = c["values"].replace(P, cname)
    expr = f"{cname}({values})"
    expr += c["payload"]
    p = eval(expr, ns)
    v = dict(id=f"{c['group']}-{n:03d}", group=c["group"], title=c["title"], cls=cname,
             source=src, expr=expr, fields=names, note=c["note"] or None)
    built, err = attempt(lambda: raw(p))
    v["repr"] = repr(p)
    v["show"] = p.show(dump=True)
    v["i2repr"] = i2reprs(p, names)
    if c["build_expect"] is not None:
        # Scapy 2.8 refuses to build a value its field cannot hold; wirecraft sends it cut
        # to the field's width (engine.md: any value fits any field): the expected bytes.
        if err is None:
            PROBLEMS.append(f"{v['id']}: Scapy 2.8 builds {expr}: no expectation needed")
        v["build_error"] = err
        v["build_expect"] = c["build_expect"]
        inputs(v, c, cls, cname)
        return v
    if err:
        PROBLEMS.append(f"{v['id']}: Scapy 2.8 cannot build {expr}: {err}")
        return v
    v["hex"] = built.hex()
    d, err = attempt(lambda: cls(built))
    if err:
        if c["self_expect"] is None:
            PROBLEMS.append(f"{v['id']}: Scapy 2.8 cannot dissect its own bytes ({err}): "
                            "give wirecraft's documented behaviour")
            c["self_expect"] = ""
        v["dissect_scapy_error"] = err
        v["dissect_expect"] = c["self_expect"].replace(P, cname)
    else:
        if c["self_expect"] is not None:
            PROBLEMS.append(f"{v['id']}: Scapy 2.8 dissects its own bytes: no expectation "
                            "needed")
        v["dissect_repr"] = repr(d)
        v["dissect_i2repr"] = i2reprs(d, names)
    inputs(v, c, cls, cname)
    return v


def inputs(v, c, cls, cname):
    """The dissection of each input, or Scapy's exception and wirecraft's expectation."""
    v["inputs"] = []
    for inp in c["inputs"]:
        data, expect = (inp, None) if isinstance(inp, str) else inp
        got, err = attempt(lambda: cls(bytes.fromhex(data)))
        item = dict(hex=data)
        if err:
            if expect is None:
                PROBLEMS.append(f"{v['id']}: Scapy 2.8 raises on {data} ({err}): give "
                                "wirecraft's documented behaviour")
                expect = ""
            item["scapy_error"] = err
            item["expect"] = expect.replace(P, cname)
        else:
            if expect is not None:
                PROBLEMS.append(f"{v['id']}: Scapy 2.8 dissects {data}: no expectation "
                                "needed")
            item["repr"] = repr(got)
            rebuilt, berr = attempt(lambda: raw(got))
            item["rebuilt"] = rebuilt.hex() if berr is None else None
        v["inputs"].append(item)


def main():
    out = [record(n, c) for n, c in enumerate(CASES)]
    if PROBLEMS:
        # --draft writes the vectors anyway (empty expectations), to see what wirecraft does.
        print("\n".join(PROBLEMS), file=sys.stderr)
        if "--draft" not in sys.argv:
            sys.exit(1)
    with open(OUT, "w") as f:
        for v in out:
            f.write(json.dumps(v, sort_keys=True) + "\n")
    raising = sum(1 for v in out for i in v["inputs"] if "scapy_error" in i)
    print(f"{len(out)} cases, {sum(len(v['inputs']) for v in out)} inputs "
          f"({raising} where Scapy 2.8 raises) -> {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
