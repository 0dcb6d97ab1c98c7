"""ARP probe: which addresses answer on which switch port (run in the lab switch's netns).

    python3 arpprobe.py PORT=IP[,IP...] ...

Sends one broadcast ARP request per (port, IP) from the port's own MAC and IPv4 address, all
at once, then listens for 1.5 s and prints one JSON line per reply: {"port", "ip", "mac"}.
Raw AF_PACKET sockets, so a request goes out on exactly that port (that VLAN), whatever the
routing table says: the same guest address can be asked for on every VLAN.
"""

from __future__ import annotations

import json
import select
import socket
import struct
import subprocess
import sys
import time

ETH_P_ARP = 0x0806


def port_addr(port: str) -> tuple[bytes, bytes]:
    with open(f"/sys/class/net/{port}/address") as f:
        mac = bytes.fromhex(f.read().strip().replace(":", ""))
    out = subprocess.run(
        ["ip", "-4", "-o", "addr", "show", "dev", port], capture_output=True, text=True, check=True
    ).stdout.split()
    return mac, socket.inet_aton(out[out.index("inet") + 1].split("/")[0])


def main(args: list[str]) -> None:
    socks: dict[socket.socket, tuple[str, bytes, bytes]] = {}
    for arg in args:
        port, _, ips = arg.partition("=")
        mac, ip = port_addr(port)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
        s.bind((port, ETH_P_ARP))
        socks[s] = (port, mac, ip)
        for target in ips.split(","):
            arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac, ip, b"\0" * 6,
                              socket.inet_aton(target))  # fmt: skip
            s.send(b"\xff" * 6 + mac + struct.pack("!H", ETH_P_ARP) + arp)
    seen = set()
    deadline = time.monotonic() + 1.5
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select(list(socks), [], [], left)
        for s in ready:
            frame = s.recv(2048)
            port, mac, ip = socks[s]
            op, sha, spa, tpa = struct.unpack("!6xH6s4s6x4s", frame[14:42])
            if op == 2 and tpa == ip:
                seen.add((port, socket.inet_ntoa(spa), sha.hex(":")))
    for port, addr, hw in sorted(seen):
        print(json.dumps({"port": port, "ip": addr, "mac": hw}))


if __name__ == "__main__":
    main(sys.argv[1:])
