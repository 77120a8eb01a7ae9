#!/usr/bin/env python3
"""Writes the seed corpus, fuzz/corpus/TARGET/seed-NN (dns: by name), from the inputs below: valid and invalid
examples of each parser's syntax, so the fuzzer starts from inputs that reach deep into each parser. Run it again
after editing. The corpus also holds afl-NNN and afl2-NNN files, the queues AFL++ kept (inputs that reached new branches) from
fuzz/run.sh, and regress-* files, inputs that once broke a target."""
import os, struct

here = os.path.dirname(os.path.abspath(__file__))

text = {
    "address": [
        "127.0.0.1", "0.0.0.0", "255.255.255.255", "::", "::1", "2001:db8::1", "fe80::1%1", "fe80::1%lo",
        "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8", "1::", "::1.2.3.4", "[::1]:80", "[fe80::1%lo]:65535", "192.0.2.1:443",
        "1.2.3", "256.1.1.1", "01.2.3.4", "fe80::1%", "fe80::1%nosuchif", "fe80::1%4294967296", "[::1]", "[::1]:",
        "[::1]:65536", "::1:80", "1:2:3:4:5:6:7:8:9", "::1%lo%1", "fe80::1%25lo", "[::1]x", "",
    ],
    "hostname": [
        "example.com", "example.com.", "localhost", "_sip._tcp.example.com", "bücher.example", "xn--bcher-kva.example",
        "a" * 63 + ".com", "a" * 64 + ".com", ".".join(["a" * 63] * 4), "-bad.example", "bad-.example", "a..b", ".",
        "1.2.3", "1.2.3.4", "exa mple", "例え.テスト", "xn--", "",
    ],
    "description-client": [
        "tcp://example.com:443", "tcp://[::1]:80", "tcp://[fe80::1%lo]:22", "tcp://192.0.2.1:80?timeout=5",
        "tcp:host=example.com:port=443", "tcp:host=\\:\\:1:port=80:bindAddress=\\:\\:1", "tcp:example.com:443",
        "tls://example.com:443", "tls://example.com:443?ca=ca.pem", "tls:host=example.com:port=443",
        "tcp://example.com:443?attemptDelay=100&resolutionDelay=10&family=6&maxAttempts=2&policy=sequential",
        "tcp://example.com", "tcp://:80", "udp://x:1", "tcp://[::1", "tcp:host=", "tcp://example.com:99999", "",
    ],
    "description-server": [
        "tcp://*:8080", "tcp://*:0?dualmode=false", "tcp://lo:0", "tcp://[::]:80", "tcp://0.0.0.0:80", "tcp:8080",
        "tcp6:8080", "tcp:8080:interface=\\:\\:1", "tcp:0:backlog=10", "tls://*:443?cert=server.pem&key=server.key",
        "tls:443:certKey=server.pem", "tcp://nosuchif0:80", "tcp:port=", "tcp://*:-1", "tcp:80:backlog=0", "",
    ],
    "hosts": [
        "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n",
        "# comment\n192.0.2.1\tserver server.example # trailing\nfe80::1%lo router\n\n",
        "2001:db8::1 a b c\n2001:db8::2 a\n192.0.2.7 A.example.\n",
        "not-an-address name\n1.2.3 name\n192.0.2.1\n192.0.2.2 -bad- good\n",
        "\r\n\t \n#\n", "",
    ],
    "ssh-config": [
        "Host web\n  HostName example.com\n  Port 2222\n",
        "Host *.lab !db.lab\n HostName %h.example.com\n\nHost db.lab\n HostName=example.com\n",
        "Port 22\nHost \"quoted\"\n  HostName \"example.com\"\nMatch host x\n  HostName y\nInclude other\n",
        "Host\nHostName\nPort 99999\nPort abc\nHost a?c*\n hostname %%h%h\n",
        "host web\n\tHOSTNAME example.com\n\tport=443\n", "",
    ],
}

def name(n):
    out = b""
    for label in n.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"

def header(ident, flags, qd, an):
    return struct.pack(">HHHHHH", ident, flags, qd, an, 0, 0)

def rr(owner, rtype, data):
    return owner + struct.pack(">HHIH", rtype, 1, 300, len(data)) + data

q = name("example.com")
dns = {
    "a": header(0x1234, 0x8180, 1, 1) + q + struct.pack(">HH", 1, 1) + rr(b"\xc0\x0c", 1, bytes([192, 0, 2, 1])),
    "aaaa": header(0x1234, 0x8180, 1, 2) + q + struct.pack(">HH", 28, 1)
            + rr(b"\xc0\x0c", 28, bytes(range(16))) + rr(b"\xc0\x0c", 28, bytes(16)),
    "cname": header(7, 0x8180, 1, 2) + q + struct.pack(">HH", 1, 1)
             + rr(b"\xc0\x0c", 5, name("www.example.net")) + rr(name("www.example.net"), 1, bytes([198, 51, 100, 1])),
    "nxdomain": header(9, 0x8183, 1, 0) + q + struct.pack(">HH", 28, 1),
    "servfail": header(9, 0x8182, 1, 0) + q + struct.pack(">HH", 1, 1),
    "truncated": header(9, 0x8380, 1, 0) + q + struct.pack(">HH", 1, 1),
    "pointer-loop": header(9, 0x8180, 1, 1) + q + struct.pack(">HH", 1, 1) + rr(b"\xc0\x2d", 1, bytes(4)),
    "short": header(9, 0x8180, 1, 1) + q[:5],
    "bad-a-length": header(9, 0x8180, 1, 1) + q + struct.pack(">HH", 1, 1) + rr(b"\xc0\x0c", 1, bytes(5)),
    "query": header(1, 0x0100, 1, 0) + q + struct.pack(">HH", 28, 1),
}

for target, inputs in text.items():
    folder = os.path.join(here, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    for i, value in enumerate(inputs):
        with open(os.path.join(folder, f"seed-{i:02d}"), "wb") as f:
            f.write(value.encode("utf-8"))

folder = os.path.join(here, "corpus", "dns")
os.makedirs(folder, exist_ok=True)
for key, value in dns.items():
    with open(os.path.join(folder, key), "wb") as f:
        f.write(value)
