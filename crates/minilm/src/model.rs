//! The BERT encoder: int8 weights (widened to f32 a panel at a time inside each product),
//! f32 arithmetic; the matrix kernels are in `kernel.rs`.

use safetensors::{Dtype, SafeTensors};

use crate::kernel::{self, Epilogue, Isa, Linear, NR};
use crate::{DIM, Error};

pub(crate) struct Config {
    pub(crate) hidden: usize,
    pub(crate) heads: usize,
    pub(crate) layers: usize,
    pub(crate) intermediate: usize,
    pub(crate) max_positions: usize,
    pub(crate) vocab_size: usize,
    pub(crate) max_seq_length: usize,
    pub(crate) eps: f32,
}

impl Config {
    pub(crate) fn parse(json: &str) -> Result<Config, Error> {
        let v: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| Error::Config(format!("not valid JSON: {e}")))?;
        let num = |key: &str| -> Result<usize, Error> {
            v.get(key)
                .and_then(serde_json::Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .filter(|&n| n > 0)
                .ok_or_else(|| Error::Config(format!("{key} is missing or not a positive integer")))
        };
        let cfg = Config {
            hidden: num("hidden_size")?,
            heads: num("num_attention_heads")?,
            layers: num("num_hidden_layers")?,
            intermediate: num("intermediate_size")?,
            max_positions: num("max_position_embeddings")?,
            vocab_size: num("vocab_size")?,
            max_seq_length: num("max_seq_length")?,
            eps: v
                .get("layer_norm_eps")
                .and_then(serde_json::Value::as_f64)
                .ok_or_else(|| Error::Config("layer_norm_eps is missing or not a number".into()))?
                as f32,
        };
        if v.get("do_lower_case").and_then(serde_json::Value::as_bool) == Some(false) {
            return Err(Error::Config(
                "do_lower_case is false; this crate implements the uncased tokenizer only".into(),
            ));
        }
        if !cfg.hidden.is_multiple_of(cfg.heads) {
            return Err(Error::Config(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                cfg.hidden, cfg.heads
            )));
        }
        if cfg.max_seq_length < 2 || cfg.max_seq_length > cfg.max_positions {
            return Err(Error::Config(format!(
                "max_seq_length {} must be between 2 and max_position_embeddings {}",
                cfg.max_seq_length, cfg.max_positions
            )));
        }
        Ok(cfg)
    }
}

struct Norm {
    w: Vec<f32>,
    b: Vec<f32>,
}

struct Layer {
    /// Query, key and value fused into one (3·hidden, hidden) matrix: one product.
    qkv: Linear,
    attn_out: Linear,
    attn_norm: Norm,
    inter: Linear,
    out: Linear,
    out_norm: Norm,
}

pub(crate) struct Model {
    /// The word-embedding table stays int8 (30522 × 384 = 11 MB instead of 47 MB as f32);
    /// only the rows a text uses are dequantised.
    word_q: Vec<i8>,
    word_scale: Vec<f32>,
    position: Vec<f32>,
    token_type0: Vec<f32>,
    emb_norm: Norm,
    layers: Vec<Layer>,
    hidden: usize,
    heads: usize,
    eps: f32,
}

struct Reader<'a> {
    st: SafeTensors<'a>,
}

impl Reader<'_> {
    fn view(&self, name: &str, dtype: Dtype, shape: &[usize]) -> Result<&[u8], Error> {
        let t = self
            .st
            .tensor(name)
            .map_err(|_| Error::MissingTensor(name.to_string()))?;
        if t.dtype() != dtype || t.shape() != shape {
            return Err(Error::BadTensor {
                name: name.to_string(),
                expected: format!("{dtype:?} {shape:?}"),
                found: format!("{:?} {:?}", t.dtype(), t.shape()),
            });
        }
        Ok(t.data())
    }

    fn f32s(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, Error> {
        let data = self.view(name, Dtype::F32, shape)?;
        let v: Vec<f32> = data
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if v.iter().any(|x| !x.is_finite()) {
            return Err(Error::BadTensor {
                name: name.to_string(),
                expected: "finite values".into(),
                found: "NaN or infinity".into(),
            });
        }
        Ok(v)
    }

    /// The int8 matrix `name.q` (rows × cols) and its per-row scales `name.scale`.
    fn quantised(
        &self,
        name: &str,
        rows: usize,
        cols: usize,
    ) -> Result<(Vec<i8>, Vec<f32>), Error> {
        let q = self.view(&format!("{name}.q"), Dtype::I8, &[rows, cols])?;
        let scale = self.f32s(&format!("{name}.scale"), &[rows])?;
        Ok((q.iter().map(|&b| b as i8).collect(), scale))
    }

    fn dequantised(&self, name: &str, rows: usize, cols: usize) -> Result<Vec<f32>, Error> {
        let (q, scale) = self.quantised(name, rows, cols)?;
        let mut w = Vec::with_capacity(rows * cols);
        for (row, s) in q.chunks_exact(cols).zip(&scale) {
            w.extend(row.iter().map(|&x| f32::from(x) * s));
        }
        Ok(w)
    }

    /// The dense layer `name` (PyTorch's (out, in) `name.weight`, int8, and `name.bias`).
    fn linear(&self, name: &str, out: usize, inp: usize) -> Result<Linear, Error> {
        let (q, scale) = self.quantised(&format!("{name}.weight"), out, inp)?;
        let bias = self.f32s(&format!("{name}.bias"), &[out])?;
        Ok(Linear::new(&q, scale, bias, inp))
    }

    fn norm(&self, name: &str, n: usize) -> Result<Norm, Error> {
        Ok(Norm {
            w: self.f32s(&format!("{name}.weight"), &[n])?,
            b: self.f32s(&format!("{name}.bias"), &[n])?,
        })
    }
}

impl Norm {
    /// LayerNorm of each row of x, in place.
    fn apply(&self, x: &mut [f32], eps: f32) {
        for row in x.chunks_exact_mut(self.w.len()) {
            self.apply_row(row, eps);
        }
    }

    fn apply_row(&self, row: &mut [f32], eps: f32) {
        let h = row.len() as f32;
        let mean = sum(row) / h;
        // Two passes, as before (one-pass variance loses precision); both vectorise.
        let mut acc = [0.0f32; 8];
        let mut chunks = row.chunks_exact(8);
        for c in &mut chunks {
            for (a, v) in acc.iter_mut().zip(c) {
                *a += (v - mean) * (v - mean);
            }
        }
        let tail: f32 = chunks
            .remainder()
            .iter()
            .map(|v| (v - mean) * (v - mean))
            .sum();
        let var = (acc.iter().sum::<f32>() + tail) / h;
        let inv = 1.0 / (var + eps).sqrt();
        for ((v, w), b) in row.iter_mut().zip(&self.w).zip(&self.b) {
            *v = (*v - mean) * inv * w + b;
        }
    }
}

/// Σ xs in eight interleaved partial sums, which the compiler can keep in one vector.
fn sum(xs: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let mut chunks = xs.chunks_exact(8);
    for c in &mut chunks {
        for (a, v) in acc.iter_mut().zip(c) {
            *a += v;
        }
    }
    acc.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>()
}

impl Model {
    pub(crate) fn load(bytes: &[u8], cfg: &Config) -> Result<Model, Error> {
        let st = SafeTensors::deserialize(bytes).map_err(|e| Error::Weights(e.to_string()))?;
        let r = Reader { st };
        let h = cfg.hidden;
        let (word_q, word_scale) =
            r.quantised("embeddings.word_embeddings.weight", cfg.vocab_size, h)?;
        let position = r.dequantised(
            "embeddings.position_embeddings.weight",
            cfg.max_positions,
            h,
        )?;
        let token_type0 = {
            let name = "embeddings.token_type_embeddings.weight";
            let t =
                r.st.tensor(&format!("{name}.q"))
                    .map_err(|_| Error::MissingTensor(format!("{name}.q")))?;
            let rows = t.shape().first().copied().unwrap_or(0).max(1);
            let mut all = r.dequantised(name, rows, h)?;
            all.truncate(h);
            all
        };
        let emb_norm = r.norm("embeddings.LayerNorm", h)?;
        let mut layers = Vec::with_capacity(cfg.layers);
        for i in 0..cfg.layers {
            let p = format!("encoder.layer.{i}");
            // Query, key and value stacked into one (3·hidden, hidden) matrix: outputs are
            // [q | k | v] for each token.
            let (mut q, mut scale, mut bias) = (Vec::new(), Vec::new(), Vec::new());
            for part in ["query", "key", "value"] {
                let name = format!("{p}.attention.self.{part}");
                let (pq, ps) = r.quantised(&format!("{name}.weight"), h, h)?;
                q.extend(pq);
                scale.extend(ps);
                bias.extend(r.f32s(&format!("{name}.bias"), &[h])?);
            }
            let qkv = Linear::new(&q, scale, bias, h);
            layers.push(Layer {
                qkv,
                attn_out: r.linear(&format!("{p}.attention.output.dense"), h, h)?,
                attn_norm: r.norm(&format!("{p}.attention.output.LayerNorm"), h)?,
                inter: r.linear(&format!("{p}.intermediate.dense"), cfg.intermediate, h)?,
                out: r.linear(&format!("{p}.output.dense"), h, cfg.intermediate)?,
                out_norm: r.norm(&format!("{p}.output.LayerNorm"), h)?,
            });
        }
        Ok(Model {
            word_q,
            word_scale,
            position,
            token_type0,
            emb_norm,
            layers,
            hidden: h,
            heads: cfg.heads,
            eps: cfg.eps,
        })
    }

    /// Embeds `ids` (already [CLS] … [SEP] and no longer than max_seq_length, which is
    /// checked against max_position_embeddings at load). Ids beyond the vocabulary cannot
    /// come from the tokenizer; they would be treated as [PAD] (row 0).
    pub(crate) fn forward(&self, ids: &[u32]) -> [f32; DIM] {
        self.forward_with(Isa::detect(), ids)
    }

    pub(crate) fn forward_with(&self, isa: Isa, ids: &[u32]) -> [f32; DIM] {
        self.forward_batch_with(isa, &[ids])[0]
    }

    /// Embeds several token sequences in one pass: the dense layers run over all their
    /// rows at once, so the weights are streamed once rather than once per text;
    /// attention and pooling stay within each sequence. Each row's sums are taken in the
    /// same order as alone, so every embedding has the same bits as [`Model::forward`]'s.
    pub(crate) fn forward_batch(&self, sequences: &[&[u32]]) -> Vec<[f32; DIM]> {
        self.forward_batch_with(Isa::detect(), sequences)
    }

    pub(crate) fn forward_batch_with(&self, isa: Isa, sequences: &[&[u32]]) -> Vec<[f32; DIM]> {
        let h = self.hidden;
        // Where each sequence's rows start, and the total.
        let mut starts = Vec::with_capacity(sequences.len());
        let mut n = 0;
        for ids in sequences {
            starts.push(n);
            n += ids.len();
        }
        let longest = sequences.iter().map(|ids| ids.len()).max().unwrap_or(0);
        let inter = self.layers.first().map_or(0, |l| l.inter.out);
        let dh = h / self.heads;
        // Scratch, allocated once per call.
        let mut x = vec![0.0f32; n * h];
        let mut qkv = vec![0.0f32; n * 3 * h];
        let mut ctx = vec![0.0f32; n * h];
        let mut tmp = vec![0.0f32; n * h];
        let mut big = vec![0.0f32; n * inter];
        let mut scores = vec![0.0f32; longest * longest];
        // One f32 panel (k × 16) of whichever matrix is being multiplied.
        let mut panel = Vec::with_capacity(inter.max(h).max(longest).max(dh) * NR);

        for (ids, &start) in sequences.iter().zip(&starts) {
            self.embed_tokens(ids, &mut x[start * h..(start + ids.len()) * h]);
        }

        let plain = Epilogue::default();
        for layer in &self.layers {
            layer
                .qkv
                .apply(isa, &x, n, &mut qkv, false, None, &mut panel);
            for (ids, &start) in sequences.iter().zip(&starts) {
                let rows = start..start + ids.len();
                self.attention(isa, &qkv, rows, &mut ctx, &mut scores, &mut panel, &plain);
            }
            layer
                .attn_out
                .apply(isa, &ctx, n, &mut tmp, false, Some(&x), &mut panel);
            layer.attn_norm.apply(&mut tmp, self.eps);
            std::mem::swap(&mut x, &mut tmp);
            layer
                .inter
                .apply(isa, &x, n, &mut big, true, None, &mut panel);
            layer
                .out
                .apply(isa, &big, n, &mut tmp, false, Some(&x), &mut panel);
            layer.out_norm.apply(&mut tmp, self.eps);
            std::mem::swap(&mut x, &mut tmp);
        }

        sequences
            .iter()
            .zip(&starts)
            .map(|(ids, &start)| pool(&x[start * h..(start + ids.len()) * h], h))
            .collect()
    }

    /// The embedding layer for one sequence: word, position and token-type vectors,
    /// summed and normalised, into `x` (one row of `hidden` per token).
    fn embed_tokens(&self, ids: &[u32], x: &mut [f32]) {
        let h = self.hidden;
        let rows = self.word_scale.len();
        for (t, (&id, row)) in ids.iter().zip(x.chunks_exact_mut(h)).enumerate() {
            let id = if (id as usize) < rows { id as usize } else { 0 };
            let q = &self.word_q[id * h..(id + 1) * h];
            let s = self.word_scale[id];
            let pos = &self.position[t * h..(t + 1) * h];
            for (((v, &q), p), tt) in row.iter_mut().zip(q).zip(pos).zip(&self.token_type0) {
                *v = f32::from(q) * s + p + tt;
            }
            self.emb_norm.apply_row(row, self.eps);
        }
    }

    /// Self-attention of one sequence, the rows `rows` of `qkv` (row stride 3·hidden),
    /// into the same rows of `ctx`, every head.
    #[allow(clippy::too_many_arguments)]
    fn attention(
        &self,
        isa: Isa,
        qkv: &[f32],
        rows: std::ops::Range<usize>,
        ctx: &mut [f32],
        scores: &mut [f32],
        panel: &mut Vec<f32>,
        plain: &Epilogue,
    ) {
        let h = self.hidden;
        let dh = h / self.heads;
        let n = rows.len();
        let scale = 1.0 / (dh as f32).sqrt();
        let qkv = &qkv[rows.start * 3 * h..rows.end * 3 * h];
        let ctx = &mut ctx[rows.start * h..rows.end * h];
        let scores = &mut scores[..n * n];
        for head in 0..self.heads {
            let q = &qkv[head * dh..];
            let k = &qkv[h + head * dh..];
            let v = &qkv[2 * h + head * dh..];
            // scores (n×n) = Q_h (n×dh) · K_hᵀ (dh×n), 16 keys at a time: the panel is
            // K_hᵀ's columns j0 .. j0+16 (zero past n), dh rows of 16.
            for j0 in (0..n).step_by(NR) {
                let cols = NR.min(n - j0);
                panel.clear();
                panel.resize(dh * NR, 0.0);
                for l in 0..cols {
                    let key = &k[(j0 + l) * 3 * h..(j0 + l) * 3 * h + dh];
                    for (d, &kv) in key.iter().enumerate() {
                        panel[d * NR + l] = kv;
                    }
                }
                kernel::matmul_panel(isa, n, dh, q, 3 * h, panel, NR, scores, n, j0, cols, plain);
            }
            for row in scores.chunks_exact_mut(n) {
                kernel::softmax(isa, row, scale);
            }
            // ctx_h (n×dh) = P (n×n) · V_h (n×dh), 16 columns at a time straight from
            // qkv (row stride 3·hidden), into the head's columns of ctx.
            for j0 in (0..dh).step_by(NR) {
                let cols = NR.min(dh - j0);
                let b: &[f32] = if cols == NR && j0 + NR <= dh {
                    &v[j0..]
                } else {
                    // A narrow head: copy the columns into a zero-padded panel.
                    panel.clear();
                    panel.resize(n * NR, 0.0);
                    for t in 0..n {
                        let src = &v[t * 3 * h + j0..t * 3 * h + j0 + cols];
                        panel[t * NR..t * NR + cols].copy_from_slice(src);
                    }
                    panel
                };
                let ldb = if cols == NR { 3 * h } else { NR };
                kernel::matmul_panel(
                    isa,
                    n,
                    n,
                    scores,
                    n,
                    b,
                    ldb,
                    ctx,
                    h,
                    head * dh + j0,
                    cols,
                    plain,
                );
            }
        }
    }
}

/// Mean pooling over a sequence's rows, then L2 normalisation.
fn pool(x: &[f32], h: usize) -> [f32; DIM] {
    let mut e = [0.0f32; DIM];
    let n = x.len() / h;
    for row in x.chunks_exact(h) {
        for (a, v) in e.iter_mut().zip(row) {
            *a += v;
        }
    }
    let inv_n = 1.0 / n.max(1) as f32;
    e.iter_mut().for_each(|v| *v *= inv_n);
    let norm = e.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
    e.iter_mut().for_each(|v| *v /= norm);
    e
}

#[cfg(test)]
mod tests {
    #[test]
    fn simd_and_portable_paths_agree() {
        use crate::kernel::Isa;
        let enc = crate::Encoder::embedded().expect("the shipped model loads");
        let isa = Isa::detect();
        for text in [
            "",
            "What are the symptoms of diabetes?",
            &"headache and fever ".repeat(12),
        ] {
            let ids = enc.token_ids(text);
            let a = enc.model.forward_with(isa, &ids);
            let b = enc.model.forward_with(Isa::Portable, &ids);
            let dot: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!(
                dot > 0.9999,
                "{isa:?} vs portable: cosine {dot} for {text:?}"
            );
        }
    }

    /// Batching is exact on the portable path too (the vector paths are covered through
    /// the public `embed_batch`).
    #[test]
    fn a_portable_batch_matches_each_text_alone() {
        use crate::kernel::Isa;
        let enc = crate::Encoder::embedded().expect("the shipped model loads");
        let ids: Vec<Vec<u32>> = ["", "what is aps", &"clots and pads ".repeat(9)]
            .iter()
            .map(|text| enc.token_ids(text))
            .collect();
        let batch: Vec<&[u32]> = ids.iter().map(Vec::as_slice).collect();
        let together = enc.model.forward_batch_with(Isa::Portable, &batch);
        for (ids, together) in ids.iter().zip(together) {
            assert_eq!(together, enc.model.forward_with(Isa::Portable, ids));
        }
    }

    #[test]
    fn erf_is_accurate() {
        // Reference values of erf.
        for (x, want) in [
            (0.0f32, 0.0f64),
            (0.1, 0.112_462_916_018_284_9),
            (0.5, 0.520_499_877_813_046_5),
            (1.0, 0.842_700_792_949_714_9),
            (2.0, 0.995_322_265_018_952_7),
            (3.5, 0.999_999_256_901_627_7),
            (-1.0, -0.842_700_792_949_714_9),
        ] {
            let got = f64::from(crate::kernel::erf(x));
            assert!((got - want).abs() < 5e-7, "erf({x}) = {got}, want {want}");
        }
        assert_eq!(crate::kernel::gelu(20.0), 20.0);
        assert_eq!(crate::kernel::gelu(-20.0), 0.0);
    }
}
