//! Loading bad parts fails with a message naming the file and what is wrong.

const WEIGHTS: &[u8] = include_bytes!("../../../models/all-MiniLM-L6-v2/encoder.safetensors");
const VOCAB: &str = include_str!("../../../models/all-MiniLM-L6-v2/vocab.txt");
const CONFIG: &str = include_str!("../../../models/all-MiniLM-L6-v2/config.json");

fn err(weights: &[u8], vocab: &str, config: &str) -> String {
    match minilm::Encoder::from_parts(weights, vocab, config) {
        Ok(_) => panic!("loaded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_parts_are_named() {
    assert!(err(&WEIGHTS[..1000], VOCAB, CONFIG).contains("encoder.safetensors"));
    assert!(err(b"", VOCAB, CONFIG).contains("export.py"));
    assert!(err(WEIGHTS, VOCAB, "{").contains("config.json"));
    let no_layers = CONFIG.replace("\"num_hidden_layers\": 6", "\"num_hidden_layers\": 7");
    let e = err(WEIGHTS, VOCAB, &no_layers);
    assert!(e.contains("encoder.layer.6"), "{e}");
    let wide = CONFIG.replace("\"hidden_size\": 384", "\"hidden_size\": 768");
    assert!(err(WEIGHTS, VOCAB, &wide).contains("hidden_size"));
    assert!(err(WEIGHTS, "a\nb\n", CONFIG).contains("vocab.txt lacks the special token"));
}
