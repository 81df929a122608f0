#!/usr/bin/env python3
"""A tiny DNS responder for tests (never the real internet): answers A queries for one name with
every address given, AAAA queries for it with the IPv6 ones (none: an empty answer), anything
else with NXDOMAIN. UDP only, one query at a time, and it exits by itself after LIFETIME seconds.

Usage: dns-stub.py LISTEN_IP PORT NAME LIFETIME_S ADDRESS...
"""
import ipaddress
import socket
import struct
import sys
import time


def parse_question(packet):
    """(id, flags, qname as lowercase text without the final dot, qtype, qclass, end of question)."""
    ident, flags, qdcount = struct.unpack("!HHH", packet[:6])
    if qdcount != 1:
        raise ValueError("expected one question")
    labels, i = [], 12
    while True:
        length = packet[i]
        if length == 0:
            i += 1
            break
        if length & 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(packet[i + 1:i + 1 + length].decode("ascii").lower())
        i += 1 + length
    qtype, qclass = struct.unpack("!HH", packet[i:i + 4])
    return ident, flags, ".".join(labels), qtype, qclass, i + 4


def answer(packet, name, v4, v6):
    ident, flags, qname, qtype, qclass, end = parse_question(packet)
    question = packet[12:end]
    records = []
    if qname == name and qclass == 1:
        if qtype == 1:
            records = [(1, a.packed) for a in v4]
        elif qtype == 28:
            records = [(28, a.packed) for a in v6]
    rcode = 0 if qname == name else 3
    # QR, opcode from the query, AA, RD copied, RA.
    reply_flags = 0x8000 | (flags & 0x7800) | 0x0400 | (flags & 0x0100) | 0x0080 | rcode
    header = struct.pack("!HHHHHH", ident, reply_flags, 1, len(records), 0, 0)
    body = b"".join(struct.pack("!HHHIH", 0xC00C, rtype, 1, 1, len(data)) + data for rtype, data in records)
    return header + question + body


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    host, port, name, lifetime = sys.argv[1], int(sys.argv[2]), sys.argv[3].lower().rstrip("."), float(sys.argv[4])
    addresses = [ipaddress.ip_address(a) for a in sys.argv[5:]]
    v4 = [a for a in addresses if a.version == 4]
    v6 = [a for a in addresses if a.version == 6]
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    deadline = time.monotonic() + lifetime
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            packet, peer = sock.recvfrom(512)
        except socket.timeout:
            break
        try:
            sock.sendto(answer(packet, name, v4, v6), peer)
        except (ValueError, IndexError, struct.error, UnicodeDecodeError):
            continue  # not a query we understand: no answer
    sock.close()


if __name__ == "__main__":
    main()
