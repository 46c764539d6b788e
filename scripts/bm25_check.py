#!/usr/bin/env python3
"""Independent BM25 cross-check of `huojud search --explain`.

Recomputes, from `huojud parse --json` and `huojud analyze --json` only (never from the
index), every statistic Huoju's ranking uses and compares it with what
`huojud search --json --explain --exact` reports, on an index this script builds in a
temporary directory from a copy of the corpus, in three states:

  * fresh: the first build;
  * after deletes: the file with the fewest articles changed (a paragraph dropped, another
    doubled) and indexed incrementally. Its old articles are deleted but, as documented
    (docs/index-format.md), still count in N, avgdl and every df until a merge drops them;
    the oracle matches only the live articles;
  * after merge: the largest file removed too, so the merge policy reclaims the deletes;
    statistics are the live articles' alone, and every query must answer as on a fresh
    build of the same files (hits, totals, scores to 1e-9).

(manifest.json is read only to confirm each state's premise: deletes present, then gone.)
Checked in each state:

  * N (articles), per-field average length (avgdl, over ALL articles, empty fields = 0),
    field length (dl = analyze `length`), word tf/df (word layer: ICU words of >= 2 CJK
    chars and Latin words/numbers), phrase tf (overlapping occurrences of the folded query
    part in the folded field text) and the df of each of the phrase's index terms;
  * idf = ln(1 + (N - n + 0.5) / (n + 0.5)) for a word; for a phrase, the sum of its index
    terms' idfs (Lucene's PhraseQuery). The index terms of a query part are derived here from
    its analysis: per run of CJK characters the bigrams at offsets 0, 2, 4, … plus the last
    one (one character: its unigram), and each Latin word; the explain entry's `terms` must be
    exactly these, in order, with their dfs;
  * tfNorm = tf / (tf + k1 (1 - b + b dl/avgdl)),
    score = boost * idf * tfNorm (k1 = 1.2, b = 0.75, boost title 2.0 / body 1.0);
  * that the explain entries are exactly the expected ones and sum to the hit score;
  * that the hit set of `--exact` equals a substring oracle: the articles whose folded
    title or folded body contains every query part's folded text;
  * (second pass, without --exact; skip with --no-partial) that exact hits come first and
    the partial hits are exactly the other articles holding some query word, scored by
    word terms only.

The run fails when the corpus yields no article, when no query has an exact hit, and when a
query plan (one CJK character, two, an even or odd run, a Latin word, Latin and CJK in one part,
several parts, a folded spelling) is met by no query with hits (built-in query list only).

Queries must be plain text parts separated by spaces: quotes, parentheses, `|`, `OR`,
a leading `-` and `field:` prefixes are query syntax the oracle does not model, so such
queries are skipped with a warning.

Oracle notes: a Latin/number query edge must sit on a token boundary in the text (the
engine matches Latin words as whole tokens, so "5g" must not match inside "25g"); apart
from that the oracle is a plain substring test on the folded text.

Usage (from the repo root):
    python3 scripts/bm25_check.py [--huojud PATH] [--corpus DIR] [--query Q ...] [-v]

Prints every mismatch and a final line `bm25_check: N passed, M failed`; exits 1 on any
failure, 2 when the tools cannot run. Python 3.11 standard library only.
"""
from __future__ import annotations

import argparse
import collections
import glob
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# ../shared/corpus beside the repository, or $HUOJU_SHARED/corpus.
DEFAULT_CORPUS = os.path.join(os.environ["HUOJU_SHARED"], "corpus") if os.environ.get("HUOJU_SHARED") else \
    os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "corpus"))
K1 = 1.2
B = 0.75
FIELDS = ("title", "body")
BOOST = {"title": 2.0, "body": 1.0}

# Single words, phrases, parts of longer words, two-part queries, zone + topic, and
# traditional / full-width spellings (which must fold to the simplified / ASCII forms).
QUERIES = [
    "科研",
    "人才",
    "孵化器",
    "科研助理",
    "高新区",
    "石嘴山",
    "颠覆性技术",
    "专精特新",
    "5G",
    "５Ｇ",
    "碳达峰",
    "瞪羚",
    "双创",
    "高新区 人才",
    "科研助理 就业",
    "武汉东湖 人才",
    "苏州高新区 科研助理",
    "蘇州高新區",
    "石嘴山 新材料",
    "新",
    "5G基站",
    "2022年",
]


class ToolError(Exception):
    pass


# --------------------------------------------------------------------------- tools

def default_huojud() -> str:
    release = os.path.join(REPO, ".build", "release", "huojud")
    if os.path.exists(release):
        return release
    return os.path.join(REPO, ".build", "debug", "huojud")


def resolve_huojud(arg: str | None) -> str:
    if not arg:
        path = default_huojud()
    elif os.path.isabs(arg) or os.path.exists(arg):
        path = os.path.abspath(arg)
    else:  # relative paths are tried against the cwd first, then the repo root
        path = os.path.join(REPO, arg)
    if not os.access(path, os.X_OK):
        raise ToolError(f"huojud binary not found or not executable: {path} (build it or pass --huojud)")
    return path


def warn_if_stale(binary: str) -> None:
    """Warn (stderr) when Swift sources are newer than the binary: results may not reflect them."""
    try:
        built = os.path.getmtime(binary)
    except OSError:
        return
    newer = [p for p in glob.glob(os.path.join(REPO, "Sources", "**", "*.swift"), recursive=True)
             if os.path.getmtime(p) > built]
    if newer:
        rel = sorted(os.path.relpath(p, REPO) for p in newer)
        more = f" (+{len(rel) - 5} more)" if len(rel) > 5 else ""
        print(f"warning: {len(rel)} source file(s) newer than {os.path.relpath(binary, REPO)}: "
              f"{', '.join(rel[:5])}{more}", file=sys.stderr)


def run(cmd: list[str]) -> str:
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    except OSError as error:
        raise ToolError(f"cannot run {cmd[0]}: {error}") from error
    if proc.returncode != 0:
        shown = " ".join(cmd[:6]) + (" …" if len(cmd) > 6 else "")
        raise ToolError(f"`{shown}` exited {proc.returncode}: {proc.stderr.strip()[:2000]}")
    return proc.stdout


def json_lines(text: str) -> list:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def corpus_files(corpus: str) -> list[str]:
    files = sorted(glob.glob(os.path.join(os.path.abspath(corpus), "*.txt")))
    if not files:
        raise ToolError(f"no *.txt files in {corpus}")
    return files


def parse_corpus(huojud: str, files: list[str]) -> list[dict]:
    """Articles in corpus order: {path, file, ordinal, title, body}."""
    articles = []
    for doc in json_lines(run([huojud, "parse", "--json", *files])):
        for ordinal, article in enumerate(doc.get("articles") or []):
            articles.append({
                "path": os.path.realpath(doc["path"]),
                "file": os.path.basename(doc["path"]),
                "ordinal": ordinal,
                "title": article.get("title") or "",
                "body": article.get("body") or "",
            })
    return articles


def analyze(huojud: str, texts: list[str], batch_bytes: int = 400_000) -> list[dict]:
    """`huojud analyze --json` for every text, a few processes in all (argv batches)."""
    results: list[dict] = []
    batch: list[str] = []
    size = 0

    def flush() -> None:
        nonlocal batch, size
        if not batch:
            return
        out = json_lines(run([huojud, "analyze", "--json", "--", *batch]))
        if len(out) != len(batch):
            raise ToolError(f"analyze printed {len(out)} results for {len(batch)} texts")
        results.extend(out)
        batch, size = [], 0

    for text in texts:
        n = len(text.encode("utf-8")) + 1
        if batch and size + n > batch_bytes:
            flush()
        batch.append(text)
        size += n
    flush()
    return results


def build_index(huojud: str, corpus: str, directory: str) -> str:
    index = os.path.join(directory, "index")
    run([huojud, "index", "--corpus", os.path.abspath(corpus), "--index", index])
    return index


def search(huojud: str, index: str, query: str, limit: int, exact: bool = False, explain: bool = False) -> dict:
    cmd = [huojud, "search", "--index", index, "--json", "--limit", str(limit)]
    if exact:
        cmd.append("--exact")
    if explain:
        cmd.append("--explain")
    cmd += ["--", query]
    return json.loads(run(cmd))


# --------------------------------------------------------------------------- text helpers

def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x3134F)


def is_latin_word_char(ch: str) -> bool:
    return ch.isalnum() and not is_cjk(ch)


def count_occurrences(haystack: str, needle: str) -> int:
    """Overlapping occurrences of needle; Latin/number edges must be token boundaries."""
    if not needle:
        return 0
    check_start = is_latin_word_char(needle[0])
    check_end = is_latin_word_char(needle[-1])
    count = 0
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        ok = not (check_start and start > 0 and is_latin_word_char(haystack[start - 1]))
        ok = ok and not (check_end and end < len(haystack) and is_latin_word_char(haystack[end]))
        if ok:
            count += 1
        start = haystack.find(needle, start + 1)
    return count


def loose(text: str) -> str:
    """Loose title key: NFKC, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def plan_terms(analysis: dict) -> list[tuple[str, str]]:
    """The index terms a query part is matched with, as (kind, text), from its analysis."""
    units = {}
    for t in analysis["tokens"]:
        if t["kind"] == "gram" and len(t["text"]) == 1:
            units[t["position"]] = ("cjk", t["text"])
        elif t["kind"] == "word" and not any(is_cjk(c) for c in t["text"]):
            units[t["position"]] = ("latin", t["text"])
    positions = sorted(units)
    terms: list[tuple[str, str]] = []
    i = 0
    while i < len(positions):
        kind, text = units[positions[i]]
        if kind == "latin":
            terms.append(("word", text))
            i += 1
            continue
        run, j = [text], i + 1
        while j < len(positions) and positions[j] == positions[j - 1] + 1 and units[positions[j]][0] == "cjk":
            run.append(units[positions[j]][1])
            j += 1
        if len(run) == 1:
            terms.append(("gram", run[0]))
        else:
            starts = list(range(0, len(run) - 1, 2))
            if starts[-1] != len(run) - 2:
                starts.append(len(run) - 2)
            terms += [("gram", run[s] + run[s + 1]) for s in starts]
        i = j
    return terms


def idf(n_docs: int, df: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def tf_norm(tf: int, dl: int, avgdl: float) -> float:
    norm = (1 - B + B * dl / avgdl) if avgdl > 0 else 1.0
    return tf / (tf + K1 * norm)


def rel_close(a: float, b: float, tol: float) -> bool:
    if a == b:
        return True
    return abs(a - b) <= tol * max(abs(a), abs(b))


# --------------------------------------------------------------------------- corpus model

class Corpus:
    """Per-article, per-field analysis and the BM25 collection statistics derived from it.

    `articles` are the live ones (what can match); `dead` are articles of deleted or changed
    files that the index still counts until a merge drops them (docs/index-format.md): they
    count in N, avgdl and every document frequency, and never match."""

    def __init__(self, huojud: str, files: list[str], dead: list[dict] = ()):
        self.huojud = huojud
        self.articles = parse_corpus(huojud, files)
        texts = [a[f] for a in self.articles for f in FIELDS]
        analyses = analyze(huojud, texts)
        for i, article in enumerate(self.articles):
            for j, field in enumerate(FIELDS):
                a = analyses[i * len(FIELDS) + j]
                article[field + "_folded"] = a["folded"]
                article[field + "_length"] = int(a["length"])
                article[field + "_words"] = collections.Counter(t["text"] for t in a["tokens"] if t["kind"] == "word")
                article[field + "_grams"] = {t["text"] for t in a["tokens"] if t["kind"] == "gram"}
        self.dead = list(dead)
        counted = self.articles + self.dead
        self.n = len(counted)
        self.avgdl = {f: (sum(a[f + "_length"] for a in counted) / self.n if self.n else 0.0) for f in FIELDS}
        self.word_df = {f: collections.Counter() for f in FIELDS}
        self.gram_df = {f: collections.Counter() for f in FIELDS}
        for article in counted:
            for f in FIELDS:
                self.word_df[f].update(article[f + "_words"].keys())
                self.gram_df[f].update(article[f + "_grams"])
        self.by_key = {(a["path"], a["ordinal"]): a for a in self.articles}
        self._phrase_cache: dict[tuple[str, str], list[int]] = {}

    def phrase_tfs(self, field: str, folded: str) -> list[int]:
        key = (field, folded)
        if key not in self._phrase_cache:
            self._phrase_cache[key] = [count_occurrences(a[field + "_folded"], folded) for a in self.articles]
        return self._phrase_cache[key]

    def term_df(self, field: str, kind: str, text: str) -> int:
        """Articles whose field holds an index term (a gram, or a word)."""
        if kind == "word":
            return self.word_df[field][text]
        return self.gram_df[field][text]

    def query_parts(self, query: str) -> list[dict]:
        """Whitespace-separated parts: raw text, folded text, ICU words (unique, in order)."""
        raws = query.split()
        parts = []
        for raw, a in zip(raws, analyze(self.huojud, raws)):
            words: list[str] = []
            for token in a["tokens"]:
                if token["kind"] == "word" and token["text"] not in words:
                    words.append(token["text"])
            parts.append({"raw": raw, "folded": a["folded"], "words": words, "terms": plan_terms(a)})
        return parts

    def oracle(self, parts: list[dict]) -> list[dict]:
        """Articles whose folded title or body contains every part's folded text."""
        hits = []
        for i, article in enumerate(self.articles):
            if all(self.phrase_tfs("title", p["folded"])[i] or self.phrase_tfs("body", p["folded"])[i] for p in parts):
                hits.append(article)
        return hits

    def index_of(self, article: dict) -> int:
        return self.articles.index(article)

    def expected_entries(self, article: dict, parts: list[dict]) -> list[dict]:
        """The explain entries the documented formula yields for one article."""
        i = self.index_of(article)
        entries = []
        for p in parts:
            for field in FIELDS:
                dl = article[field + "_length"]
                if dl == 0:
                    continue
                avgdl = self.avgdl[field]
                term_dfs = [self.term_df(field, kind, text) for kind, text in p["terms"]]
                candidates = [("phrase", p["folded"], self.phrase_tfs(field, p["folded"])[i], min(term_dfs),
                               sum(idf(self.n, df) for df in term_dfs),
                               [(text, df) for (_, text), df in zip(p["terms"], term_dfs)])]
                for w in p["words"]:
                    df = self.word_df[field][w]
                    candidates.append(("word", w, article[field + "_words"].get(w, 0), df, idf(self.n, df), None))
                for kind, text, tf, df, e_idf, terms in candidates:
                    if tf <= 0:
                        continue
                    e_norm = tf_norm(tf, dl, avgdl)
                    entries.append({"kind": kind, "text": text, "field": field, "tf": tf, "docFreq": df,
                                    "docCount": self.n, "length": dl, "averageLength": avgdl,
                                    "boost": BOOST[field], "idf": e_idf, "tfNorm": e_norm,
                                    "score": BOOST[field] * e_idf * e_norm, "part": p, "terms": terms})
        return entries

    def find_hit(self, hit: dict) -> tuple[dict | None, str | None]:
        """The parsed article of a hit: by path + ordinal, confirmed (or found) by title."""
        path = os.path.realpath(hit.get("path", ""))
        article = self.by_key.get((path, hit.get("ordinal")))
        if article is not None and loose(article["title"]) == loose(hit.get("title", "")):
            return article, None
        same_file = [a for a in self.articles if a["path"] == path and loose(a["title"]) == loose(hit.get("title", ""))]
        if len(same_file) == 1:
            return same_file[0], f"ordinal {hit.get('ordinal')} is article {same_file[0]['ordinal']} in parse output"
        return None, "no parsed article with this path and title"


# --------------------------------------------------------------------------- checking

class Report:
    def __init__(self, verbose: bool):
        self.passed = 0
        self.failed = 0
        self.verbose = verbose
        self.phase = ""
        self.hits_checked = 0
        self.plans: set[str] = set()  # the query plans met by a query with exact hits

    def check(self, ok: bool, context: str, what: str) -> bool:
        context = f"[{self.phase}] {context}" if self.phase else context
        if ok:
            self.passed += 1
            if self.verbose:
                print(f"ok   {context}: {what}")
        else:
            self.failed += 1
            print(f"FAIL {context}: {what}")
        return ok


# The query plans this check claims to cover (docs/query-syntax.md, "Matching" and "Ranking").
PLANS = ("one CJK character (unigram)", "two CJK characters (one bigram)", "even CJK run (bigrams at 0, 2, …)",
         "odd CJK run (bigrams at 0, 2, … and the last)", "Latin word or number", "Latin and CJK in one part",
         "several parts", "folded spelling (traditional or full-width)")


def plans_of(parts: list[dict]) -> set[str]:
    plans = set()
    for p in parts:
        runs = [len(r) for r in "".join(c if is_cjk(c) else " " for c in p["folded"]).split()]
        for n in runs:
            plans.add(PLANS[0] if n == 1 else PLANS[1] if n == 2 else PLANS[2] if n % 2 == 0 else PLANS[3])
        latin = any(kind == "word" for kind, _ in p["terms"])
        if latin:
            plans.add(PLANS[4])
        if latin and runs:
            plans.add(PLANS[5])
        if p["folded"] != p["raw"].lower():
            plans.add(PLANS[7])
    if len(parts) > 1:
        plans.add(PLANS[6])
    return plans


def describe(query: str, hit_or_article: dict | None, field: str | None = None) -> str:
    parts = [f"query {query!r}"]
    if hit_or_article is not None:
        path = hit_or_article.get("path", "")
        parts.append(f"{os.path.basename(path)}#{hit_or_article.get('ordinal')}")
        parts.append(f"title {hit_or_article.get('title', '')[:40]!r}")
    if field:
        parts.append(f"field {field}")
    return ", ".join(parts)


def compare_entry(report: Report, query: str, hit: dict, got: dict, want: dict) -> None:
    diffs = []
    for key in ("tf", "docFreq", "docCount", "length"):
        if got.get(key) != want[key]:
            diffs.append(f"{key} reported {got.get(key)} recomputed {want[key]}")
    if want["terms"] is not None:  # the phrase's plan: its index terms, in order, with their df
        got_terms = [(t.get("term"), t.get("docFreq")) for t in got.get("terms") or []]
        if got_terms != want["terms"]:
            diffs.append(f"phrase terms reported {got_terms} planned {want['terms']}")
    if got.get("boost") != want["boost"]:
        diffs.append(f"boost reported {got.get('boost')} expected {want['boost']}")
    if not rel_close(float(got.get("averageLength", math.nan)), want["averageLength"], 1e-9):
        diffs.append(f"averageLength reported {got.get('averageLength')!r} recomputed {want['averageLength']!r}")
    g_idf = float(got.get("idf", math.nan))
    g_score = float(got.get("score", math.nan))
    g_boost = float(got.get("boost") or math.nan)
    g_norm = g_score / (g_boost * g_idf) if g_boost and g_idf else math.nan
    if not rel_close(g_idf, want["idf"], 1e-5):
        diffs.append(f"idf reported {g_idf!r} recomputed {want['idf']!r}")
    if not rel_close(g_norm, want["tfNorm"], 1e-5):
        diffs.append(f"tfNorm (score/boost/idf) reported {g_norm!r} recomputed {want['tfNorm']!r}")
    if not rel_close(g_score, want["score"], 1e-5):
        diffs.append(f"score reported {g_score!r} recomputed {want['score']!r}")
    context = describe(query, hit, want["field"]) + f", {want['kind']} {want['text']!r}"
    report.check(not diffs, context, "; ".join(diffs) if diffs else "entry matches")


SYNTAX_CHARS = set('"＂“”|｜()（）')
FIELD_PREFIXES = ("title", "body", "section", "source", "byline", "zone", "issue", "date")


def is_plain_query(query: str) -> bool:
    """Only space-separated text parts (what the oracle models), no query syntax."""
    if any(c in SYNTAX_CHARS for c in query):
        return False
    for part in query.split():
        if part[0] in "-－" or part in ("OR", "ＯＲ"):
            return False
        if any(part.lower().startswith(name + sep) for name in FIELD_PREFIXES for sep in ":："):
            return False
    return bool(query.split())


def check_query(report: Report, corpus: Corpus, huojud: str, index: str, query: str, limit: int,
                partial: bool = True) -> None:
    if not is_plain_query(query):
        print(f"warning: query {query!r} uses query syntax (quotes, parentheses, OR, -, field:); skipped",
              file=sys.stderr)
        return
    parts = corpus.query_parts(query)
    result = search(huojud, index, query, limit, exact=True, explain=True)
    hits = result.get("hits", [])
    oracle = corpus.oracle(parts)
    qctx = f"query {query!r}"

    # Hit set == substring oracle (and the exact count agrees).
    got_keys = {(os.path.realpath(h["path"]), h["ordinal"]) for h in hits}
    want_keys = {(a["path"], a["ordinal"]) for a in oracle}
    if len(hits) >= limit:
        print(f"warning: {qctx}: {len(hits)} hits reached --limit {limit}; hit-set check may be incomplete",
              file=sys.stderr)
    missing = [corpus.by_key[k] for k in sorted(want_keys - got_keys)]
    extra = [h for h in hits if (os.path.realpath(h["path"]), h["ordinal"]) in got_keys - want_keys]
    msg = []
    for a in missing:
        msg.append(f"missing {a['file']}#{a['ordinal']} {a['title'][:30]!r} (contains every part)")
    for h in extra:
        msg.append(f"extra {os.path.basename(h['path'])}#{h['ordinal']} {h['title'][:30]!r} (oracle: no match)")
    report.check(not msg, qctx, "hit set == substring oracle" if not msg else "hit set differs: " + "; ".join(msg))
    report.check(result.get("total") == len(oracle) and not any(h.get("partial") for h in hits)
                 and result.get("partialTotal", 0) == 0, qctx,
                 f"total {result.get('total')} partialTotal {result.get('partialTotal')} "
                 f"partial hits {sum(1 for h in hits if h.get('partial'))}; oracle count {len(oracle)}")

    # Ranking order (descending scores) is part of the contract too.
    scores = [float(h.get("score", 0)) for h in hits]
    report.check(all(a >= b for a, b in zip(scores, scores[1:])), qctx, "hits sorted by descending score")

    for hit in hits:
        check_hit(report, corpus, query, parts, hit, words_only=False)
    if hits:
        report.hits_checked += len(hits)
        report.plans |= plans_of(parts)

    if partial:
        check_partial(report, corpus, huojud, index, query, parts, oracle, limit)


def check_partial(report: Report, corpus: Corpus, huojud: str, index: str, query: str, parts: list[dict],
                  oracle: list[dict], limit: int) -> None:
    """Without --exact: exact hits first, then partial hits = articles holding some query word
    (word layer, title or body) but not the exact query, scored by word terms only."""
    qctx = f"query {query!r} (partial)"
    result = search(huojud, index, query, limit, exact=False, explain=True)
    hits = result.get("hits", [])
    exact_keys = {(a["path"], a["ordinal"]) for a in oracle}
    words = {w for p in parts for w in p["words"]}
    want = {(a["path"], a["ordinal"]) for a in corpus.articles
            if any(a["title_words"].get(w) or a["body_words"].get(w) for w in words)} - exact_keys
    flags = [bool(h.get("partial")) for h in hits]
    got_exact = {(os.path.realpath(h["path"]), h["ordinal"]) for h in hits if not h.get("partial")}
    got_partial = {(os.path.realpath(h["path"]), h["ordinal"]) for h in hits if h.get("partial")}
    report.check(flags == sorted(flags), qctx, "exact hits precede partial hits")
    report.check(got_exact == exact_keys, qctx, f"exact part: {len(got_exact)} hits, oracle {len(exact_keys)}")
    missing = sorted(want - got_partial)
    extra = sorted(got_partial - want)
    msg = [f"missing {corpus.by_key[k]['file']}#{k[1]} {corpus.by_key[k]['title'][:30]!r}" for k in missing]
    msg += [f"extra {os.path.basename(k[0])}#{k[1]}" for k in extra]
    if len(hits) < limit:
        report.check(not msg and result.get("partialTotal") == len(want), qctx,
                     f"partial set == articles with some query word ({len(want)}; partialTotal "
                     f"{result.get('partialTotal')})" + ("; " + "; ".join(msg) if msg else ""))
    partial_scores = [float(h.get("score", 0)) for h in hits if h.get("partial")]
    report.check(all(a >= b for a, b in zip(partial_scores, partial_scores[1:])), qctx,
                 "partial hits sorted by descending score")
    for hit in hits:
        if hit.get("partial"):
            check_hit(report, corpus, query, parts, hit, words_only=True)


def check_hit(report: Report, corpus: Corpus, query: str, parts: list[dict], hit: dict, words_only: bool) -> None:
    article, note = corpus.find_hit(hit)
    hctx = describe(query, hit) + (" (partial)" if words_only else "")
    if article is None:
        report.check(False, hctx, f"cannot map hit to a parsed article: {note}")
        return
    if note:
        report.check(False, hctx, f"hit identity: {note}")
    explain = hit.get("explain") or []
    # Sum of entries == hit score (1e-9 relative).
    total = sum(float(e.get("score", 0)) for e in explain)
    report.check(rel_close(total, float(hit.get("score", math.nan)), 1e-9), hctx,
                 f"explain entries sum {total!r} vs hit score {hit.get('score')!r}")

    expected = corpus.expected_entries(article, parts)
    if words_only:
        expected = [e for e in expected if e["kind"] == "word"]
    # Match reported entries to expected ones by (kind, field, folded text).
    folded_of = {}
    for p in parts:
        folded_of[p["raw"]] = p["folded"]
        folded_of[p["folded"]] = p["folded"]
    pool = collections.defaultdict(list)
    for want in expected:
        pool[(want["kind"], want["field"], want["text"])].append(want)
    unmatched_got = []
    for got in explain:
        text = got.get("text", "")
        if got.get("kind") == "phrase":
            text = folded_of.get(text, text)
        key = (got.get("kind"), got.get("field"), text)
        if pool.get(key):
            compare_entry(report, query, hit, got, pool[key].pop(0))
        else:
            unmatched_got.append(got)
    unmatched_want = [w for lst in pool.values() for w in lst]
    msg = []
    for got in unmatched_got:
        msg.append(f"unexpected {got.get('kind')} {got.get('text')!r} in {got.get('field')} (tf {got.get('tf')}, "
                   f"score {got.get('score')})")
    for want in unmatched_want:
        msg.append(f"missing {want['kind']} {want['text']!r} in {want['field']} (recomputed tf {want['tf']}, "
                   f"score {want['score']:.6g})")
    report.check(not msg, hctx, "explain entries == expected terms" if not msg else "; ".join(msg))
    want_total = sum(w["score"] for w in expected)
    report.check(rel_close(want_total, float(hit.get("score", math.nan)), 1e-5), hctx,
                 f"recomputed score {want_total!r} vs hit score {hit.get('score')!r}")


def deleted_documents(index: str) -> int:
    """Deleted documents the index still holds (manifest.json, docs/index-format.md): read only
    to confirm a phase's premise, never for an expected value."""
    with open(os.path.join(index, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    return sum((segment.get("deletes") or {}).get("count", 0) for segment in manifest["segments"])


def is_paragraph(line: str) -> bool:
    return len(line) >= 40


def change_file(path: str) -> None:
    """Drops the file's last paragraph and doubles its first: new lengths, tfs and dfs."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    paragraphs = [i for i, line in enumerate(lines) if is_paragraph(line)]
    if len(paragraphs) < 2:
        raise ToolError(f"{path}: too few paragraphs to change")
    first, last = paragraphs[0], paragraphs[-1]
    lines[first] = lines[first] + "\n\n" + lines[first]
    del lines[last]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def run_phase(report: Report, name: str, corpus: Corpus, huojud: str, index: str, queries: list[str], args) -> None:
    report.phase = name
    report.check(corpus.n > 0 and bool(corpus.articles), "corpus", f"{len(corpus.articles)} live articles, N = {corpus.n}")
    if corpus.n > args.limit:
        print(f"warning: {corpus.n} articles > --limit {args.limit}", file=sys.stderr)
    for query in queries:
        check_query(report, corpus, huojud, index, query, args.limit, partial=not args.no_partial)
    print(f"({name}: N={corpus.n} articles ({len(corpus.dead)} deleted, still counted), avgdl "
          f"title={corpus.avgdl['title']:.6f} body={corpus.avgdl['body']:.6f}, {len(queries)} queries)")


def compare_with_fresh(report: Report, huojud: str, merged: str, fresh: str, queries: list[str], limit: int) -> None:
    """After the merge, every query answers as on a fresh build of the same files."""
    report.phase = "merged = fresh build"
    for query in queries:
        if not is_plain_query(query):
            continue
        a, b = (search(huojud, index, query, limit) for index in (merged, fresh))
        scores = lambda r: {(os.path.realpath(h["path"]), h["ordinal"]): float(h["score"]) for h in r["hits"]}  # noqa: E731
        sa, sb = scores(a), scores(b)
        same = sa.keys() == sb.keys() and all(rel_close(sa[k], sb[k], 1e-9) for k in sa) and \
            (a["total"], a["partialTotal"]) == (b["total"], b["partialTotal"])
        report.check(same, f"query {query!r}", f"merged index answers as a fresh build "
                     f"(totals {a['total']}/{a['partialTotal']} vs {b['total']}/{b['partialTotal']})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--huojud", help="huojud binary (default: .build/release/huojud if present, else .build/debug/huojud)")
    ap.add_argument("--corpus", default=DEFAULT_CORPUS, help=f"corpus directory (default {DEFAULT_CORPUS})")
    ap.add_argument("--query", action="append", help="check this query instead of the built-in list (repeatable)")
    ap.add_argument("--limit", type=int, default=50, help="--limit passed to search (default 50)")
    ap.add_argument("--no-partial", action="store_true",
                    help="skip the second pass without --exact (partial matches: word terms only)")
    ap.add_argument("-v", "--verbose", action="store_true", help="also print passing checks")
    args = ap.parse_args()
    queries = args.query or QUERIES

    report = Report(args.verbose)
    try:
        huojud = resolve_huojud(args.huojud)
        warn_if_stale(huojud)
        with tempfile.TemporaryDirectory(prefix="huoju-bm25-") as tmp:
            # A copy: the deletes and changes below must not touch the corpus.
            work = os.path.join(tmp, "corpus")
            os.makedirs(work)
            for path in corpus_files(args.corpus):
                shutil.copyfile(path, os.path.join(work, os.path.basename(path)))
            index = os.path.join(tmp, "index")
            fresh = Corpus(huojud, corpus_files(work))
            if fresh.n == 0:
                raise ToolError(f"no articles parsed from {args.corpus}")
            # --merge-factor 1000: no merge but the one the deleted share asks for (below).
            run([huojud, "index", "--corpus", work, "--index", index, "--merge-factor", "1000"])
            run_phase(report, "fresh", fresh, huojud, index, queries, args)

            # Deletes: the file with the fewest articles is changed (its old articles deleted,
            # the new ones added), few enough for no merge (a segment is rewritten above 25%).
            counts = collections.Counter(a["path"] for a in fresh.articles)
            smallest = min(counts, key=lambda p: (counts[p], p))
            if counts[smallest] > 0.2 * fresh.n:
                raise ToolError(f"the corpus is too small: its smallest file holds {counts[smallest]} of {fresh.n} articles")
            change_file(smallest)
            dead = [a for a in fresh.articles if a["path"] == smallest]
            after = Corpus(huojud, corpus_files(work), dead)
            run([huojud, "index", "--corpus", work, "--index", index, "--merge-factor", "1000"])
            report.phase = "after deletes"
            if report.check(deleted_documents(index) == len(dead), "premise",
                            f"the index holds {deleted_documents(index)} deleted documents, {len(dead)} expected (no merge)"):
                run_phase(report, "after deletes", after, huojud, index, queries, args)

            # Merge: removing the largest file leaves most of the first segment deleted, which
            # the merge policy reclaims; statistics are then those of the live articles alone.
            largest = max((p for p in counts if p != smallest), key=lambda p: (counts[p], p))
            os.remove(largest)
            merged = Corpus(huojud, corpus_files(work))
            out = subprocess.run([huojud, "index", "--corpus", work, "--index", index],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if out.returncode != 0:
                raise ToolError(f"huojud index exited {out.returncode}: {out.stdout[-2000:]}")
            report.phase = "after merge"
            if report.check(deleted_documents(index) == 0, "premise",
                            f"the merge left {deleted_documents(index)} deleted documents: {out.stdout.strip()[-300:]}"):
                run_phase(report, "after merge", merged, huojud, index, queries, args)
                rebuilt = os.path.join(tmp, "fresh-index")
                run([huojud, "index", "--corpus", work, "--index", rebuilt])
                compare_with_fresh(report, huojud, index, rebuilt, queries, args.limit)

        report.phase = ""
        # Checks that compared nothing must not pass: some hits, and every plan met.
        report.check(report.hits_checked > 0, "coverage", f"{report.hits_checked} exact hits checked")
        if not args.query:
            missing = [p for p in PLANS if p not in report.plans]
            report.check(not missing, "coverage", "query plans met by no query with hits: " + ", ".join(missing)
                         if missing else "every query plan met")
    except ToolError as error:
        print(f"bm25_check: error: {error}", file=sys.stderr)
        print(f"bm25_check: {report.passed} passed, {report.failed + 1} failed")
        return 2
    print(f"bm25_check: {report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
