#!/usr/bin/env python3
"""A file without line breaks indexes at the normal MB/s, or is refused at once (issue #12, item 3).

Makes one file of the sample issues of ../shared/corpus repeated with their newlines removed
(never committed), and, for reference, the same samples repeated as ordinary files of the same
total size. Indexes both with the release `huojud` on one thread and checks:
- the single line indexes at no less than half the reference's MB/s (it once grew
  quadratically: 4 MB took minutes);
- with a buffer too small for it, the file is refused unread, with a message
  that names --buffer-mb (within two seconds: the file is not read).

    python3 scripts/single_line.py            # 50 MB
    python3 scripts/single_line.py --short    # 8 MB (CI)
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("HUOJU_SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
# SegmentBuilder.memoryPerTextByte, with room: the buffer one thread needs for a file of n bytes.
BUFFER_PER_BYTE = 24


def samples() -> list[str]:
    folder = os.path.join(SHARED, "corpus")
    names = sorted(n for n in os.listdir(folder) if n.endswith(".txt"))
    if not names:
        sys.exit(f"no sample issues in {folder} (set HUOJU_SHARED)")
    return [open(os.path.join(folder, n), encoding="utf-8").read() for n in names]


def repeated(text: str, size: int) -> bytes:
    data = text.encode() * (size // len(text.encode()) + 1)
    return data[:size].decode("utf-8", "ignore").encode()


def index(huojud: str, corpus: str, where: str, *extra: str) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run([huojud, "index", "--corpus", corpus, "--index", where, "--rebuild", "--threads", "1", *extra],
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"huojud index failed: {done.stderr}")
    return time.monotonic() - started, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--short", action="store_true", help="8 MB instead of 50 (CI)")
    parser.add_argument("--size", type=int, help="megabytes (default 50, or 8 with --short)")
    args = parser.parse_args()
    size = (args.size or (8 if args.short else 50)) * 1_000_000

    huojud = os.path.join(ROOT, ".build/release/huojud")
    print("building release huojud …", file=sys.stderr)
    subprocess.run(["swift", "build", "-c", "release", "--product", "huojud"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    texts = samples()
    work = tempfile.mkdtemp(prefix="huoju-single-line-")
    try:
        line, reference = os.path.join(work, "line"), os.path.join(work, "reference")
        os.makedirs(line)
        os.makedirs(reference)
        with open(os.path.join(line, "line.txt"), "wb") as out:
            out.write(repeated("".join(texts).replace("\r", "").replace("\n", ""), size))
        written = 0
        while written < size:
            for i, text in enumerate(texts):
                with open(os.path.join(reference, f"{written:012d}_{i}.txt"), "w", encoding="utf-8") as out:
                    out.write(text)
                written += len(text.encode())
        mb = size / 1_000_000
        buffer = f"{BUFFER_PER_BYTE * size // 1_000_000 + 64}"

        seconds, _ = index(huojud, reference, os.path.join(work, "index-reference"), "--buffer-mb", buffer)
        normal = written / 1_000_000 / seconds
        seconds, summary = index(huojud, line, os.path.join(work, "index-line"), "--buffer-mb", buffer)
        single = mb / seconds
        print(f"{mb:.0f} MB on one line: {single:.2f} MB/s; the same samples as files: {normal:.2f} MB/s "
              f"(ratio {single / normal:.2f}, one thread)")
        if "skipped" in summary:
            sys.exit(f"FAIL: the single line was skipped: {summary.strip()}")
        if single < 0.5 * normal:
            sys.exit("FAIL: a file without line breaks indexes at less than half the normal MB/s")

        small = str(max(1, BUFFER_PER_BYTE * size // (4 << 20)))  # a quarter of what the file needs
        seconds, summary = index(huojud, line, os.path.join(work, "index-refused"), "--buffer-mb", small)
        print(f"with --buffer-mb {small}: {seconds:.2f} s: {summary.strip()}")
        if "raise --buffer-mb" not in summary or seconds > 2.0:
            sys.exit("FAIL: a file beyond the buffer is not refused at once with the limit and how to raise it")
        print("ok")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
