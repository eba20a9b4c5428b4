#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""make-seeds.py - the fuzzers' seed corpora, from the project's own test
fixtures and a few lines of text (make fuzz-seeds; the seeds are kept in
git, this says where each came from):

  spec     --point SPECs as the man page writes them
  filter   --filter expressions as the man page writes them
  ovsdb    tests/fixtures/ovsdb/*.json (recorded OVSDB replies)
  netlink  tests/fixtures/netlink/*.bin (recorded RTM_NEWLINK messages)
  packet   the first frames of each tests/fixtures/corpus/*.pcap
  recfile  tests/fixtures/record/scenario.hsr, inflated, cut down to a few
           frames of each type (CRCs made again): a record file's content
"""
import gzip
import os
import shutil
import struct
import sys
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIX = os.path.join(ROOT, "tests", "fixtures")
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")

SPECS = ["vnf1:eth0", "vnf1:eth0@tc-ingress", "ns1:eth0@xdp,tc-egress",
         "pid:4242:eth0", "eth0@tc-ingress,tc-egress", "br0"]
FILTERS = ["udp and port 5201", "tcp or icmp", "host 198.18.1.2",
           "udp and not port 53", "ip6 and (udp or tcp)",
           "src host 198.18.0.1 and dst port 80", "icmp6"]


def fresh(name):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def write(d, name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def texts(name, lines):
    d = fresh(name)
    for i, line in enumerate(lines):
        write(d, "seed%d" % i, line.encode())


def copies(name, src, ext):
    d = fresh(name)
    for f in sorted(os.listdir(src)):
        if f.endswith(ext):
            shutil.copy(os.path.join(src, f), os.path.join(d, f))


def frames_of_pcap(path, n):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off, out = 24, []
    while off + 16 <= len(data) and len(out) < n:
        _, _, incl, _ = struct.unpack_from(e + "IIII", data, off)
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def packets():
    d = fresh("packet")
    src = os.path.join(FIX, "corpus")
    for f in sorted(os.listdir(src)):
        for i, frame in enumerate(frames_of_pcap(os.path.join(src, f), 3)):
            write(d, "%s-%d" % (f[:-5], i), frame)


def recfile():
    with gzip.open(os.path.join(FIX, "record", "scenario.hsr"), "rb") as f:
        content = f.read()
    out, off, kept = content[:16], 16, {}
    while off + 16 <= len(content):
        t, n, _, _ = struct.unpack_from("<IIII", content, off)
        payload = content[off + 16:off + 16 + n]
        off += 16 + n
        if t == 2:  # records: the first four
            payload = payload[:4 * 40]
        if kept.get(t, 0) >= 2:
            continue
        kept[t] = kept.get(t, 0) + 1
        out += struct.pack("<IIII", t, len(payload),
                           zlib.crc32(payload) & 0xFFFFFFFF, 0) + payload
    write(fresh("recfile"), "scenario-cut", out)


def main():
    texts("spec", SPECS)
    texts("filter", FILTERS)
    copies("ovsdb", os.path.join(FIX, "ovsdb"), ".json")
    copies("netlink", os.path.join(FIX, "netlink"), ".bin")
    packets()
    recfile()
    return 0


if __name__ == "__main__":
    sys.exit(main())
