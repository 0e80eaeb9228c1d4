#!/usr/bin/env python3
"""Regenerate the seed corpus of tests/fuzz/fuzz_archw.c.

Writes small (< 4 KiB), deterministic .tar.gz and .zip bodies to
tests/fuzz/corpus/archw/: a few valid modules and a set of malicious or
broken ones, one per rule of common/archw.c.  The fuzz target runs with
max_entries 8 and max_bytes 4096.  Usage: tests/fuzz/gen_archw_corpus.py
"""
import gzip
import io
import os
import struct
import tarfile
import zipfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "corpus", "archw")
MTIME = 1700000000
TF = b'variable "x" {}\n'


def tar(members, fmt=tarfile.PAX_FORMAT):
    """members: (name, kind, arg): f file (bytes), d dir, l/h link, c, p."""
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=fmt) as t:
        for name, kind, arg in members:
            ti = tarfile.TarInfo(name)
            ti.mtime = MTIME
            ti.mode = 0o644
            data = None
            if kind == "f":
                ti.size = len(arg)
                data = io.BytesIO(arg)
            elif kind == "d":
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            elif kind == "l":
                ti.type, ti.linkname, ti.mode = tarfile.SYMTYPE, arg, 0o777
            elif kind == "h":
                ti.type, ti.linkname = tarfile.LNKTYPE, arg
            elif kind == "c":
                ti.type, ti.devmajor, ti.devminor = tarfile.CHRTYPE, 1, 3
            elif kind == "p":
                ti.type = tarfile.FIFOTYPE
            elif kind == "s":  # setuid file
                ti.size, ti.mode = len(arg), 0o4755
                data = io.BytesIO(arg)
            t.addfile(ti, data)
    return bio.getvalue()


def tgz(members, fmt=tarfile.PAX_FORMAT):
    return gzip.compress(tar(members, fmt), compresslevel=9, mtime=0)


def zipb(members, method=zipfile.ZIP_STORED):
    """members: (name, data, unix mode or None)."""
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", method) as z:
        for name, data, mode in members:
            zi = zipfile.ZipInfo(name, date_time=(2023, 11, 14, 22, 13, 20))
            zi.compress_type = method
            zi.create_system = 3
            if mode is not None:
                zi.external_attr = mode << 16
            z.writestr(zi, data)
    return bio.getvalue()


def patch_cd_name(body, old, new):
    """Rename an entry in the central directory only."""
    i = body.rindex(old)
    return body[:i] + new + body[i + len(old):]


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        # valid
        "ok-module.tgz": tgz([("./", "d", None), ("main.tf", "f", TF),
                              ("modules/sub/main.tf", "f", TF),
                              ("README.md", "f", b"# m\n")]),
        "ok-symlink.tgz": tgz([("a.tf", "f", TF), ("b.tf", "l", "a.tf"),
                               ("d/l", "l", "../a.tf")],
                              fmt=tarfile.GNU_FORMAT),
        "ok-module.zip": zipb([("main.tf", TF, 0o100644),
                               ("modules/", b"", 0o40755),
                               ("modules/x.tf.json", b"{}", 0o100644)]),
        "ok-deflate.zip": zipb([("main.tf", TF * 8, None)],
                               zipfile.ZIP_DEFLATED),
        "ok-symlink.zip": zipb([("a.tf", TF, 0o100644),
                                ("b.tf", b"a.tf", 0o120777)]),
        # refused
        "bad-abs.tgz": tgz([("main.tf", "f", TF), ("/etc/x.tf", "f", TF)]),
        "bad-dotdot.zip": zipb([("main.tf", TF, None),
                                ("a/../../x.tf", TF, None)]),
        "bad-symlink-escape.tgz": tgz([("main.tf", "f", TF),
                                       ("a/l", "l", "../../x")]),
        "bad-under-symlink.tgz": tgz([("main.tf", "f", TF), ("l", "l", "."),
                                      ("l/x.tf", "f", TF)]),
        "bad-hardlink.tgz": tgz([("main.tf", "f", TF),
                                 ("h", "h", "/etc/shadow")]),
        "bad-devices.tgz": tgz([("main.tf", "f", TF), ("tty", "c", None),
                                ("fifo", "p", None)]),
        "bad-setuid.tgz": tgz([("main.tf", "f", TF),
                               ("run.sh", "s", b"#!/bin/sh\n")]),
        "bad-symlink-abs.zip": zipb([("main.tf", TF, None),
                                     ("passwd", b"/etc/passwd", 0o120777)]),
        "bad-cd-mismatch.zip": patch_cd_name(
            zipb([("main.tf", TF, None), ("evil.tf", TF, None)]),
            b"evil.tf", b"../x.tf"),
        "bad-no-tf.tgz": tgz([("README.md", "f", b"# m\n")]),
        "bad-many.tgz": tgz([("f%d.tf" % i, "f", b"x") for i in range(9)]),
        "bad-big.zip": zipb([("main.tf", b"\0" * 8192, None)],
                            zipfile.ZIP_DEFLATED),
        "bad-plain.tar": tar([("main.tf", "f", TF)])[:2048],
    }
    # A tar.gz whose gzip CRC is wrong.
    b = bytearray(seeds["ok-module.tgz"])
    b[-8] ^= 1
    seeds["bad-gzip-crc.tgz"] = bytes(b)
    # A zip whose headers understate the size (bomb shape).
    b = bytearray(seeds["bad-big.zip"])
    struct.pack_into("<I", b, b.index(b"PK\3\4") + 22, 10)
    struct.pack_into("<I", b, b.rindex(b"PK\1\2") + 24, 10)
    seeds["bad-bomb.zip"] = bytes(b)

    for name, body in sorted(seeds.items()):
        assert len(body) < 4096, (name, len(body))
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(body)
        print("%-26s %5d bytes" % (name, len(body)))


if __name__ == "__main__":
    main()
