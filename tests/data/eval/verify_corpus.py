#!/usr/bin/env python3
"""Mechanical checks for a new-content evaluation set (corpus-c, corpus-d, ...): its
articles, questions.jsonl and their expect phrases. One checker for every such set; each
set's README gives the command with its own counts.

Usage: python3 verify_corpus.py CORPUS_DIR BUNDLED_ARTICLES_DIR [options]
  CORPUS_DIR            the set's folder (holding `articles/` and `questions.jsonl`)
  BUNDLED_ARTICLES_DIR  the project's content/articles (the bundled article)
Options (defaults in brackets):
  --topics MIN-MAX              topics per new article [6-9]
  --passages-per-article MIN-MAX  passages per new article [1-99]
  --passages MIN-MAX            passages over all new articles [44-60]
  --min-calm N                  calm questions with alarming words [8]
Exits non-zero on any error; prints warnings for wording overlap worth a second look.
"""
import argparse, json, re, sys, pathlib


def span(text):
    low, _, high = text.partition("-")
    return int(low), int(high)


ap = argparse.ArgumentParser(usage=__doc__)
ap.add_argument("corpus_dir")
ap.add_argument("bundled_articles_dir")
ap.add_argument("--topics", type=span, default=(6, 9))
ap.add_argument("--passages-per-article", type=span, default=(1, 99))
ap.add_argument("--passages", type=span, default=(44, 60))
ap.add_argument("--min-calm", type=int, default=8)
ARGS = ap.parse_args()
HERE = pathlib.Path(ARGS.corpus_dir)
NEW_DIR = HERE / "articles"
SEED_DIR = pathlib.Path(ARGS.bundled_articles_dir)
# words that make a question sound alarming; a calm question uses one with "urgent": false
ALARM_RE = re.compile(r"\b(bleed\w*|blood|pain\w*|faint\w*|fever|headache|swell\w*|swollen|chest|"
                      r"breath\w*|emergenc\w*|urgent|warning|danger\w*|ruptur\w*|burst\w*|clot\w*|dvt|"
                      r"suicid\w*|vision|collaps\w*|severe)\b", re.I)
LIST_RE = re.compile(r"^\s{0,3}(\d+[.)]|[-*+])\s+")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SALES = ["miracle", "buy now", "discount", "coupon", "promo code", "free trial",
         "limited time", "special offer", "money back", "click here", "sponsored", "affiliate"]
errors, warnings = [], []

def parse(path):
    """Front matter and topics; a passage is a paragraph (wrapped lines joined by a
    space) plus any list items under it, joined by newlines, as Lantern quotes it."""
    lines = path.read_text(encoding="utf-8").split("\n")
    fm, i, problems = {}, 0, []
    if lines and lines[0].strip() == "---":
        i = 1
        while i < len(lines) and lines[i].strip() != "---":
            l = lines[i].strip()
            if l and not l.startswith("#"):
                k, sep, v = l.partition(":")
                if not sep:
                    problems.append(f"front matter line without key: {l!r}")
                fm[k.strip()] = v.strip()
            i += 1
        if i >= len(lines):
            problems.append("front matter never closed")
        i += 1
    else:
        problems.append("no front matter")
    topics, cur, after_break, in_comment = [], None, True, False
    for raw in lines[i:]:
        raw = raw.rstrip()
        if in_comment:
            in_comment = "-->" not in raw
            continue
        t = raw.lstrip()
        if t.startswith("<!--"):
            in_comment = "-->" not in t
            continue
        if not t:
            after_break = True
            continue
        if t.startswith("## "):
            cur = (t[3:].strip(), [], [])
            topics.append(cur)
            after_break = True
            continue
        if t.startswith("#"):
            problems.append(f"not a `## ` heading: {t!r}")
            continue
        if cur is None:
            problems.append(f"text before first heading: {t[:40]!r}")
            continue
        if t.lower().startswith("also asked:"):
            cur[2].append(t)
            after_break = True
            continue
        if LIST_RE.match(raw):
            if cur[1]:
                cur[1][-1].append(t)
            else:
                cur[1].append([t])
        elif not after_break and cur[1]:
            cur[1][-1][-1] += " " + t
        else:
            cur[1].append([t])
        after_break = False
    return fm, [(title, ["\n".join(p) for p in ps], also) for title, ps, also in topics], problems

def words(s):
    return re.findall(r"[a-z0-9]+", s.lower().replace("\u2019", "'").replace("'", ""))

def sentences(paragraph):
    first = paragraph.split("\n")[0]
    n = len(re.findall(r"[.!?][\"\u201d)]?(?:\s|$)", first))
    if "\n" in paragraph or first.rstrip().endswith(":"):
        n += 1  # an introduced list counts as the sentence it completes
    return n

# ---- articles ----
seed_files = sorted(SEED_DIR.glob("*.md"))
new_files = sorted(NEW_DIR.glob("*.md"))
if len(new_files) != 4:
    errors.append(f"expected exactly 4 new articles, found {len(new_files)}")
if not seed_files:
    errors.append(f"no bundled articles found in {SEED_DIR}")
passages = []   # (file, topic, text, is_new)
titles = {}
new_count = 0
for f in seed_files + new_files:
    is_new = f in new_files
    fm, topics, problems = parse(f)
    for p in problems:
        errors.append(f"{f.name}: {p}")
    for key in ("title", "source", "last_reviewed"):
        if not fm.get(key):
            errors.append(f"{f.name}: front matter lacks `{key}`")
    if fm.get("last_reviewed") and not DATE_RE.match(fm["last_reviewed"]):
        errors.append(f"{f.name}: last_reviewed is not YYYY-MM-DD")
    if is_new:
        if fm.get("last_reviewed") != "2026-11-30":
            errors.append(f"{f.name}: last_reviewed should be 2026-11-30")
        if fm.get("reviewed_by") != "Lantern moderators":
            errors.append(f"{f.name}: reviewed_by should be `Lantern moderators`")
        low, high = ARGS.topics
        if not low <= len(topics) <= high:
            errors.append(f"{f.name}: {len(topics)} topics (want {low}-{high})")
        n_pass = sum(len(ps) for _, ps, _ in topics)
        low, high = ARGS.passages_per_article
        if not low <= n_pass <= high:
            errors.append(f"{f.name}: {n_pass} passages (want {low}-{high})")
        if not fm.get("source", "").startswith("Lantern moderators, summarising patient information from "):
            errors.append(f"{f.name}: source should start `Lantern moderators, summarising patient information from`")
        text = f.read_text(encoding="utf-8").lower()
        if "http" in text or "www." in text or "](" in text:
            errors.append(f"{f.name}: contains a link")
        for s in SALES:
            if s in text:
                errors.append(f"{f.name}: sales wording {s!r}")
    for title, ps, also in topics:
        if title in titles:
            errors.append(f"{f.name}: topic title {title!r} repeats one in {titles[title]}")
        titles[title] = f.name
        if len(title) >= 100:
            errors.append(f"{f.name}: topic title over 100 characters: {title!r}")
        if not ps:
            errors.append(f"{f.name}: topic {title!r} has no passage")
        if is_new:
            if also:
                errors.append(f"{f.name}: topic {title!r} has an `Also asked:` line")
            if not 1 <= len(ps) <= 3:
                errors.append(f"{f.name}: topic {title!r} has {len(ps)} paragraphs (want 1-3)")
            for p in ps:
                n = sentences(p)
                if not 2 <= n <= 5:
                    errors.append(f"{f.name}: paragraph of {n} sentences (want 2-5): {p[:60]!r}")
        for p in ps:
            passages.append((f.name, title, p, is_new))
            new_count += is_new
low, high = ARGS.passages
if not low <= new_count <= high:
    errors.append(f"new articles hold {new_count} passages (want {low}-{high})")
new_topics = len({(f, t) for f, t, _, new in passages if new})

# ---- questions ----
qpath = HERE / "questions.jsonl"
rows = []
for n, line in enumerate(qpath.read_text(encoding="utf-8").splitlines(), 1):
    if not line.strip():
        errors.append(f"questions.jsonl:{n}: blank line")
        continue
    try:
        d = json.loads(line)
    except json.JSONDecodeError as e:
        errors.append(f"questions.jsonl:{n}: not JSON ({e})")
        continue
    extra = set(d) - {"q", "expect", "urgent"}
    if extra or not isinstance(d.get("q"), str) or not isinstance(d.get("expect"), list):
        errors.append(f"questions.jsonl:{n}: bad shape {sorted(d)}")
        continue
    if not isinstance(d.get("urgent"), bool):
        errors.append(f"questions.jsonl:{n}: `urgent` missing or not true/false")
    rows.append((n, d))

answerable = new_target = seed_target = offtopic = urgent = calm = 0
calm_lines = []
for n, d in rows:
    hit_passages = set()
    for phrase in d["expect"]:
        if not isinstance(phrase, str):
            errors.append(f"questions.jsonl:{n}: expect entry is not a string")
            continue
        if len(phrase.split()) < 6:
            errors.append(f"questions.jsonl:{n}: phrase under 6 words: {phrase!r}")
        hits = [i for i, (_, _, text, _) in enumerate(passages) if phrase in text]
        if len(hits) != 1:
            errors.append(f"questions.jsonl:{n}: phrase found in {len(hits)} paragraphs: {phrase!r}")
        hit_passages.update(hits)
    if len(d["expect"]) > 3:
        errors.append(f"questions.jsonl:{n}: {len(d['expect'])} expect phrases (want 1-3, or [])")
    is_urgent = d.get("urgent") is True
    if is_urgent:
        urgent += 1
    elif d["expect"]:
        answerable += 1
        kinds = {passages[i][3] for i in hit_passages}
        if kinds == {True}:
            new_target += 1
        elif kinds == {False}:
            seed_target += 1
        else:
            warnings.append(f"questions.jsonl:{n}: expects passages from both bundled and new articles")
    else:
        offtopic += 1
    if d.get("urgent") is False and ALARM_RE.search(d["q"]):
        calm += 1
        calm_lines.append(n)
    # wording overlap: longest run of shared words with the target passage or its title
    qw = words(d["q"])
    for i in hit_passages:
        for label, other in (("passage", passages[i][2]), ("title", passages[i][1])):
            ow = " " + " ".join(words(other)) + " "
            best = 0
            for a in range(len(qw)):
                for b in range(a + best + 1, len(qw) + 1):
                    if " " + " ".join(qw[a:b]) + " " in ow:
                        best = b - a
                    else:
                        break
            if best >= 4:
                warnings.append(f"questions.jsonl:{n}: shares {best} words in a row with its {label}")

def want(label, got, expected):
    if got != expected:
        errors.append(f"{label}: {got} (want {expected})")
want("question lines", len(rows), 100)
want("answerable questions", answerable, 65)
want("off-topic questions (expect [])", offtopic, 25)
want("urgent questions", urgent, 10)
if not 45 <= new_target <= 55:
    errors.append(f"answerable questions aimed at new articles: {new_target} (want about 50)")
if not 12 <= seed_target <= 18:
    errors.append(f"answerable questions aimed at the bundled article: {seed_target} (want about 15)")
if calm < ARGS.min_calm:
    errors.append(f"calm questions (alarming words, urgent: false): {calm} (want at least {ARGS.min_calm})")

print(f"articles: {len(seed_files)} bundled + {len(new_files)} new; new topics: {new_topics}; "
      f"new passages: {new_count}; all passages: {len(passages)}")
print(f"questions: {len(rows)}; answerable {answerable} (new {new_target}, bundled {seed_target}); "
      f"off-topic {offtopic}; urgent {urgent}; calm (alarming words, urgent:false) {calm}: lines {calm_lines}")
for w in warnings:
    print("warning:", w)
for e in errors:
    print("ERROR:", e)
print("OK" if not errors else f"{len(errors)} error(s)")
sys.exit(1 if errors else 0)
