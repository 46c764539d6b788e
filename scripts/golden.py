#!/usr/bin/env python3
"""Golden answers: what today's engine answers, recorded, so a rewrite can prove it changed none.

Drives the real daemon (`huojud serve`, one persistent connection, pipelined requests) over
two corpora and records every reply of a fixed request set:

  samples   ../shared/corpus (or $HUOJU_SHARED/corpus), freshly indexed;
  gen20     a 20 MB corpus from ../shared/tools/gen_corpus.py (fixed seed), in two states:
            `fresh` (first build), then `updated`: a seeded, evenly spread 1 file in 20 changed
            (a paragraph dropped, another doubled), 1 in 20 deleted and 3 added, indexed
            incrementally by `huojud index`, so deleted documents still count in N and avgdl
            (docs/index-format.md). `--merge-factor 1000` keeps merges out of it: which
            segments a merge picks depends on their byte sizes, which a new format changes.

Requests (generated once per corpus from its files with a seeded generator, stored in the
answers file and replayed as stored): the judged queries (Tests/Relevance/judgments.json),
the BM25 oracle queries (scripts/bm25_check.py), 200 generated queries (CJK runs, single
characters, AND, OR, exclusions, quoted phrases, field prefixes, Latin words and numbers),
filters (zone:, the zone option, issue:, date: ranges), exact-only, top-k counting, group by
zone, zone rankings, unlisted zones and malformed queries; every search at pages 1-3
(limit 10, offsets 0, 10, 20).

Recorded per reply: ok or the error (code and message), totals, every hit (file, ordinal,
title, score, issue fields, zones, snippet and highlights), zone facets, groups, zone
rankings. `tookMs` is left out, paths are reduced to the file name, scores are compared to
1e-6 (relative or absolute); everything else must be equal, hit order included (ties are
ordered by document id, which is deterministic). With top-k counting only the hits are
compared: the total is a lower bound by design.

    python3 scripts/golden.py check  [--huojud PATH] [--answers FILE] [--only samples|gen20]
    python3 scripts/golden.py record [--huojud PATH] [--answers FILE]

`check` exits 1 when any answer differs (printing the first differences), 2 when it cannot
run (including a corpus that is not the recorded one: gen_corpus.py or the samples changed).
Changing an answer on purpose means running `record` and committing the new file with a
message that says why. Python 3.11 standard library only.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import lzma
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bm25_check import QUERIES as ORACLE_QUERIES  # noqa: E402
from huoju_client import Connection  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("HUOJU_SHARED") or os.path.normpath(os.path.join(REPO, "..", "shared"))
DEFAULT_ANSWERS = os.path.join(REPO, "Tests", "Golden", "answers.json.xz")
JUDGMENTS = os.path.join(REPO, "Tests", "Relevance", "judgments.json")
GAZETTEER = os.path.join(REPO, "Data", "zones.tsv")
FORMAT = 1
GEN_SIZE_MB = 20
GEN_SEED = 20261202
QUERY_SEED = 11
GENERATED = 200
PAGES = (0, 10, 20)
TOLERANCE = 1e-6
SHOW = 40  # differences printed in full


class ToolError(Exception):
    pass


# --------------------------------------------------------------------------- corpora

def corpus_digest(folder: str) -> str:
    h = hashlib.sha256()
    for name in sorted(os.listdir(folder)):
        h.update(name.encode() + b"\0")
        with open(os.path.join(folder, name), "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def read_texts(folder: str) -> list[tuple[str, str]]:
    out = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            out.append((name, f.read().decode("utf-8", errors="ignore")))
    return out


def generate_corpus(folder: str) -> None:
    tool = os.path.join(SHARED, "tools", "gen_corpus.py")
    proc = subprocess.run([sys.executable, tool, str(GEN_SIZE_MB), folder, "--seed", str(GEN_SEED)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)
    if proc.returncode != 0:
        raise ToolError(f"gen_corpus.py failed: {proc.stderr.strip()[:2000]}")


def is_paragraph(line: str) -> bool:
    return len(line) >= 40 and not line.startswith("【")


def update_corpus(folder: str, rng: random.Random) -> dict:
    """Changes 1 file in 20, deletes 1 in 20 (evenly spread, so no segment reaches the merge
    policy's 25% deleted share) and adds 3, all chosen by `rng`."""
    names = sorted(os.listdir(folder))
    change_at, delete_at = rng.sample(range(20), 2)
    changed, deleted = [], []
    for i, name in enumerate(names):
        path = os.path.join(folder, name)
        if i % 20 == delete_at:
            os.remove(path)
            deleted.append(name)
        elif i % 20 == change_at:
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
            paragraphs = [j for j, line in enumerate(lines) if is_paragraph(line)]
            if len(paragraphs) < 2:
                continue
            drop, double = rng.sample(paragraphs, 2)
            lines[double] = lines[double] + "\n\n" + lines[double]
            del lines[drop]
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
            changed.append(name)
    kept = sorted(os.listdir(folder))
    added = []
    for k, source in enumerate(rng.sample(kept, 3)):
        with open(os.path.join(folder, source), encoding="utf-8") as f:
            lines = f.read().split("\n")
        paragraphs = [j for j, line in enumerate(lines) if is_paragraph(line)]
        order = paragraphs[:]
        rng.shuffle(order)
        moved = {a: lines[b] for a, b in zip(paragraphs, order)}
        name = f"{900000 + k:06d}_news.txt" if source.endswith("_news.txt") else f"{900000 + k:06d}_{source[7:]}"
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            f.write("\n".join(moved.get(j, line) for j, line in enumerate(lines)))
        added.append(name)
    return {"changed": len(changed), "deleted": len(deleted), "added": added}


# --------------------------------------------------------------------------- requests

def gazetteer_names() -> list[tuple[str, list[str]]]:
    zones = []
    with open(GAZETTEER, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("canonical\t") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            aliases = [a for a in (cols[4].split(",") if len(cols) > 4 else []) if a]
            zones.append((cols[0], aliases))
    return zones


CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
LATIN = re.compile(r"(?<![0-9A-Za-z.])[A-Za-z][A-Za-z0-9]{1,11}|(?<![0-9.])[0-9]{2,6}(?![0-9.])")
ISSUE = re.compile(r"(\d{4})年第(\d+)期\(总第(\d+)期\)\s*(\d{4})年(\d{1,2})月(\d{1,2})日")


def generated_queries(texts: list[tuple[str, str]], rng: random.Random, count: int) -> list[str]:
    """Queries made of what the corpus holds: runs of its CJK text, its Latin words and
    numbers, combined with the query syntax (docs/query-syntax.md)."""
    lines = [line for _, text in texts for line in text.split("\n") if CJK.search(line)]
    latin = sorted({m.group(0) for _, text in texts for m in LATIN.finditer(text)})

    def run(lo: int, hi: int) -> str:
        while True:
            runs = [r for r in CJK.findall(rng.choice(lines)) if len(r) >= lo]
            if runs:
                r = rng.choice(runs)
                n = rng.randint(lo, min(hi, len(r)))
                start = rng.randint(0, len(r) - n)
                return r[start:start + n]

    makers = [
        (30, lambda: run(2, 6)),
        (5, lambda: run(1, 1)),
        (15, lambda: f"{run(2, 4)} {run(2, 4)}"),
        (10, lambda: f"{run(2, 4)} OR {run(2, 4)}"),
        (5, lambda: f"{run(2, 3)}|{run(2, 3)} {run(2, 3)}"),
        (10, lambda: f"{run(2, 4)} -{run(2, 3)}"),
        (5, lambda: f"\"{run(2, 4)} {run(2, 4)}\""),
        (5, lambda: f"{rng.choice(['title', 'body', 'section', 'source'])}:{run(2, 4)}"),
        (5, lambda: rng.choice(latin) if latin else run(2, 4)),
        (5, lambda: f"{rng.choice(latin)} {run(2, 3)}" if latin else run(2, 3)),
        (5, lambda: f"({run(2, 3)} OR {run(2, 3)}) {run(2, 3)}"),
    ]
    weights = [w for w, _ in makers]
    queries: list[str] = []
    while len(queries) < count:
        q = rng.choices(makers, weights)[0][1]()
        if q not in queries:
            queries.append(q)
    return queries


def build_requests(texts: list[tuple[str, str]], generated: int) -> list[dict]:
    rng = random.Random(QUERY_SEED)
    with open(JUDGMENTS, encoding="utf-8") as f:
        judged = [q["query"] for q in json.load(f)["queries"]]
    base = list(dict.fromkeys(judged + ORACLE_QUERIES + generated_queries(texts, rng, generated)))

    corpus_text = "\n".join(text for _, text in texts)
    zones = [(name, aliases) for name, aliases in gazetteer_names() if name in corpus_text]
    zone_picks = rng.sample(zones, min(12, len(zones)))
    issues = sorted({m.groups() for m in ISSUE.finditer(corpus_text)})
    filters = []
    for name, aliases in zone_picks:
        filters.append(f"zone:{name} {rng.choice(base[:40])}")
        filters.append(f"zone:{rng.choice(aliases) if aliases else name}")
    for year, number, cumulative, y, m, d in rng.sample(issues, min(6, len(issues))):
        filters.append(f"issue:{cumulative} {rng.choice(base[:40])}")
        filters.append(f"issue:{number} date:{y}-01-01..{y}-12-31")
        filters.append(f"date:{y}-{int(m):02d}-{int(d):02d}")
        filters.append(f"高新区 date:..{y}-{int(m):02d}-{int(d):02d}")
        filters.append(f"人才 date:{y}-{int(m):02d}-{int(d):02d}..")
    malformed = ['"科研助理', "(孵化器 OR 人才", "OR 人才", "-人才", "date:2022-13-01", "issue:abc",
                 "nofield:人才", "，。", "()", "(" * 33 + "人才" + ")" * 33, "人" * 4097]

    requests: list[dict] = []

    def search(query: str, **extra) -> None:
        for offset in PAGES:
            requests.append({"op": "search", "query": query, "limit": 10, "offset": offset, **extra})

    for q in base + filters:
        search(q)
    for q in base[:60]:
        search(q, exact=True)
    for q in base[:60:2]:
        requests.append({"op": "search", "query": q, "limit": 10, "offset": 0, "counting": "topK"})
    for name, _ in zone_picks:
        search(rng.choice(base[:40]), zone=name)
    for q in base[:30]:
        requests.append({"op": "search", "query": q, "groupBy": "zone", "groupHits": 3, "limit": 5})
    for q in base[:80]:
        requests.append({"op": "zones", "query": q, "limit": 10})
    requests.append({"op": "zones", "unlisted": True})
    for q in malformed:
        requests.append({"op": "search", "query": q, "limit": 10, "offset": 0})
    return requests


# --------------------------------------------------------------------------- the daemon

class Daemon:
    """`huojud serve` on a prepared index: started, asked, stopped with SIGTERM (must exit 0)."""

    def __init__(self, huojud: str, corpus: str, index: str, work: str):
        self.socket = os.path.join(work, "golden.sock")
        self.log = os.path.join(work, "daemon.log")
        self.proc = subprocess.Popen(
            [huojud, "serve", "--corpus", corpus, "--index", index, "--socket", self.socket, "--no-watch",
             "--merge-factor", "1000"],
            stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        deadline = time.monotonic() + 300
        while True:
            if self.proc.poll() is not None:
                raise ToolError(f"daemon exited {self.proc.returncode}: {self.log_text()}")
            if os.path.exists(self.socket):
                try:
                    self.conn = Connection(self.socket)
                    if self.conn.ask({"op": "ping"}).get("ok"):
                        break
                except OSError:
                    pass
            if time.monotonic() > deadline:
                self.proc.kill()
                raise ToolError("daemon did not answer within 300 s")
            time.sleep(0.05)
        self.wait_idle()

    def log_text(self) -> str:
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()[-3000:]

    def wait_idle(self) -> None:
        """The start-up pass must have found nothing to do before anything is recorded."""
        deadline = time.monotonic() + 300
        while True:
            status = self.conn.ask({"op": "status"})["result"]
            report = status.get("lastReindex") or {}
            if report.get("state") in ("done", "failed") and not status.get("merging"):
                if report.get("state") == "failed" or report.get("generation") is not None:
                    raise ToolError(f"the daemon's start-up pass changed the index: {report}")
                return
            if time.monotonic() > deadline:
                raise ToolError(f"the daemon's start-up pass did not finish: {report}")
            time.sleep(0.05)

    def ask_all(self, requests: list[dict], window: int = 64) -> list[dict]:
        """Pipelined, `window` requests in flight; replies must echo their ids in order."""
        replies: list[dict] = []
        sent = 0
        while len(replies) < len(requests):
            while sent < len(requests) and sent - len(replies) < window:
                self.conn.send({"v": 1, "id": sent, **requests[sent]})
                sent += 1
            reply = self.conn.read()
            if reply.get("id") != len(replies):
                raise ToolError(f"reply id {reply.get('id')} for request {len(replies)}")
            replies.append(reply)
        return replies

    def stop(self) -> None:
        self.conn.close()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise ToolError("daemon did not stop within 60 s of SIGTERM")
        if code != 0:
            raise ToolError(f"daemon exited {code} on SIGTERM: {self.log_text()}")


def run_tool(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=1800)
    if proc.returncode != 0:
        raise ToolError(f"`{' '.join(cmd[:4])} …` exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")


def index(huojud: str, corpus: str, index_dir: str) -> None:
    """`--threads 2` fixes how files are cut into segments (one chunk per thread), hence each
    segment's deleted share, whatever the machine; answers do not depend on it otherwise."""
    run_tool([huojud, "index", "--corpus", corpus, "--index", index_dir, "--merge-factor", "1000", "--threads", "2"])


# --------------------------------------------------------------------------- answers

# What a hit says about its article, whatever the query: kept once per state, in `articles`.
ARTICLE_FIELDS = ("title", "issue", "issueNumber", "cumulative", "date", "section", "source", "byline", "zones",
                  "primaryZone")


def hit_key(hit: dict) -> str:
    return f"{os.path.basename(hit.get('path', ''))}#{hit.get('ordinal')}"


def normal_hit(hit: dict, articles: dict) -> dict:
    """The query's part of a hit (score, snippet, highlights…), its article's fields moved to
    `articles`, where one article must always read the same."""
    key = hit_key(hit)
    article = {k: hit[k] for k in ARTICLE_FIELDS if k in hit}
    if articles.setdefault(key, article) != article:
        raise ToolError(f"article {key} reads differently in two hits: {articles[key]} / {article}")
    out = {k: v for k, v in hit.items() if k not in ARTICLE_FIELDS and k not in ("path", "ordinal", "explain")}
    out["article"] = key
    return out


def normal_reply(request: dict, reply: dict, articles: dict) -> dict:
    if not reply.get("ok"):
        return {"ok": False, "error": reply.get("error")}
    result = dict(reply["result"])
    result.pop("tookMs", None)
    if request.get("counting") == "topK":
        result.pop("total", None)
    if "hits" in result:
        result["hits"] = [normal_hit(h, articles) for h in result["hits"]]
    for group in result.get("groups") or []:
        group["hits"] = [normal_hit(h, articles) for h in group.get("hits") or []]
    for zone in result.get("zones") or []:
        if "best" in zone:
            zone["best"] = normal_hit(zone["best"], articles)
    return {"ok": True, "result": result}


def answers_for(huojud: str, corpus: str, index_dir: str, work: str, requests: list[dict]) -> tuple[list[dict], dict]:
    """The normalized replies, and the fields of every article they name."""
    daemon = Daemon(huojud, corpus, index_dir, work)
    try:
        replies = daemon.ask_all(requests)
    finally:
        daemon.stop()
    articles: dict = {}
    return [normal_reply(req, rep, articles) for req, rep in zip(requests, replies)], articles


def close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def diff(want, got, path: str, out: list[str]) -> None:
    """Differences between a recorded value and a new one: floats to TOLERANCE, else equal."""
    if isinstance(want, float) or isinstance(got, float):
        if not (isinstance(want, (int, float)) and isinstance(got, (int, float)) and close(want, got)):
            out.append(f"{path}: recorded {want!r}, now {got!r}")
    elif isinstance(want, dict) and isinstance(got, dict):
        for key in sorted(set(want) | set(got)):
            if key not in got:
                out.append(f"{path}.{key}: recorded {want[key]!r}, now missing")
            elif key not in want:
                out.append(f"{path}.{key}: not recorded, now {got[key]!r}")
            else:
                diff(want[key], got[key], f"{path}.{key}", out)
    elif isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            out.append(f"{path}: recorded {len(want)} items, now {len(got)}")
        for i, (w, g) in enumerate(zip(want, got)):
            diff(w, g, f"{path}[{i}]", out)
    elif want != got:
        out.append(f"{path}: recorded {want!r}, now {got!r}")


def explain_order(want: dict, got: dict) -> str | None:
    """When only the order of equally scored hits differs, say so (it is still a difference:
    ties are ordered by document id)."""
    w, g = (want.get("result") or {}).get("hits"), (got.get("result") or {}).get("hits")
    keys = lambda hits: [h["article"] for h in hits]  # noqa: E731
    if not w or not g or keys(w) == keys(g):
        return None
    if sorted(keys(w)) == sorted(keys(g)) and all(close(a["score"], b["score"]) for a, b in zip(w, g)):
        return "only the order of equally scored hits differs"
    return "hits: recorded " + ", ".join(keys(w)) + "; now " + ", ".join(keys(g))


# --------------------------------------------------------------------------- driving

def states(huojud: str, work: str, only: str | None, recorded: dict | None):
    """Yields (corpus name, state name, corpus digest, requests, answers) in recording order."""
    if only in (None, "samples"):
        corpus = os.path.join(SHARED, "corpus")
        if not os.path.isdir(corpus) or not os.listdir(corpus):
            raise ToolError(f"no sample corpus at {corpus}")
        requests = recorded["samples"]["requests"] if recorded else build_requests(read_texts(corpus), 60)
        index_dir = os.path.join(work, "samples-index")
        index(huojud, corpus, index_dir)
        yield "samples", "fresh", corpus_digest(corpus), requests, \
            lambda: answers_for(huojud, corpus, index_dir, work, requests)
    if only in (None, "gen20"):
        corpus = os.path.join(work, "gen20")
        generate_corpus(corpus)
        requests = recorded["gen20"]["requests"] if recorded else build_requests(read_texts(corpus), GENERATED)
        index_dir = os.path.join(work, "gen20-index")
        index(huojud, corpus, index_dir)
        yield "gen20", "fresh", corpus_digest(corpus), requests, \
            lambda: answers_for(huojud, corpus, index_dir, work, requests)
        summary = update_corpus(corpus, random.Random(GEN_SEED))
        print(f"golden: gen20 updated: {summary['changed']} changed, {summary['deleted']} deleted, "
              f"{len(summary['added'])} added", file=sys.stderr)
        index(huojud, corpus, index_dir)
        yield "gen20", "updated", corpus_digest(corpus), requests, \
            lambda: answers_for(huojud, corpus, index_dir, work, requests)


def default_huojud() -> str:
    for build in ("release", "debug"):
        path = os.path.join(REPO, ".build", build, "huojud")
        if os.access(path, os.X_OK):
            return path
    raise ToolError("no huojud built: swift build -c release (or pass --huojud)")


def record(args, huojud: str, work: str) -> int:
    data = {"format": FORMAT, "tolerance": TOLERANCE, "corpora": {}}
    for name, state, digest, requests, answers in states(huojud, work, None, None):
        started = time.monotonic()
        corpus = data["corpora"].setdefault(name, {"requests": requests, "states": {}})
        replies, articles = answers()
        answered = sum(1 for r in replies if r["ok"] and (r["result"].get("hits") or r["result"].get("groups")
                                                           or r["result"].get("zones")))
        if answered < len(replies) // 4:  # answers that are all empty would hold nothing to keep
            raise ToolError(f"{name}/{state}: only {answered} of {len(replies)} replies found anything")
        corpus["states"][state] = {"corpus": digest, "answers": replies, "articles": articles}
        print(f"golden: recorded {name}/{state}: {len(requests)} requests in {time.monotonic() - started:.1f} s",
              file=sys.stderr)
    os.makedirs(os.path.dirname(args.answers), exist_ok=True)
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    with open(args.answers, "wb") as f:  # xz: pages and states repeat much of each other's text
        f.write(lzma.compress(raw, preset=9))
    print(f"golden: wrote {os.path.relpath(args.answers, REPO)} ({os.path.getsize(args.answers)} bytes)")
    return 0


def check(args, huojud: str, work: str) -> int:
    with lzma.open(args.answers, "rt", encoding="utf-8") as f:
        data = json.load(f)
    if data.get("format") != FORMAT:
        raise ToolError(f"{args.answers}: format {data.get('format')}, this script reads {FORMAT}")
    corpora = data["corpora"]
    checked = differing = 0
    shown = 0
    for name, state, digest, requests, answers in states(huojud, work, args.only, corpora):
        recorded = corpora[name]["states"][state]
        if digest != recorded["corpus"]:
            raise ToolError(f"{name}/{state}: the corpus is not the recorded one (gen_corpus.py, its seed "
                            "files or the update changed); record again if that is intended")
        started = time.monotonic()
        got, articles = answers()
        for key in sorted(set(articles) & set(recorded["articles"])):
            found = []
            diff(recorded["articles"][key], articles[key], f"article {key}", found)
            if found:
                differing += 1
                print(f"DIFF {name}/{state} article {key}: " + "; ".join(found[:8]))
        for request, want, now in zip(requests, recorded["answers"], got):
            checked += 1
            found: list[str] = []
            diff(want, now, "reply", found)
            if not found:
                continue
            differing += 1
            if shown < SHOW:
                shown += 1
                note = explain_order(want, now)
                print(f"DIFF {name}/{state} {json.dumps(request, ensure_ascii=False)}")
                for line in ([note] if note else []) + found[:8]:
                    print(f"     {line}")
                if len(found) > 8:
                    print(f"     … {len(found) - 8} more")
        print(f"golden: {name}/{state}: {len(requests)} requests in {time.monotonic() - started:.1f} s",
              file=sys.stderr)
    if differing > shown:
        print(f"… {differing - shown} more differing replies")
    print(f"golden: {checked} replies checked, {differing} differ")
    if checked == 0:
        print("golden: nothing was checked", file=sys.stderr)
        return 1
    return 1 if differing else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=("check", "record"))
    ap.add_argument("--huojud", help="huojud binary (default: .build/release/huojud, else .build/debug/huojud)")
    ap.add_argument("--answers", default=DEFAULT_ANSWERS, help="the recorded answers (JSON, xz-compressed)")
    ap.add_argument("--only", choices=("samples", "gen20"), help="check one corpus only (record always records both)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (corpora, indexes, daemon log)")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="huoju-golden-")
    try:
        huojud = os.path.abspath(args.huojud) if args.huojud else default_huojud()
        return record(args, huojud, work) if args.mode == "record" else check(args, huojud, work)
    except (ToolError, OSError, subprocess.TimeoutExpired) as error:
        print(f"golden: error: {error}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"golden: work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
