#!/usr/bin/env python3
"""make_gpt.py IMAGE FIRST_LBA LAST_LBA: writes a primary GPT (protective MBR, header at
LBA 1, 128 entries at LBA 2) with one partition [FIRST_LBA, LAST_LBA] into IMAGE,
which must exist and be at least LAST_LBA+34 sectors. Only the primary header: the
disk scheme uses it when its CRCs hold."""
import struct
import sys
import uuid
import zlib

path, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "r+b") as f:
    f.seek(0, 2)
    sectors = f.tell() // 512
    mbr = bytearray(512)
    mbr[446:462] = struct.pack("<BBBBBBBBII", 0, 0, 2, 0, 0xEE, 0xFF, 0xFF, 0xFF, 1, min(sectors - 1, 0xFFFFFFFF))
    mbr[510:512] = b"\x55\xaa"
    entries = bytearray(128 * 128)
    linux_data = uuid.UUID("0FC63DAF-8483-4772-8E79-3D69D8477DE4").bytes_le
    name = "redox-sim".encode("utf-16-le")
    entries[0:128] = struct.pack("<16s16sQQQ72s", linux_data, uuid.uuid4().bytes_le, first, last, 0, name)
    header = bytearray(struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0, 1, sectors - 1, 34,
                                   sectors - 34, uuid.uuid4().bytes_le, 2, 128, 128, zlib.crc32(entries)))
    header[16:20] = struct.pack("<I", zlib.crc32(header))
    f.seek(0)
    f.write(mbr + header + bytes(512 - 92) + entries)
