#!/usr/bin/env python3
"""Crash test: SIGKILL `huojud index` at random moments while it indexes and merges a growing
corpus, and check after every kill that the index opens (`huojud verify`) and answers a fixed
query set exactly as the corpus before or after the interrupted run.

Each step changes the corpus (new issue files from a generated pool, now and then a changed,
removed or renamed file, and every few steps a `--rebuild`), then runs `huojud index
--merge-factor 3` and kills it after a random delay, or as soon as it writes a new file, or
inside a merge, until one run completes. The expected answers of a state come from a fresh
index of it built without interruption. After each completed run no file the manifest does
not name may be left in the index folder.

    python3 scripts/crash_test.py              # >= 60 kills (release build)
    python3 scripts/crash_test.py --short      # >= 12 kills, for CI
    python3 scripts/crash_test.py --huojud .build/debug/huojud --kills 100 --seed 7
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("HUOJU_SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
QUERIES = ["科研助理", "孵化器 众创空间", "石嘴山", "title:科研助理", "5G", "火炬 -高新区", "人才 -科研"]
LIMIT = 1000


def answers(huojud, index):
    """Per query: the total and, when it fits in one page, the set of exact matches."""
    if not os.path.exists(os.path.join(index, "manifest.json")):
        return "no index"
    result = {}
    for query in QUERIES:
        out = subprocess.run([huojud, "search", "--index", index, "--json", "--exact", "--limit", str(LIMIT), query],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise AssertionError(f"search {query!r} failed: {out.stderr.strip()}")
        reply = json.loads(out.stdout)
        hits = sorted(f"{h['path']}#{h['ordinal']}" for h in reply["hits"]) if reply["total"] <= LIMIT else None
        result[query] = (reply["total"], hits)
    return result


def referenced_files(index):
    manifest = json.load(open(os.path.join(index, "manifest.json")))
    names = set()
    for segment in manifest["segments"]:
        names.update(segment["files"])
        if segment.get("deletes"):
            names.add(segment["deletes"]["file"])
    if manifest.get("sourceTable"):
        names.add(manifest["sourceTable"]["file"])
    return names


def index_files(index):
    """The files commits write and name: segment, deletion and source-table files, and temporaries."""
    return set(f for f in os.listdir(index) if f.startswith(("seg-", "sources-")) or f.endswith(".tmp"))


class Run:
    """One `huojud index`, its output lines timestamped as they arrive."""

    def __init__(self, command):
        self.started = time.perf_counter()
        self.events = []  # (seconds since start, stream, line)
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.readers = [threading.Thread(target=self._read, args=(stream, name), daemon=True)
                        for stream, name in ((self.proc.stdout, "out"), (self.proc.stderr, "err"))]
        for reader in self.readers:
            reader.start()

    def _read(self, stream, name):
        for line in stream:
            self.events.append((time.perf_counter() - self.started, name, line.rstrip("\n")))

    def finish(self):
        self.proc.wait()
        for reader in self.readers:
            reader.join()

    def phase(self):
        """Where the run was: before its commit, merging, or between/after merges."""
        lines = [line for _, _, line in self.events]
        if not any(l.startswith(("indexed", "merg")) or "up to date" in l for l in lines):
            return "indexing"
        merging = [l for l in lines if l.startswith("merging") or l.startswith("merged into")]
        return "merging" if merging and merging[-1].startswith("merging") else "committed"

    def merge_windows(self):
        """(start, end) seconds of each merge of a completed run."""
        windows, start = [], None
        for at, _, line in self.events:
            if line.startswith("merging"):
                start = at
            elif line.startswith("merged into") and start is not None:
                windows.append((start, at))
                start = None
        return windows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--short", action="store_true", help="fewer kills and a smaller corpus (CI)")
    ap.add_argument("--kills", type=int, help="kills to land (default 60, short 12)")
    ap.add_argument("--huojud", help="binary (default: release build, built when missing)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", help="keep the corpora and indexes here")
    args = ap.parse_args()
    target = args.kills or (12 if args.short else 60)
    rng = random.Random(args.seed)

    huojud = args.huojud or os.path.join(ROOT, ".build/release/huojud")
    if not args.huojud:
        subprocess.run(["swift", "build", "-c", "release", "--product", "huojud"], cwd=ROOT, check=True, capture_output=True)

    work = args.workdir or tempfile.mkdtemp(prefix="huoju-crash-")
    pool, corpus, index, reference = (os.path.join(work, n) for n in ("pool", "corpus", "index", "reference"))
    for path in (corpus, index, reference):
        shutil.rmtree(path, ignore_errors=True)
    if not os.path.isdir(pool):
        subprocess.run([sys.executable, os.path.join(SHARED, "tools/gen_corpus.py"), "1.5" if args.short else "10", pool,
                        "--seed", str(args.seed)], check=True, capture_output=True)
    os.makedirs(corpus)
    fresh = sorted(os.path.join(pool, name) for name in os.listdir(pool))
    rng.shuffle(fresh)
    for name in sorted(os.listdir(os.path.join(SHARED, "corpus"))):
        with open(os.path.join(SHARED, "corpus", name), "rb") as src, open(os.path.join(corpus, name), "wb") as dst:
            dst.write(src.read())

    def corpus_files():
        return sorted(os.path.join(d, f) for d, _, fs in os.walk(corpus) for f in fs)

    def mutate(step):
        """Changes the corpus; returns what was done."""
        done = []
        for _ in range(rng.randint(1, 4)):
            if not fresh:
                break
            source = fresh.pop()
            folder = os.path.join(corpus, str(2020 + step % 4))
            os.makedirs(folder, exist_ok=True)
            shutil.copyfile(source, os.path.join(folder, os.path.basename(source)))
            done.append("add")
        files = corpus_files()
        if step % 3 == 2 and files and fresh:
            target_file = rng.choice(files)
            shutil.copyfile(fresh.pop(), target_file)
            done.append("change")
        if step % 4 == 3 and len(files) > 3:
            os.remove(rng.choice(corpus_files()))
            done.append("remove")
        if step % 5 == 4 and len(files) > 3:
            old = rng.choice(corpus_files())
            os.rename(old, os.path.join(corpus, "renamed-%d-%s" % (step, os.path.basename(old))))
            done.append("rename")
        return done

    kills, phases, steps, checks, left_behind = 0, {}, 0, 0, 0
    windows = []
    estimate = 1.0
    before = "no index"
    started = time.perf_counter()
    while kills < target:
        steps += 1
        did = mutate(steps) if steps > 1 else ["first build"]
        rebuild = steps % 7 == 0
        shutil.rmtree(reference, ignore_errors=True)
        subprocess.run([huojud, "index", "--corpus", corpus, "--index", reference], check=True, capture_output=True)
        after = answers(huojud, reference)
        command = [huojud, "index", "--corpus", corpus, "--index", index, "--merge-factor", "3"] + (["--rebuild"] if rebuild else [])
        attempts = 0
        while True:
            attempts += 1
            run = Run(command)
            # Kill after a random delay, or during a merge; the last attempt of a step runs to
            # completion.
            completing = attempts > rng.randint(1, 3) or kills >= target
            if not completing:
                mode = rng.random()
                if mode < 0.3:
                    # While files are being written: as soon as a new file shows up in the folder.
                    existing = set(os.listdir(index)) if os.path.isdir(index) else set()
                    deadline = time.perf_counter() + 3 * estimate
                    while run.proc.poll() is None and time.perf_counter() < deadline and \
                            not (set(os.listdir(index)) - existing if os.path.isdir(index) else set()):
                        time.sleep(0.0005)
                elif windows and mode < 0.65:
                    # Into a merge: wait for one to start, then kill within a merge's duration.
                    deadline = time.perf_counter() + 3 * estimate
                    while run.proc.poll() is None and time.perf_counter() < deadline and \
                            not any(line.startswith("merging") for _, _, line in list(run.events)):
                        time.sleep(0.002)
                    time.sleep(rng.uniform(0, max(end - start for start, end in windows)))
                else:
                    time.sleep(max(0.0, rng.uniform(0, estimate) - (time.perf_counter() - run.started)))
            killed = False
            if not completing and run.proc.poll() is None:
                run.proc.send_signal(signal.SIGKILL)
                killed = True
            run.finish()
            if not killed and run.proc.returncode != 0:
                sys.exit(f"huojud index failed: {run.events}")
            if killed:
                kills += 1
                phase = run.phase()
                phases[phase] = phases.get(phase, 0) + 1
                if os.path.exists(os.path.join(index, "manifest.json")) and \
                        index_files(index) - referenced_files(index):
                    left_behind += 1
            # The index opens and is intact, and answers as before or after this step.
            state = answers(huojud, index)
            if state != "no index":
                verify = subprocess.run([huojud, "verify", "--index", index], capture_output=True, text=True)
                if verify.returncode != 0:
                    sys.exit(f"step {steps} ({did}), after {'a kill' if killed else 'completion'}: verify failed: {verify.stderr}")
            checks += 1
            if state != after and (state != before or not killed):
                diff = [q for q in QUERIES if state == "no index" or state[q] != after[q]]
                sys.exit(f"step {steps} ({did}), after {'a kill (' + run.phase() + ')' if killed else 'completion'}: "
                         f"answers match neither state; queries differing from the state after: {diff}")
            if not killed:
                estimate = max(0.05, (run.events[-1][0] if run.events else 0.5) * 1.2)
                windows = run.merge_windows() or windows
                leftovers = index_files(index) - referenced_files(index)
                if leftovers:
                    sys.exit(f"step {steps}: files no commit names were left: {sorted(leftovers)}")
                break
        before = after
        print(f"step {steps:3d} {'+'.join(did):28s} {'rebuild ' if rebuild else ''}kills so far {kills}", file=sys.stderr)

    elapsed = time.perf_counter() - started
    files = len(corpus_files())
    print(f"crash test passed: {kills} SIGKILLs over {steps} steps ({', '.join(f'{n} {p}' for p, n in sorted(phases.items()))}; "
          f"{left_behind} left files no commit names, all cleaned by the next run), {checks} checks of verify + "
          f"{len(QUERIES)} queries against the states before/after; final corpus {files} files; {elapsed:.0f} s")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
