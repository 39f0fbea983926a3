#!/usr/bin/env python3
"""Exits 0 when at least SHARE of a PNG's pixels are strongly coloured (chart fills and lines), 1 otherwise.

Reads 8-bit RGB/RGBA non-interlaced PNGs (what Chromium writes) with the standard library only."""
import struct, sys, zlib

def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, "unsupported PNG layout"
    channels = 3 if colour == 2 else 4
    raw, stride, previous, rows = zlib.decompress(idat), width * channels, bytearray(width * channels), []
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1: line[i] = (line[i] + left) & 255
            elif kind == 2: line[i] = (line[i] + up) & 255
            elif kind == 3: line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(line)
        previous = line
    return rows, width, channels

rows, width, channels = pixels(sys.argv[1])
share = float(sys.argv[2])
coloured = total = 0
for line in rows:
    for x in range(0, width * channels, channels * 2):
        r, g, b = line[x], line[x + 1], line[x + 2]
        total += 1
        coloured += max(r, g, b) - min(r, g, b) > 60
print(f"{sys.argv[1]}: {coloured / total:.1%} strongly coloured pixels")
sys.exit(0 if coloured / total >= share else 1)
