#!/usr/bin/env python3
"""A plain-socket multicast peer for interop tests: what a Python user would write, no DualStack involved.

  multicast_peer.py send GROUP PORT IFNAME [--source ADDR] [--hops N] TEXT...
      sends each TEXT as one datagram to GROUP:PORT out of IFNAME (IPV6_MULTICAST_IF / IP_MULTICAST_IF),
      from ADDR if given; prints one JSON line {"sent": N, "source": "addr"}.
  multicast_peer.py receive GROUP PORT IFNAME [--count N]
      joins GROUP on IFNAME (IPV6_JOIN_GROUP / IP_ADD_MEMBERSHIP), prints "ready", then one JSON line per datagram
      {"from": addr, "data": text, "hops": hop limit or TTL}, and exits after N datagrams (default 1).
"""
import json
import socket
import struct
import sys


def family_of(group):
    return socket.AF_INET6 if ":" in group else socket.AF_INET


def send(group, port, ifname, rest):
    source = None
    hops = None
    while rest and rest[0].startswith("--"):
        if rest[0] == "--source":
            source, rest = rest[1], rest[2:]
        elif rest[0] == "--hops":
            hops, rest = int(rest[1]), rest[2:]
        else:
            sys.exit(f"unknown option {rest[0]}")
    family = family_of(group)
    index = socket.if_nametoindex(ifname)
    s = socket.socket(family, socket.SOCK_DGRAM)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
        if hops is not None:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, hops)
    else:
        # struct ip_mreqn: multiaddr, address, ifindex; only the index matters here.
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, struct.pack("4s4si", b"\0" * 4, b"\0" * 4, index))
        if hops is not None:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, hops)
    if source is not None and "%" in source:
        # A zoned link-local source: Python's 2-tuple ignores the zone, the 4-tuple takes it as a scope id.
        address, zone = source.split("%")
        s.bind((address, 0, 0, socket.if_nametoindex(zone)))
    elif source is not None:
        s.bind((source, 0))
    for text in rest:
        s.sendto(text.encode(), (group, port))
    print(json.dumps({"sent": len(rest), "source": s.getsockname()[0]}), flush=True)


def receive(group, port, ifname, rest):
    count = 1
    if rest and rest[0] == "--count":
        count = int(rest[1])
    family = family_of(group)
    index = socket.if_nametoindex(ifname)
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.bind(("::", port))
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(family, group) + struct.pack("@I", index))
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
        hop_type = (socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT)
    else:
        s.bind(("0.0.0.0", port))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, struct.pack("4s4si", socket.inet_aton(group), b"\0" * 4, index))
        s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVTTL", 12), 1)  # Linux value; older Pythons lack the name
        hop_type = (socket.IPPROTO_IP, socket.IP_TTL)
    print("ready", flush=True)
    for _ in range(count):
        data, ancillary, _, sender = s.recvmsg(65535, socket.CMSG_SPACE(4))
        hops = None
        for level, kind, value in ancillary:
            if (level, kind) == hop_type:
                hops = struct.unpack("@i", value[:4])[0]
        print(json.dumps({"from": sender[0], "data": data.decode(errors="replace"), "hops": hops}), flush=True)


def main():
    mode, group, port, ifname, rest = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
    {"send": send, "receive": receive}[mode](group, port, ifname, rest)


if __name__ == "__main__":
    main()
