"""Comptoir's app icons (the favicon's house on teal) as PNGs, drawn in plain Python so that
no imaging library is needed: `python -m comptoir.core.pwa_icons` writes
comptoir/static/icons/icon-{192,512}.png and maskable-512.png (the progressive web app's
manifest, comptoir/core/pwa.py, lists them)."""

import itertools
import math
import struct
import zlib
from pathlib import Path

TEAL = (0x0B, 0x6E, 0x6E)
WHITE = (0xFF, 0xFF, 0xFF)
# The favicon's house, in its 24-unit box: M6 18 v-7 l6-4.5 6 4.5 v7 z
HOUSE = [(6, 18), (6, 11), (12, 6.5), (18, 11), (18, 18), (6, 18)]


def _segment_distance(px, py, a, b) -> float:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _pixel(x: float, y: float, size: int, maskable: bool) -> tuple[int, int, int, int]:
    unit = 24 / size
    u, v = x * unit, y * unit
    if maskable:  # the drawing in the middle 80 %: the safe zone a mask never cuts
        u, v = 12 + (u - 12) / 0.8, 12 + (v - 12) / 0.8
    else:  # rounded corners (rx 5), transparent outside
        cx, cy = min(max(u, 5), 19), min(max(v, 5), 19)
        if math.hypot(u - cx, v - cy) > 5:
            return (0, 0, 0, 0)
    line = min(_segment_distance(u, v, a, b) for a, b in itertools.pairwise(HOUSE))
    return (*WHITE, 255) if line <= 1.0 else (*TEAL, 255)


def png(size: int, maskable: bool = False) -> bytes:
    rows = []
    for y in range(size):
        row = bytearray([0])  # no filter
        for x in range(size):
            # 2x2 supersampling: smooth edges
            samples = [
                _pixel(x + dx, y + dy, size, maskable) for dx in (0.25, 0.75) for dy in (0.25, 0.75)
            ]
            row.extend(round(sum(s[i] for s in samples) / 4) for i in range(4))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    folder = Path(__file__).resolve().parent.parent / "static" / "icons"
    folder.mkdir(exist_ok=True)
    (folder / "icon-192.png").write_bytes(png(192))
    (folder / "icon-512.png").write_bytes(png(512))
    (folder / "maskable-512.png").write_bytes(png(512, maskable=True))


if __name__ == "__main__":
    main()
