#!/usr/bin/env python3
"""Live-index figures (release builds), against `huojud serve` over a generated corpus:

1. drop latency: a new issue file lands in the watched corpus folder (written in place, or
   written elsewhere and renamed in); time until a search over a persistent connection
   finds its marker word;
2. a client querying continuously during `huoju reindex --rebuild` of the whole corpus (and
   the merges after it): latency p50/p99/max and errors (a failed reply, or a total that
   differs from the one before the rebuild: the corpus does not change meanwhile).

    python3 scripts/bench_live.py                      # generate 100 MB first
    python3 scripts/bench_live.py --corpus /tmp/c100   # an existing corpus folder (files are added to it)
    python3 scripts/bench_live.py --size 5 --drops 3   # quick look
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from huoju_client import Connection

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("HUOJU_SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
MIX = ["科研助理", "高新区 人才", "孵化器", "石嘴山", "title:高新区", "众创空间 OR 孵化器", "\"国家高新区\"", "5G 人才"]


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def settled(conn):
    status = conn.ask({"op": "status"})["result"]
    last = status.get("lastReindex") or {}
    return last.get("state") in ("done", "failed") and not status["merging"], status


def wait_settled(conn, timeout=3600):
    deadline = time.time() + timeout
    while time.time() < deadline:
        ok, status = settled(conn)
        if ok:
            return status
        time.sleep(0.2)
    sys.exit("the daemon did not settle")


def marked_issue(text, marker):
    """`text` with `marker` added after a sentence in its middle."""
    stop = text.index("。", len(text) // 2)
    return text[:stop + 1] + marker + "。" + text[stop + 1:]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", help="corpus folder (default: generate --size MB)")
    ap.add_argument("--size", type=float, default=100)
    ap.add_argument("--drops", type=int, default=10)
    args = ap.parse_args()

    for product in ("huojud", "huoju"):
        subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True, capture_output=True)
    huojud = os.path.join(ROOT, ".build/release/huojud")

    work = tempfile.mkdtemp(prefix="huoju-live-")
    corpus = args.corpus
    if corpus is None:
        corpus = os.path.join(work, "corpus")
        subprocess.run([sys.executable, os.path.join(SHARED, "tools/gen_corpus.py"), str(args.size), corpus], check=True, capture_output=True)
    corpus = os.path.abspath(corpus)
    files = sorted(os.listdir(corpus))
    mb = sum(os.path.getsize(os.path.join(corpus, f)) for f in files) / 1e6
    incoming = os.path.join(corpus, "incoming-%d" % os.getpid())
    sock, index, log = (os.path.join(work, n) for n in ("huoju.sock", "index", "log"))
    started = time.perf_counter()
    daemon = subprocess.Popen([huojud, "serve", "--corpus", corpus, "--index", index, "--socket", sock], stderr=open(log, "w"))
    try:
        while not os.path.exists(sock):
            if daemon.poll() is not None:
                sys.exit("daemon did not start: " + open(log).read())
            time.sleep(0.05)
        conn = Connection(sock)
        status = wait_settled(conn)
        print(f"corpus: {corpus} ({mb:.1f} MB, {len(files)} files); first build and merges {time.perf_counter() - started:.1f} s: "
              f"{status['documents']} articles, {status['segments']} segments, generation {status['generation']}")

        # 1. Drop latency.
        os.makedirs(incoming)
        time.sleep(1)
        template = open(os.path.join(corpus, files[len(files) // 2]), encoding="utf-8").read()
        latencies = []
        for i in range(args.drops):
            marker = f"Zqxdrop{os.getpid()}n{i}"
            data = marked_issue(template, marker).encode()
            target = os.path.join(incoming, f"drop-{i}.txt")
            renamed = i % 2 == 1
            if renamed:
                staging = os.path.join(incoming, f".drop-{i}.txt.part")
                with open(staging, "wb") as f:
                    f.write(data)
                t0 = time.perf_counter()
                os.rename(staging, target)
            else:
                t0 = time.perf_counter()
                with open(target, "wb") as f:
                    f.write(data)
            while True:
                reply = conn.ask({"op": "search", "query": marker, "exact": True, "limit": 1})
                if reply.get("ok") and reply["result"]["total"] >= 1:
                    break
                if time.perf_counter() - t0 > 30:
                    sys.exit(f"{marker} not found after 30 s: " + open(log).read()[-2000:])
                time.sleep(0.002)
            latencies.append((time.perf_counter() - t0) * 1000)
            print(f"  drop {i} ({'renamed in' if renamed else 'written in place'}): searchable after {latencies[-1]:.0f} ms")
            time.sleep(0.5)
        status = wait_settled(conn)
        print(f"drop latency over {len(latencies)} files: median {statistics.median(latencies):.0f} ms, "
              f"max {max(latencies):.0f} ms (status: {status['segments']} segments, {status['merges']} merges)")

        # 2. Queries during a full rebuild.
        baseline = {q: conn.ask({"op": "search", "query": q, "limit": 10})["result"]["total"] for q in MIX}
        idle = []
        for i in range(3000):
            q = MIX[i % len(MIX)]
            t0 = time.perf_counter()
            conn.ask({"op": "search", "query": q, "limit": 10})
            idle.append((q, (time.perf_counter() - t0) * 1000))
        idle_load = os.getloadavg()[0]
        control = Connection(sock)
        generation = status["generation"]
        report = control.ask({"op": "reindex", "rebuild": True})
        if not report.get("ok"):
            sys.exit(f"reindex --rebuild refused: {report}")
        t_start = time.perf_counter()
        samples, errors, i = [], [], 0
        last_check = 0.0
        while True:
            q = MIX[i % len(MIX)]
            i += 1
            t0 = time.perf_counter()
            try:
                reply = conn.ask({"op": "search", "query": q, "limit": 10})
                if not reply.get("ok") or reply["result"]["total"] != baseline[q]:
                    errors.append(str(reply)[:200])
            except (OSError, ValueError) as error:
                errors.append(repr(error))
                conn = Connection(sock)
            samples.append((q, (time.perf_counter() - t0) * 1000))
            if t0 - last_check > 0.25:
                last_check = t0
                done, status = settled(control)
                if done and status["generation"] > generation and status["lastReindex"]["kind"] == "rebuild":
                    break
        wall = time.perf_counter() - t_start
        busy_load = os.getloadavg()[0]
        last = status["lastReindex"]

        def summary(pairs):
            times = [t for _, t in pairs]
            return f"p50 {percentile(times, 0.5):.2f} ms, p99 {percentile(times, 0.99):.2f} ms, max {max(times):.2f} ms"

        print(f"idle, same client and mix: {summary(idle)} over {len(idle)} queries (1-min load average {idle_load:.1f})")
        print(f"during reindex --rebuild ({last['seconds']:.1f} s) and its merges ({wall:.1f} s in all, generation {generation} -> "
              f"{status['generation']}): {len(samples)} queries, {summary(samples)}, {len(errors)} errors "
              f"(1-min load average {busy_load:.1f})")
        for q in MIX:
            print(f"  {q:14s} idle {summary([p for p in idle if p[0] == q])}; rebuilding {summary([p for p in samples if p[0] == q])}")
        for error in errors[:5]:
            print("  error:", error)
        if errors:
            sys.exit(1)
    finally:
        daemon.terminate()
        daemon.wait(timeout=60)
        shutil.rmtree(incoming, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
