#!/usr/bin/env python3
"""Fails unless a `swift test` log shows every swift-testing test declared under the given
folders finish, none failed, and none went missing: a suite renamed past a `--filter`, or a
test lost to a build, must not leave a stage green while it ran nothing.

    scripts/expect_tests.py LOG FOLDER...

Declared tests are the `@Test` functions of the folders' Swift files; a test counts as run when
the log reports it passed, or skipped by its own `.enabled(if:)` condition. Prints
`expect_tests: N of N tests ran` and exits 1 on any missing or failed test.
Python 3.11 standard library only.
"""
from __future__ import annotations

import collections
import glob
import os
import re
import sys

FUNC = re.compile(r"\bfunc\s+(\w+)\s*\(")
REPORTED = re.compile(r"\bTest (\w+)\(.*?\) (passed|failed|skipped)\b")


def declared(folders: list[str]) -> collections.Counter:
    names: collections.Counter = collections.Counter()
    for folder in folders:
        for path in sorted(glob.glob(os.path.join(folder, "**", "*.swift"), recursive=True)):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for attribute in re.finditer(r"@Test\b", text):
                function = FUNC.search(text, attribute.end())
                if function:
                    names[function.group(1)] += 1
    return names


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    log, folders = sys.argv[1], sys.argv[2:]
    want = declared(folders)
    if not want:
        print(f"expect_tests: no @Test functions under {', '.join(folders)}", file=sys.stderr)
        return 1
    ran: collections.Counter = collections.Counter()
    failed = set()
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            for name, status in REPORTED.findall(line):
                if name in want:
                    ran[name] += 1
                    if status == "failed":
                        failed.add(name)
    missing = sorted(name for name, count in want.items() if ran[name] < count)
    for name in missing:
        print(f"expect_tests: {name} did not run")
    for name in sorted(failed):
        print(f"expect_tests: {name} failed")
    total = sum(want.values())
    print(f"expect_tests: {total - sum(want[n] - min(ran[n], want[n]) for n in want)} of {total} tests ran")
    return 1 if missing or failed else 0


if __name__ == "__main__":
    sys.exit(main())
