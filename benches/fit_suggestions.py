#!/usr/bin/env python3
"""Fits SUGGESTION_MIN_SCORE: how high a topic must score to be named when Lantern declines.

Usage (from the project folder, after `cargo build --release`):
    python3 benches/fit_suggestions.py [--binary target/release/lantern]

When Lantern quotes nothing it names up to three topics, each a "Read" button in Discord.
A topic is named when it shares a meaningful word with the question (SUGGESTION_MIN_COVERAGE)
or when its passage's fused score reaches SUGGESTION_MIN_SCORE, in ranking order. This
script asks the confidence procedure's sets (the same ones `fit_confidence.py` fits on)
through `lantern ask --json --explain`, replays the naming rule for every threshold from
0.05 to 0.50 by 0.01 over the questions Lantern declined (not those "too close to call",
whose two topics come first whatever this threshold), and scores each threshold as:

    declined answerable questions whose answer's topic is named first
  + declined answerable questions whose answer's topic is named at all
  - off-topic questions that get any topic named (a needless button costs one)

The best wins; ties go to the higher threshold (fewer buttons). It then prints, for the
sets it was not fitted on, the figures with and without the rule (sets kept unread:
figures only, as everywhere). Last it counts the declined questions whose printed topics
differ from the replay at the chosen threshold: 0 when the binary already ships it, so the
replay is the binary's own rule.
"""
import argparse, os, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fit_confidence import SETS as FIT, ask_set, content_for  # the same sets and asking

COVERAGE = 0.15  # SUGGESTION_MIN_COVERAGE in src/knowledge.rs
MAX_SUGGESTIONS = 3
HELD_OUT = [
    (f"corpus-{x}", f"tests/data/eval/corpus-{x}/questions.jsonl", f"tests/data/eval/corpus-{x}/articles")
    for x in "defgh"
]


def collect(binary, sets, tmp):
    """Per set, the declined questions: what they expect and every candidate in rank order."""
    out = {}
    for name, path, extra in sets:
        qs, answers = ask_set(binary, path, content_for(extra, tmp))
        rows = []
        for q, a in zip(qs, answers):
            explain = a.get("explain") or {}
            too_close = "fits two of our topics" in a["reply"]
            if a["answered"] or too_close or not explain.get("candidates"):
                continue
            weak = {c["label"] for c in explain["concepts"] if c["weak"]}
            cands = [dict(topic=c["topic"], score=c["score"], coverage=c["coverage"],
                          related=any(m not in weak for m in c["matched"]), passage=c["passage"])
                     for c in explain["candidates"]]
            rows.append(dict(expect=q.get("expect", []), cands=cands, printed=a["suggestions"]))
        out[name] = rows
    return out


def named(row, min_score):
    """The topics the naming rule offers for one declined question."""
    topics = []
    for c in row["cands"]:
        if len(topics) == MAX_SUGGESTIONS:
            break
        near_in_words = c["related"] and c["coverage"] >= COVERAGE
        if (near_in_words or c["score"] >= min_score) and c["topic"] not in topics:
            topics.append(c["topic"])
    return topics


def tally(rows, min_score):
    t = dict(declined=0, first=0, named=0, off_topic=0, off_topic_named=0)
    for row in rows:
        topics = named(row, min_score)
        if row["expect"]:
            holding = {c["topic"] for c in row["cands"] if any(e in c["passage"] for e in row["expect"])}
            t["declined"] += 1
            t["first"] += bool(topics) and topics[0] in holding
            t["named"] += any(x in holding for x in topics)
        else:
            t["off_topic"] += 1
            t["off_topic_named"] += bool(topics)
    return t


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="target/release/lantern")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    fit = collect(args.binary, FIT, tmp)
    fit_rows = [r for rows in fit.values() for r in rows]
    never = 1e9

    def objective(s):
        t = tally(fit_rows, s)
        return t["first"] + t["named"] - t["off_topic_named"]

    candidates = [round(0.05 + 0.01 * i, 2) for i in range(46)]
    best = max(candidates, key=lambda s: (objective(s), s))
    print(f"without the rule: {objective(never)}; best threshold {best}: {objective(best)}")
    held = collect(args.binary, HELD_OUT, tmp)
    print("set        declined  first (without → with)  named   off-topic named")
    for name, rows in list(fit.items()) + list(held.items()):
        a, b = tally(rows, never), tally(rows, best)
        tag = "" if name in held else " (fitted on)"
        print(f"{name:10} {a['declined']:8}  {a['first']:3} → {b['first']:3}            "
              f"{a['named']:3} → {b['named']:3}   {a['off_topic_named']} → {b['off_topic_named']} "
              f"of {a['off_topic']}{tag}")
    differ = sum(named(r, best) != r["printed"] for rows in list(fit.values()) + list(held.values()) for r in rows)
    print(f"\nSUGGESTION_MIN_SCORE = {best}  (src/knowledge.rs); declined questions whose printed topics differ from the replay: {differ}")


if __name__ == "__main__":
    main()
