//! The Rust tokenizer must give exactly the ids HuggingFace `tokenizers` gives from the
//! model's tokenizer.json (fixtures from tests/data/make_fixtures.py).

mod common;

fn ids(v: &serde_json::Value) -> Vec<u32> {
    v["ids"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|x| x.as_u64().expect("id") as u32)
        .collect()
}

#[test]
fn matches_huggingface_on_every_fixture_string() {
    let enc = common::encoder();
    let lines = common::jsonl(include_str!("data/tokens.jsonl"));
    assert!(lines.len() >= 300, "only {} fixture strings", lines.len());
    let mut bad = Vec::new();
    for line in &lines {
        let text = line["text"].as_str().expect("text");
        let want = ids(line);
        let got = enc.token_ids_untruncated(text);
        if got != want {
            bad.push(format!("{text:?}\n  want {want:?}\n  got  {got:?}"));
        }
    }
    eprintln!(
        "tokenizer: {}/{} fixture strings match",
        lines.len() - bad.len(),
        lines.len()
    );
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn matches_huggingface_on_every_code_point() {
    let enc = common::encoder();
    let lines = common::jsonl(include_str!("data/unicode_sweep.jsonl"));
    let cps: Vec<char> = (0u32..0x30000).filter_map(char::from_u32).collect();
    assert_eq!(lines.len(), cps.len().div_ceil(64));
    let mut bad = Vec::new();
    for line in &lines {
        let first = line["first"].as_u64().expect("first") as u32;
        let at = cps
            .iter()
            .position(|&c| c as u32 == first)
            .expect("first is a char");
        let text: Vec<String> = cps[at..(at + 64).min(cps.len())]
            .iter()
            .map(|c| c.to_string())
            .collect();
        let got = enc.token_ids_untruncated(&text.join(" "));
        if got != ids(line) {
            bad.push(format!("U+{first:04X}.."));
        }
    }
    eprintln!(
        "tokenizer sweep: {}/{} lines of 64 code points match",
        lines.len() - bad.len(),
        lines.len()
    );
    assert!(
        bad.is_empty(),
        "{} mismatching lines: {}",
        bad.len(),
        bad.join(" ")
    );
}

#[test]
fn truncates_to_256_with_cls_and_sep() {
    let enc = common::encoder();
    let text = "word ".repeat(300);
    let ids = enc.token_ids(&text);
    assert_eq!(ids.len(), 256);
    assert_eq!(ids[0], 101);
    assert_eq!(ids[255], 102);
    assert_eq!(enc.token_count(&text), 300);
    assert_eq!(enc.token_count(""), 0);
    assert_eq!(enc.token_ids(""), vec![101, 102]);
}
