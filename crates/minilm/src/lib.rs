//! Sentence embeddings from all-MiniLM-L6-v2, in plain Rust, from int8 weights that ship in
//! the repository (`models/all-MiniLM-L6-v2/`) and are compiled into the binary.
//!
//! Why hand-written: Lantern's CI is a 2-core machine, and candle, `tokenizers` or ndarray
//! would add minutes of build and hundreds of crates for one small model. This crate needs
//! only `safetensors` (+ `serde_json`) to read the weights, `unicode-normalization` for
//! accent stripping, and `thiserror`; its matrix kernels are its own (AVX-512 or AVX2+FMA
//! when the CPU has them, portable Rust otherwise), single-threaded, with the weights kept
//! int8.
//!
//! Speed, one core of a shared 2-core Xeon VM (release, `examples/speed.rs`, medians): a
//! 22-token text in about 5 ms with AVX-512 (9–11 ms with AVX2, 16–17 ms with sgemm
//! before), 122 tokens in about 31 ms (47–57 ms with AVX2). The matrix products reach
//! about 112 GFLOP/s with AVX-512 and 60–75 with AVX2. Every path gives the same bits
//! for the same text, alone or in a batch (tested), so cached vectors never depend on
//! the machine's vector unit or on what a text was batched with; the portable path
//! agrees to float rounding.
//!
//! What it computes is what sentence-transformers computes for this model: BERT uncased
//! WordPiece tokens (truncated to 256 including [CLS]/[SEP]), a 6-layer BERT encoder, mean
//! pooling over all tokens, then L2 normalisation. The tokenizer matches HuggingFace
//! `tokenizers` id for id (tested on fixtures it generated). The weights are int8 with one
//! f32 scale per row; embeddings agree with the float model at cosine ≥ 0.99 (tested).
//!
//! ```no_run
//! let enc = minilm::Encoder::embedded().unwrap();
//! let a = enc.embed("What are the symptoms of diabetes?");
//! let b = enc.embed("signs of high blood sugar");
//! let cosine: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
//! assert!(cosine > 0.3);
//! ```

mod kernel;
mod model;
mod tables;
mod tokenizer;

use model::Model;
use tokenizer::Tokenizer;

/// The embedding width of all-MiniLM-L6-v2.
pub const DIM: usize = 384;

/// The cosine similarity of two embeddings from [`Encoder::embed`] (they are
/// L2-normalised, so it is their dot product). Summed in eight lanes, which the compiler
/// vectorises: a plain float sum must keep its order and is not, and callers compare a
/// question with thousands of passages.
#[inline]
pub fn similarity(a: &[f32; DIM], b: &[f32; DIM]) -> f32 {
    let mut lanes = [0.0f32; 8];
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for lane in 0..8 {
            lanes[lane] += x[lane] * y[lane];
        }
    }
    lanes.iter().sum()
}

/// Why a model could not be loaded. Each names the file (and tensor) at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "encoder.safetensors is not a readable safetensors file ({0}); regenerate it with models/all-MiniLM-L6-v2/export.py"
    )]
    Weights(String),
    #[error(
        "encoder.safetensors has no tensor {0:?}; was it written by models/all-MiniLM-L6-v2/export.py?"
    )]
    MissingTensor(String),
    #[error("encoder.safetensors: tensor {name:?} should be {expected} but is {found}")]
    BadTensor {
        name: String,
        expected: String,
        found: String,
    },
    #[error("config.json: {0}")]
    Config(String),
    #[error("vocab.txt: {0}")]
    Vocab(String),
}

/// A loaded model: tokenizer plus int8 encoder. Immutable after loading, so it is `Send +
/// Sync` and one instance can serve every thread; each call uses its own scratch memory.
pub struct Encoder {
    tokenizer: Tokenizer,
    model: Model,
    max_seq_length: usize,
    id: String,
}

/// The most tokens [`Encoder::embed_batch`] puts through one forward pass: enough that
/// the weights' cost is spread thin, few enough that its scratch stays a few MB.
pub const BATCH_TOKENS: usize = 256;

static WEIGHTS: &[u8] = include_bytes!("../../../models/all-MiniLM-L6-v2/encoder.safetensors");
static VOCAB: &str = include_str!("../../../models/all-MiniLM-L6-v2/vocab.txt");
static CONFIG: &str = include_str!("../../../models/all-MiniLM-L6-v2/config.json");

/// FNV-1a over 8-byte words (then the tail bytes): cheap (~5 ms for 23 MB) and stable
/// across platforms and releases, which is all a cache key needs.
fn fnv64(mut h: u64, bytes: &[u8]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        h = (h ^ w).wrapping_mul(PRIME);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(PRIME);
    }
    h
}

impl Encoder {
    /// The model shipped in the repository, compiled into the binary with `include_bytes!`
    /// (paths relative to this crate: `../../models/all-MiniLM-L6-v2/...`), so nothing is read
    /// or fetched at run time. Loading repacks the int8 encoder layers (about 40 ms, ~23 MB
    /// with the embedding tables); build it once and share it.
    pub fn embedded() -> Result<Encoder, Error> {
        Encoder::from_parts(WEIGHTS, VOCAB, CONFIG)
    }

    /// A model from the three files `export.py` writes: `encoder.safetensors`, `vocab.txt`
    /// and `config.json`, given as their contents.
    pub fn from_parts(weights: &[u8], vocab: &str, config_json: &str) -> Result<Encoder, Error> {
        let cfg = model::Config::parse(config_json)?;
        if cfg.hidden != DIM {
            return Err(Error::Config(format!(
                "hidden_size is {}, but this crate is built for {DIM}",
                cfg.hidden
            )));
        }
        let tokenizer = Tokenizer::new(vocab)?;
        if tokenizer.vocab_len() > cfg.vocab_size {
            return Err(Error::Vocab(format!(
                "{} entries, more than vocab_size {} in config.json",
                tokenizer.vocab_len(),
                cfg.vocab_size
            )));
        }
        let model = Model::load(weights, &cfg)?;
        let mut h = fnv64(0xcbf2_9ce4_8422_2325, weights);
        h = fnv64(h, vocab.as_bytes());
        h = fnv64(h, config_json.as_bytes());
        Ok(Encoder {
            tokenizer,
            model,
            max_seq_length: cfg.max_seq_length,
            id: format!("minilm-l6-int8-{h:016x}"),
        })
    }

    /// The ids the model sees: [CLS], the wordpieces cut to `max_seq_length - 2`, [SEP].
    fn ids(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::with_capacity(64);
        ids.push(self.tokenizer.cls);
        self.tokenizer.tokenize_into(text, &mut ids);
        ids.truncate(self.max_seq_length - 1);
        ids.push(self.tokenizer.sep);
        ids
    }

    /// L2-normalised mean-pooled sentence embedding, as sentence-transformers computes it
    /// (truncation at max_seq_length 256 tokens including [CLS]/[SEP]). A fixed-size array,
    /// so callers can store it without another allocation; the dot product of two is their
    /// cosine similarity. Any text is accepted: an empty one gives the [CLS][SEP] embedding.
    pub fn embed(&self, text: &str) -> [f32; DIM] {
        self.model.forward(&self.ids(text))
    }

    /// [`Encoder::embed`] for each text, in order, with the same bits. Texts share forward
    /// passes of up to [`BATCH_TOKENS`] tokens (unpadded: attention stays within each
    /// text), so a question's sentences, or a reload's new passages, pay the fixed cost of
    /// a pass once instead of once each.
    pub fn embed_batch(&self, texts: &[&str]) -> Vec<[f32; DIM]> {
        let ids: Vec<Vec<u32>> = texts.iter().map(|text| self.ids(text)).collect();
        let mut out = Vec::with_capacity(texts.len());
        let mut batch: Vec<&[u32]> = Vec::new();
        let mut tokens = 0;
        for ids in &ids {
            if !batch.is_empty() && tokens + ids.len() > BATCH_TOKENS {
                out.extend(self.model.forward_batch(&batch));
                batch.clear();
                tokens = 0;
            }
            batch.push(ids);
            tokens += ids.len();
        }
        if !batch.is_empty() {
            out.extend(self.model.forward_batch(&batch));
        }
        out
    }

    /// A short stable id of the weights, vocabulary and config (a 64-bit hash), for cache
    /// keys: cached embeddings stay valid exactly while this id is unchanged.
    pub fn model_id(&self) -> &str {
        &self.id
    }

    /// How many wordpieces `text` becomes, without [CLS]/[SEP] and before truncation to
    /// the model's 254-wordpiece limit; handy for benchmarks and for spotting texts that
    /// would be cut.
    pub fn token_count(&self, text: &str) -> usize {
        let mut ids = Vec::new();
        self.tokenizer.tokenize_into(text, &mut ids);
        ids.len()
    }

    /// The token ids `embed` would feed the model, [CLS] and [SEP] included. For tests.
    #[doc(hidden)]
    pub fn token_ids(&self, text: &str) -> Vec<u32> {
        self.ids(text)
    }

    /// Tokenise without truncation, [CLS] and [SEP] included (what `tokenizers` gives
    /// with truncation off). For tests.
    #[doc(hidden)]
    pub fn token_ids_untruncated(&self, text: &str) -> Vec<u32> {
        let mut ids = vec![self.tokenizer.cls];
        self.tokenizer.tokenize_into(text, &mut ids);
        ids.push(self.tokenizer.sep);
        ids
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn encoder_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<super::Encoder>();
    }
}
