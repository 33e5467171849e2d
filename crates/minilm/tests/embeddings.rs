//! The int8 encoder against the float model's embeddings (tests/data/embeddings.jsonl,
//! from a numpy forward pass of the original weights; see make_fixtures.py).

mod common;

use minilm::DIM;

#[test]
fn agrees_with_the_float_model() {
    let enc = common::encoder();
    let lines = common::jsonl(include_str!("data/embeddings.jsonl"));
    assert!(lines.len() >= 30);
    let (mut min, mut sum) = (f32::INFINITY, 0.0f32);
    let mut worst = String::new();
    for line in &lines {
        let text = line["text"].as_str().expect("text");
        let want: Vec<f32> = line["embedding"]
            .as_array()
            .expect("embedding")
            .iter()
            .map(|x| x.as_f64().expect("number") as f32)
            .collect();
        assert_eq!(want.len(), DIM);
        assert_eq!(
            enc.token_ids(text).len() as u64,
            line["tokens"].as_u64().expect("tokens")
        );
        let got = enc.embed(text);
        let c = common::cosine(&got, &want);
        if c < min {
            min = c;
            worst = text.chars().take(40).collect();
        }
        sum += c;
    }
    let mean = sum / lines.len() as f32;
    eprintln!(
        "cosine vs float model over {} texts: min {min:.5} ({worst:?}), mean {mean:.5}",
        lines.len()
    );
    assert!(min >= 0.99, "min cosine {min} for {worst:?}");
}

#[test]
fn related_sentences_are_closer_than_unrelated_ones() {
    let enc = common::encoder();
    let dot = |a: &[f32; DIM], b: &[f32; DIM]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    let cases = [
        (
            "What are the symptoms of diabetes?",
            "signs of high blood sugar",
            "The best way to cook pasta",
        ),
        (
            "How much paracetamol can I take?",
            "maximum daily dose of acetaminophen",
            "football results from last night",
        ),
        (
            "my child has a fever",
            "my kid has a high temperature",
            "how to change a car tyre",
        ),
        (
            "Is ibuprofen safe in pregnancy?",
            "painkillers while pregnant",
            "the stock market fell today",
        ),
    ];
    for (q, near, far) in cases {
        let (q, n, f) = (enc.embed(q), enc.embed(near), enc.embed(far));
        assert!(
            dot(&q, &n) > dot(&q, &f) + 0.2,
            "{} vs {}",
            dot(&q, &n),
            dot(&q, &f)
        );
    }
    let e = enc.embed("anything");
    let norm: f32 = e.iter().map(|v| v * v).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4);
    assert_eq!(
        enc.embed_batch(&["a", "b"]),
        vec![enc.embed("a"), enc.embed("b")]
    );
}

/// Texts embedded together come out with the same bits as alone, across the passes a
/// long batch is split into, so cached vectors never depend on what they were batched with.
#[test]
fn a_batch_gives_each_text_its_own_embedding_exactly() {
    let enc = common::encoder();
    let long = "heparin injections every evening in the belly, ".repeat(24);
    let texts: Vec<String> = (0..9)
        .map(|i| match i % 3 {
            0 => format!("question {i}: is it safe to fly while pregnant?"),
            1 => long.clone(),
            _ => String::new(),
        })
        .collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let total: usize = texts.iter().map(|t| enc.token_count(t) + 2).sum();
    assert!(
        total > 2 * minilm::BATCH_TOKENS,
        "the batch must span several passes"
    );
    let alone: Vec<_> = texts.iter().map(|t| enc.embed(t)).collect();
    assert_eq!(enc.embed_batch(&texts), alone);
}

#[test]
fn model_id_is_short_and_stable() {
    let enc = common::encoder();
    assert!(enc.model_id().starts_with("minilm-l6-int8-"));
    assert!(enc.model_id().len() <= 40);
    let again = minilm::Encoder::embedded().expect("loads");
    assert_eq!(again.model_id(), enc.model_id());
}
