//! Matrix products and element-wise maths for the encoder, written for its shapes: a few to
//! 256 rows of activations (one per token) times weight matrices of a few hundred to a
//! couple of thousand columns.
//!
//! Weights stay int8. [`Linear`] keeps them in panels of [`NR`] = 16 output columns,
//! contiguous over the input dimension, so a product streams each weight once: for each
//! panel the int8 values are widened to f32 into a small scratch buffer (in cache), every
//! block of up to [`MR`] = 6 token rows is multiplied against it with the 6×16 block of sums
//! held in registers, and the per-column scale, bias, GELU and residual are applied before
//! the block is stored. The attention products (per head, 32 wide) use the same micro-kernel
//! on f32 panels.
//!
//! Three implementations share that driver, chosen at run time with
//! `is_x86_feature_detected!`: AVX-512 for the weight products (one 16-lane register per
//! row of the block, so blocks of up to [`MR_AVX512`] rows, and the int8 weights widened
//! in registers as they are read rather than through the scratch panel), AVX2+FMA, and
//! portable Rust for every other machine. The attention products and the element-wise
//! maths have the AVX2 and portable forms (every AVX-512 CPU has AVX2). Each sum is accumulated in the same order with fused multiply-adds in both
//! vector kernels, so they give the same bits; the portable one agrees to float rounding
//! (tested below).

/// Output columns per panel: two 8-lane AVX registers.
pub(crate) const NR: usize = 16;
/// Token rows per register block: 6 × 2 accumulators + 2 panel values + 1 broadcast fit in
/// the 16 AVX registers.
pub(crate) const MR: usize = 6;
/// Token rows per register block with AVX-512: 12 accumulators keep both FMA units busy
/// through their latency, and leave most of the 32 registers free.
pub(crate) const MR_AVX512: usize = 12;

/// Which implementation runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Isa {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Isa {
    /// The fastest implementation this CPU runs (the detection is cached by std).
    pub(crate) fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            if is_x86_feature_detected!("avx512f") {
                return Isa::Avx512;
            }
            return Isa::Avx2;
        }
        Isa::Portable
    }
}

/// What happens to a block of sums before it is stored, column j of row r:
/// `v = sum · scale[j] + bias[j]`, then GELU, then `+ residual[r·ld + j]`.
#[derive(Clone, Copy, Default)]
pub(crate) struct Epilogue<'a> {
    /// Per-column scale and bias, both at least as long as the padded columns (a multiple
    /// of NR); `None` stores the plain sums.
    pub(crate) scale_bias: Option<(&'a [f32], &'a [f32])>,
    pub(crate) gelu: bool,
    /// A matrix with the output's shape and this row stride, added last.
    pub(crate) residual: Option<(&'a [f32], usize)>,
}

/// A dense layer y = x·Wᵀ + b with int8 W (one f32 scale per output) in panels.
pub(crate) struct Linear {
    /// Panel p holds W[16p + l][i] at `p·inp·16 + i·16 + l`; columns past `out` are zero.
    q: Vec<i8>,
    /// Per output, padded with zeros to a multiple of NR.
    scale: Vec<f32>,
    bias: Vec<f32>,
    pub(crate) out: usize,
    pub(crate) inp: usize,
}

impl Linear {
    /// From PyTorch's layout: `q` is (out, inp) row-major, `scale` and `bias` one per output.
    pub(crate) fn new(q: &[i8], mut scale: Vec<f32>, mut bias: Vec<f32>, inp: usize) -> Linear {
        let out = scale.len();
        assert_eq!(q.len(), out * inp);
        assert_eq!(bias.len(), out);
        let panels = out.div_ceil(NR);
        let mut packed = vec![0i8; panels * inp * NR];
        for (o, row) in q.chunks_exact(inp).enumerate() {
            let panel = &mut packed[(o / NR) * inp * NR..];
            for (i, &w) in row.iter().enumerate() {
                panel[i * NR + o % NR] = w;
            }
        }
        scale.resize(panels * NR, 0.0);
        bias.resize(panels * NR, 0.0);
        Linear {
            q: packed,
            scale,
            bias,
            out,
            inp,
        }
    }

    /// y (m×out, row stride out) = x (m×inp, row stride inp) · Wᵀ + b, then the optional
    /// GELU and residual (m×out). `panel` is scratch, grown as needed.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn apply(
        &self,
        isa: Isa,
        x: &[f32],
        m: usize,
        y: &mut [f32],
        gelu: bool,
        residual: Option<&[f32]>,
        panel: &mut Vec<f32>,
    ) {
        let (k, n) = (self.inp, self.out);
        assert!(x.len() >= m * k && y.len() >= m * n);
        let residual = residual.map(|r| {
            assert!(r.len() >= m * n);
            (r, n)
        });
        let epi = Epilogue {
            scale_bias: Some((&self.scale, &self.bias)),
            gelu,
            residual,
        };
        panel.resize(k * NR, 0.0);
        for (p, q) in self.q.chunks_exact(k * NR).enumerate() {
            let j0 = p * NR;
            let cols = NR.min(n - j0);
            #[cfg(target_arch = "x86_64")]
            if isa == Isa::Avx512 {
                // SAFETY: Isa::Avx512 is only constructed after detecting AVX-512F, AVX2
                // and FMA; the bounds are those asserted above and by `Linear::new`.
                unsafe { avx512::matmul_panel_i8(m, k, x, q, y, n, j0, cols, &epi) };
                continue;
            }
            // Widen to f32; the scale is applied to the sums instead, once per output.
            widen(isa, q, panel);
            matmul_panel(isa, m, k, x, k, panel, NR, y, n, j0, cols, &epi);
        }
    }
}

/// Splits m rows into blocks of at most MR rows, as even as possible (a block of 1 or 2
/// rows keeps too few sums in flight to use the FMA units fully): `(first row, rows)`.
fn row_blocks(m: usize, most: usize) -> impl Iterator<Item = (usize, usize)> {
    let blocks = m.div_ceil(most);
    let (base, extra) = (m / blocks.max(1), m % blocks.max(1));
    (0..blocks).map(move |i| (i * base + i.min(extra), base + usize::from(i < extra)))
}

/// `dst[i] = src[i] as f32`.
fn widen(isa: Isa, src: &[i8], dst: &mut [f32]) {
    assert_eq!(src.len(), dst.len());
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: Isa::Avx2 and Isa::Avx512 are only constructed after detecting AVX2 and
        // FMA.
        Isa::Avx2 | Isa::Avx512 => unsafe { avx2::widen(src, dst) },
        Isa::Portable => {
            for (d, &s) in dst.iter_mut().zip(src) {
                *d = f32::from(s);
            }
        }
    }
}

/// One panel of a product: columns `j0 .. j0 + cols` of C (m×?, row stride ldc) =
/// A (m×k, row stride lda) · B (k×16, row stride ldb; columns past `cols` are ignored),
/// followed by `epi`. Bounds are checked here, once, for the unsafe kernels.
#[allow(clippy::too_many_arguments)]
pub(crate) fn matmul_panel(
    isa: Isa,
    m: usize,
    k: usize,
    a: &[f32],
    lda: usize,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
    j0: usize,
    cols: usize,
    epi: &Epilogue,
) {
    if m == 0 || cols == 0 {
        return;
    }
    assert!(cols <= NR);
    assert!(k == 0 || a.len() >= (m - 1) * lda + k);
    assert!(k == 0 || b.len() >= (k - 1) * ldb + NR);
    assert!(c.len() >= (m - 1) * ldc + j0 + cols);
    if let Some((s, bias)) = epi.scale_bias {
        assert!(s.len() >= j0 + NR && bias.len() >= j0 + NR);
    }
    if let Some((r, ldr)) = epi.residual {
        assert!(r.len() >= (m - 1) * ldr + j0 + cols);
    }
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: Isa::Avx2 and Isa::Avx512 are only constructed after detecting AVX2 and
        // FMA; the asserts above are the bounds avx2::matmul_panel documents.
        // The f32 products (attention) are a sliver of the work: AVX-512 CPUs run them
        // with the AVX2 kernel, which every one of them has.
        Isa::Avx2 | Isa::Avx512 => unsafe {
            avx2::matmul_panel(m, k, a, lda, b, ldb, c, ldc, j0, cols, epi)
        },
        Isa::Portable => portable::matmul_panel(m, k, a, lda, b, ldb, c, ldc, j0, cols, epi),
    }
}

/// `row[i] ← exp((row[i] − max) · scale) / Σ`, the attention softmax.
pub(crate) fn softmax(isa: Isa, row: &mut [f32], scale: f32) {
    let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let sum = match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: Isa::Avx2 and Isa::Avx512 are only constructed after detecting AVX2 and
        // FMA.
        Isa::Avx2 | Isa::Avx512 => unsafe { avx2::exp_shifted(row, max, scale) },
        Isa::Portable => {
            let mut sum = 0.0;
            for v in row.iter_mut() {
                *v = ((*v - max) * scale).exp();
                sum += *v;
            }
            sum
        }
    };
    let inv = 1.0 / sum;
    row.iter_mut().for_each(|v| *v *= inv);
}

/// erf(x), from Numerical Recipes' erfc Chebyshev fit (relative error < 1.2e-7 in exact
/// arithmetic, about f32 rounding), evaluated in f32 for speed: GELU runs on every element
/// of the 1536-wide intermediate layer.
pub(crate) fn erf(x: f32) -> f32 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_2
        + t * (1.000_023_7
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_204
                                + t * (1.488_515_9 + t * (-0.822_152_2 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    if x >= 0.0 { 1.0 - erfc } else { erfc - 1.0 }
}

/// BERT's exact GELU: x·Φ(x) = x/2·(1 + erf(x/√2)).
pub(crate) fn gelu(x: f32) -> f32 {
    // Far out, erf is ±1 to f32 precision; skipping exp there also avoids its slow paths.
    if x > 10.0 {
        return x;
    }
    if x < -10.0 {
        return 0.0;
    }
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

mod portable {
    use super::{Epilogue, MR, NR, gelu};

    /// The portable twin of `avx2::matmul_panel` (same contract, bounds-checked).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn matmul_panel(
        m: usize,
        k: usize,
        a: &[f32],
        lda: usize,
        b: &[f32],
        ldb: usize,
        c: &mut [f32],
        ldc: usize,
        j0: usize,
        cols: usize,
        epi: &Epilogue,
    ) {
        for (r0, mr) in super::row_blocks(m, MR) {
            let a = &a[r0 * lda..];
            let mut acc = [[0.0f32; NR]; MR];
            for kk in 0..k {
                let bv: &[f32; NR] = b[kk * ldb..kk * ldb + NR].try_into().unwrap_or(&[0.0; NR]);
                for (r, acc) in acc.iter_mut().enumerate().take(mr) {
                    let av = a[r * lda + kk];
                    for (s, &w) in acc.iter_mut().zip(bv) {
                        *s += av * w;
                    }
                }
            }
            for (r, acc) in acc.iter().enumerate().take(mr) {
                let row = r0 + r;
                let out = &mut c[row * ldc + j0..row * ldc + j0 + cols];
                for (l, (o, &s)) in out.iter_mut().zip(acc).enumerate() {
                    let mut v = s;
                    if let Some((scale, bias)) = epi.scale_bias {
                        v = v * scale[j0 + l] + bias[j0 + l];
                    }
                    if epi.gelu {
                        v = gelu(v);
                    }
                    if let Some((res, ld)) = epi.residual {
                        v += res[row * ld + j0 + l];
                    }
                    *o = v;
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{Epilogue, MR, NR};

    /// `dst[i] = src[i] as f32`.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA; `src` and `dst` have the same length.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn widen(src: &[i8], dst: &mut [f32]) {
        let n = src.len().min(dst.len());
        let mut i = 0;
        while i + 8 <= n {
            // SAFETY: i + 8 <= n bounds both the 8-byte read and the 8-float write.
            unsafe {
                let q = _mm_loadl_epi64(src.as_ptr().add(i).cast());
                let f = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q));
                _mm256_storeu_ps(dst.as_mut_ptr().add(i), f);
            }
            i += 8;
        }
        for j in i..n {
            dst[j] = f32::from(src[j]);
        }
    }

    /// The sums of an `R`-row block: A rows at `a + r·lda`, B rows at `b + kk·ldb`.
    ///
    /// # Safety
    /// AVX2 and FMA; `a + r·lda + kk` readable for r < R, kk < k; `b + kk·ldb + 0..16`
    /// readable for kk < k.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn block<const R: usize>(
        k: usize,
        a: *const f32,
        lda: usize,
        b: *const f32,
        ldb: usize,
    ) -> [[__m256; 2]; R] {
        let mut acc = [[_mm256_setzero_ps(); 2]; R];
        for kk in 0..k {
            // SAFETY: within the bounds the caller guarantees.
            unsafe {
                let bp = b.add(kk * ldb);
                let b0 = _mm256_loadu_ps(bp);
                let b1 = _mm256_loadu_ps(bp.add(8));
                for (r, acc) in acc.iter_mut().enumerate() {
                    let av = _mm256_broadcast_ss(&*a.add(r * lda + kk));
                    acc[0] = _mm256_fmadd_ps(av, b0, acc[0]);
                    acc[1] = _mm256_fmadd_ps(av, b1, acc[1]);
                }
            }
        }
        acc
    }

    /// See `super::matmul_panel`.
    ///
    /// # Safety
    /// AVX2 and FMA; the bounds `super::matmul_panel` asserts: `cols <= 16`, A holds m rows
    /// of k at stride lda, B holds k rows of 16 at stride ldb, C holds m rows at stride ldc
    /// up to column j0 + cols, the residual likewise, scale and bias up to j0 + 16.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn matmul_panel(
        m: usize,
        k: usize,
        a: &[f32],
        lda: usize,
        b: &[f32],
        ldb: usize,
        c: &mut [f32],
        ldc: usize,
        j0: usize,
        cols: usize,
        epi: &Epilogue,
    ) {
        let (ap, bp) = (a.as_ptr(), b.as_ptr());
        for (r0, mr) in super::row_blocks(m, MR) {
            // SAFETY: rows r0 .. r0 + mr < m of A, all k rows of B: the caller's bounds.
            let acc: [[__m256; 2]; MR] = unsafe {
                let a = ap.add(r0 * lda);
                let z = [_mm256_setzero_ps(); 2];
                match mr {
                    6 => block::<6>(k, a, lda, bp, ldb),
                    5 => pad(block::<5>(k, a, lda, bp, ldb), z),
                    4 => pad(block::<4>(k, a, lda, bp, ldb), z),
                    3 => pad(block::<3>(k, a, lda, bp, ldb), z),
                    2 => pad(block::<2>(k, a, lda, bp, ldb), z),
                    _ => pad(block::<1>(k, a, lda, bp, ldb), z),
                }
            };
            for (r, acc) in acc.iter().enumerate().take(mr) {
                // SAFETY: row r0 + r < m: the caller's bounds.
                unsafe { finish_row(*acc, r0 + r, c, ldc, j0, cols, epi) };
            }
        }
    }

    /// Applies `epi` to the 16 sums of one row and stores them in C's row `row`.
    ///
    /// # Safety
    /// AVX2 and FMA; the bounds of `super::matmul_panel` for this row.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn finish_row(
        mut v: [__m256; 2],
        row: usize,
        c: &mut [f32],
        ldc: usize,
        j0: usize,
        cols: usize,
        epi: &Epilogue,
    ) {
        if let Some((s, bias)) = epi.scale_bias {
            for (h, v) in v.iter_mut().enumerate() {
                // SAFETY: scale and bias hold j0 + 16 values.
                unsafe {
                    let sv = _mm256_loadu_ps(s.as_ptr().add(j0 + 8 * h));
                    let bv = _mm256_loadu_ps(bias.as_ptr().add(j0 + 8 * h));
                    *v = _mm256_fmadd_ps(*v, sv, bv);
                }
            }
        }
        if epi.gelu {
            v = [gelu(v[0]), gelu(v[1])];
        }
        let dst = &mut c[row * ldc + j0..row * ldc + j0 + cols];
        let res = epi
            .residual
            .map(|(res, ld)| &res[row * ld + j0..row * ld + j0 + cols]);
        if cols == NR {
            // SAFETY: dst and res (if any) hold 16 floats.
            unsafe {
                if let Some(res) = res {
                    v[0] = _mm256_add_ps(v[0], _mm256_loadu_ps(res.as_ptr()));
                    v[1] = _mm256_add_ps(v[1], _mm256_loadu_ps(res.as_ptr().add(8)));
                }
                _mm256_storeu_ps(dst.as_mut_ptr(), v[0]);
                _mm256_storeu_ps(dst.as_mut_ptr().add(8), v[1]);
            }
        } else {
            let mut out = [0.0f32; NR];
            // SAFETY: `out` holds 16 floats.
            unsafe {
                _mm256_storeu_ps(out.as_mut_ptr(), v[0]);
                _mm256_storeu_ps(out.as_mut_ptr().add(8), v[1]);
            }
            for (l, (d, o)) in dst.iter_mut().zip(&out).enumerate() {
                *d = o + res.map_or(0.0, |r| r[l]);
            }
        }
    }

    /// Widens an R-row block to MR rows with zero rows.
    #[inline]
    fn pad<const R: usize>(x: [[__m256; 2]; R], z: [__m256; 2]) -> [[__m256; 2]; MR] {
        let mut out = [z; MR];
        out[..R].copy_from_slice(&x);
        out
    }

    /// e^x for x ≤ 88 (Cephes' expf: 2^n · p(r), |r| ≤ ln2/2, ~1 ulp); inputs below −87
    /// give ~1e-38 instead of 0.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn exp(x: __m256) -> __m256 {
        let x = _mm256_min_ps(
            _mm256_max_ps(x, _mm256_set1_ps(-87.0)),
            _mm256_set1_ps(88.0),
        );
        let n = _mm256_round_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(
            _mm256_mul_ps(x, _mm256_set1_ps(std::f32::consts::LOG2_E)),
        );
        let r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693_359_4), x);
        let r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.121_944_4e-4), r);
        let mut p = _mm256_set1_ps(1.987_569_1e-4);
        for c in [1.398_2e-3, 8.333_452e-3, 4.166_579_6e-2, 0.166_666_65, 0.5] {
            p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(c));
        }
        let r2 = _mm256_mul_ps(r, r);
        let y = _mm256_fmadd_ps(p, r2, _mm256_add_ps(r, _mm256_set1_ps(1.0)));
        let bits = _mm256_slli_epi32::<23>(_mm256_add_epi32(
            _mm256_cvtps_epi32(n),
            _mm256_set1_epi32(127),
        ));
        _mm256_mul_ps(y, _mm256_castsi256_ps(bits))
    }

    /// `super::gelu` on eight lanes: the same erf formula, without its far-out shortcuts
    /// (there `exp` underflows to ~0 and the result is x or ~0 anyway).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn gelu(x: __m256) -> __m256 {
        let one = _mm256_set1_ps(1.0);
        let half = _mm256_set1_ps(0.5);
        let u = _mm256_mul_ps(x, _mm256_set1_ps(std::f32::consts::FRAC_1_SQRT_2));
        let sign = _mm256_and_ps(u, _mm256_set1_ps(-0.0));
        let z = _mm256_andnot_ps(_mm256_set1_ps(-0.0), u);
        let t = _mm256_div_ps(one, _mm256_fmadd_ps(half, z, one));
        let mut p = _mm256_set1_ps(0.170_872_77);
        for c in [
            -0.822_152_2,
            1.488_515_9,
            -1.135_204,
            0.278_868_07,
            -0.186_288_06,
            0.096_784_18,
            0.374_091_96,
            1.000_023_7,
            -1.265_512_2,
        ] {
            p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(c));
        }
        let p = _mm256_fnmadd_ps(z, z, p);
        let erfc = _mm256_mul_ps(t, exp(p));
        let erf = _mm256_or_ps(_mm256_sub_ps(one, erfc), sign);
        _mm256_mul_ps(_mm256_mul_ps(half, x), _mm256_add_ps(one, erf))
    }

    /// `row[i] ← exp((row[i] − max) · scale)`; returns their sum.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn exp_shifted(row: &mut [f32], max: f32, scale: f32) -> f32 {
        let (m, s) = (_mm256_set1_ps(max), _mm256_set1_ps(scale));
        let mut sum = _mm256_setzero_ps();
        let mut chunks = row.chunks_exact_mut(8);
        for c in &mut chunks {
            // SAFETY: each chunk holds exactly 8 floats.
            unsafe {
                let v = exp(_mm256_mul_ps(
                    _mm256_sub_ps(_mm256_loadu_ps(c.as_ptr()), m),
                    s,
                ));
                sum = _mm256_add_ps(sum, v);
                _mm256_storeu_ps(c.as_mut_ptr(), v);
            }
        }
        let tail = chunks.into_remainder();
        let mut buf = [max; 8];
        buf[..tail.len()].copy_from_slice(tail);
        let mut lanes = [0.0f32; 8];
        // SAFETY: both arrays hold 8 floats.
        unsafe {
            let v = exp(_mm256_mul_ps(
                _mm256_sub_ps(_mm256_loadu_ps(buf.as_ptr()), m),
                s,
            ));
            _mm256_storeu_ps(buf.as_mut_ptr(), v);
            _mm256_storeu_ps(lanes.as_mut_ptr(), sum);
        }
        tail.copy_from_slice(&buf[..tail.len()]);
        lanes.iter().sum::<f32>() + tail.iter().sum::<f32>()
    }

    #[cfg(test)]
    pub(super) fn lanes(f: fn(__m256) -> __m256, x: [f32; 8]) -> [f32; 8] {
        let mut out = [0.0f32; 8];
        // SAFETY: both arrays hold 8 floats (callers check AVX2 before calling).
        unsafe { _mm256_storeu_ps(out.as_mut_ptr(), f(_mm256_loadu_ps(x.as_ptr()))) };
        out
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{Epilogue, MR_AVX512, NR};

    /// The sums of an `R`-row block, one 16-lane register per row: A rows at `a + r·lda`,
    /// B in int8 (k rows of 16), widened in registers as it is read: the same f32 values,
    /// and the same fused multiply-adds in the same order, as `avx2::block` over a widened
    /// panel, so the same bits, without writing and reading that panel (most of the fixed
    /// cost of a forward pass over a short text).
    ///
    /// # Safety
    /// AVX-512F; `a + r·lda + kk` readable for r < R, kk < k; `b + 16·kk + 0..16` readable
    /// for kk < k.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn block_i8<const R: usize>(
        k: usize,
        a: *const f32,
        lda: usize,
        b: *const i8,
    ) -> [__m512; R] {
        let mut acc = [_mm512_setzero_ps(); R];
        for kk in 0..k {
            // SAFETY: within the bounds the caller guarantees.
            unsafe {
                let q = _mm_loadu_si128(b.add(kk * NR).cast());
                let bv = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q));
                for (r, acc) in acc.iter_mut().enumerate() {
                    let av = _mm512_set1_ps(*a.add(r * lda + kk));
                    *acc = _mm512_fmadd_ps(av, bv, *acc);
                }
            }
        }
        acc
    }

    /// One panel of a [`super::Linear`]: `super::matmul_panel` with B the panel's int8
    /// weights (k rows of 16) and A of row stride k.
    ///
    /// # Safety
    /// AVX-512F, AVX2 and FMA; A holds m rows of k, `b` holds k·16 values, C holds m rows
    /// of stride ldc up to column j0 + cols ≤ j0 + 16, the residual likewise, scale and
    /// bias up to j0 + 16.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) unsafe fn matmul_panel_i8(
        m: usize,
        k: usize,
        a: &[f32],
        b: &[i8],
        c: &mut [f32],
        ldc: usize,
        j0: usize,
        cols: usize,
        epi: &Epilogue,
    ) {
        if m == 0 || cols == 0 {
            return;
        }
        assert!(cols <= NR && a.len() >= m * k && b.len() >= k * NR);
        assert!(c.len() >= (m - 1) * ldc + j0 + cols);
        if let Some((s, bias)) = epi.scale_bias {
            assert!(s.len() >= j0 + NR && bias.len() >= j0 + NR);
        }
        if let Some((r, ldr)) = epi.residual {
            assert!(r.len() >= (m - 1) * ldr + j0 + cols);
        }
        let (ap, bp) = (a.as_ptr(), b.as_ptr());
        for (r0, mr) in super::row_blocks(m, MR_AVX512) {
            let mut acc = [_mm512_setzero_ps(); MR_AVX512];
            // SAFETY: rows r0 .. r0 + mr < m of A, all k rows of B: asserted above.
            unsafe {
                let a = ap.add(r0 * k);
                match mr {
                    12 => acc = block_i8::<12>(k, a, k, bp),
                    11 => acc[..11].copy_from_slice(&block_i8::<11>(k, a, k, bp)),
                    10 => acc[..10].copy_from_slice(&block_i8::<10>(k, a, k, bp)),
                    9 => acc[..9].copy_from_slice(&block_i8::<9>(k, a, k, bp)),
                    8 => acc[..8].copy_from_slice(&block_i8::<8>(k, a, k, bp)),
                    7 => acc[..7].copy_from_slice(&block_i8::<7>(k, a, k, bp)),
                    6 => acc[..6].copy_from_slice(&block_i8::<6>(k, a, k, bp)),
                    5 => acc[..5].copy_from_slice(&block_i8::<5>(k, a, k, bp)),
                    4 => acc[..4].copy_from_slice(&block_i8::<4>(k, a, k, bp)),
                    3 => acc[..3].copy_from_slice(&block_i8::<3>(k, a, k, bp)),
                    2 => acc[..2].copy_from_slice(&block_i8::<2>(k, a, k, bp)),
                    _ => acc[..1].copy_from_slice(&block_i8::<1>(k, a, k, bp)),
                }
            }
            store_rows(&acc[..mr], r0, c, ldc, j0, cols, epi);
        }
    }

    /// Applies the epilogue to each row's sums and stores them, rows from `r0`.
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn store_rows(
        acc: &[__m512],
        r0: usize,
        c: &mut [f32],
        ldc: usize,
        j0: usize,
        cols: usize,
        epi: &Epilogue,
    ) {
        for (r, acc) in acc.iter().enumerate() {
            // The epilogue is a sliver of the work: the AVX2 one, on the two halves.
            let halves = [
                _mm512_castps512_ps256(*acc),
                _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(*acc))),
            ];
            // SAFETY: the caller's bounds cover row r0 + r; AVX2 and FMA are present.
            unsafe { super::avx2::finish_row(halves, r0 + r, c, ldc, j0, cols, epi) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random sequence in [−1, 1).
    fn noise(seed: u64, n: usize) -> Vec<f32> {
        let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
            })
            .collect()
    }

    fn reference(x: &[f32], m: usize, w: &[i8], scale: &[f32], bias: &[f32], k: usize) -> Vec<f32> {
        let n = scale.len();
        let mut y = vec![0.0f32; m * n];
        for r in 0..m {
            for o in 0..n {
                let dot: f64 = (0..k)
                    .map(|i| f64::from(x[r * k + i]) * f64::from(w[o * k + i]))
                    .sum();
                y[r * n + o] = dot as f32 * scale[o] + bias[o];
            }
        }
        y
    }

    /// Every implementation this CPU runs.
    fn isas() -> Vec<Isa> {
        let mut v = vec![Isa::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if Isa::detect() == Isa::Avx512 {
                v.push(Isa::Avx2);
            }
        }
        if Isa::detect() != Isa::Portable {
            v.push(Isa::detect());
        }
        v
    }

    #[test]
    fn linear_matches_a_plain_product() {
        for (m, k, n) in [
            (1, 1, 1),
            (2, 7, 5),
            (7, 33, 40),
            (13, 64, 48),
            (6, 20, 16),
            (25, 40, 21),
        ] {
            let x = noise(1, m * k);
            let w: Vec<i8> = noise(2, n * k).iter().map(|v| (v * 127.0) as i8).collect();
            let scale: Vec<f32> = noise(3, n).iter().map(|v| 0.01 + v.abs() * 0.02).collect();
            let bias = noise(4, n);
            let res = noise(5, m * n);
            let want = reference(&x, m, &w, &scale, &bias, k);
            let lin = Linear::new(&w, scale.clone(), bias.clone(), k);
            for isa in isas() {
                let mut panel = Vec::new();
                let mut y = vec![0.0f32; m * n];
                lin.apply(isa, &x, m, &mut y, false, None, &mut panel);
                for (g, w) in y.iter().zip(&want) {
                    assert!((g - w).abs() < 1e-4, "{isa:?} {m}x{k}x{n}: {g} vs {w}");
                }
                lin.apply(isa, &x, m, &mut y, true, Some(&res), &mut panel);
                for ((g, w), r) in y.iter().zip(&want).zip(&res) {
                    let w = gelu(*w) + r;
                    assert!((g - w).abs() < 1e-4, "{isa:?} gelu {m}x{k}x{n}: {g} vs {w}");
                }
            }
        }
    }

    #[test]
    fn row_blocks_cover_every_row_once() {
        for most in [MR, MR_AVX512] {
            for m in 0..40 {
                let mut next = 0;
                for (r0, mr) in row_blocks(m, most) {
                    assert_eq!(r0, next);
                    assert!(mr > 0 && mr <= most && mr + 1 >= m.min(most) / 2);
                    next += mr;
                }
                assert_eq!(next, m);
            }
        }
    }

    /// The vector kernels sum in the same order with the same fused multiply-adds: a
    /// machine that gains AVX-512 makes the same vectors, so cached ones stay valid.
    #[test]
    fn vector_kernels_give_the_same_bits() {
        let vector: Vec<Isa> = isas().into_iter().filter(|&i| i != Isa::Portable).collect();
        for (m, k, n) in [(1, 9, 16), (11, 33, 40), (25, 64, 48), (37, 20, 23)] {
            let x = noise(6, m * k);
            let w: Vec<i8> = noise(7, n * k).iter().map(|v| (v * 127.0) as i8).collect();
            let lin = Linear::new(&w, vec![0.013; n], noise(8, n), k);
            let res = noise(9, m * n);
            let outputs: Vec<Vec<f32>> = vector
                .iter()
                .map(|&isa| {
                    let mut y = vec![0.0f32; m * n];
                    lin.apply(isa, &x, m, &mut y, true, Some(&res), &mut Vec::new());
                    y
                })
                .collect();
            for pair in outputs.windows(2) {
                assert!(
                    pair[0]
                        .iter()
                        .zip(&pair[1])
                        .all(|(a, b)| a.to_bits() == b.to_bits()),
                    "{vector:?} differ at {m}x{k}x{n}"
                );
            }
        }
    }

    #[test]
    fn softmax_sums_to_one() {
        for isa in isas() {
            for n in [1, 5, 8, 19, 64] {
                let mut row = noise(n as u64, n)
                    .iter()
                    .map(|v| v * 20.0)
                    .collect::<Vec<_>>();
                let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
                let want: Vec<f64> = row
                    .iter()
                    .map(|&v| f64::from((v - max) * 0.3).exp())
                    .collect();
                let total: f64 = want.iter().sum();
                softmax(isa, &mut row, 0.3);
                for (g, w) in row.iter().zip(&want) {
                    assert!((f64::from(*g) - w / total).abs() < 1e-6, "{isa:?} {g} {w}");
                }
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn vector_exp_and_gelu_match_scalar() {
        if Isa::detect() == Isa::Portable {
            return;
        }
        let mut xs: Vec<f32> = (-2000..=2000).map(|i| i as f32 * 0.01).collect();
        xs.extend([-100.0, -87.5, -30.0, 30.0, 80.0, 1e-8, -1e-8, 0.0]);
        for c in xs.chunks(8) {
            let mut x = [0.0f32; 8];
            x[..c.len()].copy_from_slice(c);
            // SAFETY (for the closures): AVX2 was detected above.
            let e = avx2::lanes(|v| unsafe { avx2::exp(v) }, x);
            let g = avx2::lanes(|v| unsafe { avx2::gelu(v) }, x);
            for i in 0..8 {
                let want = f64::from(x[i]).exp();
                if x[i] > -87.0 {
                    let rel = (f64::from(e[i]) - want).abs() / want;
                    assert!(rel < 3e-7, "exp({}) = {} vs {want}", x[i], e[i]);
                }
                let wg = gelu(x[i]);
                assert!(
                    (g[i] - wg).abs() <= 2e-7 * wg.abs().max(1.0),
                    "gelu({}) = {} vs {wg}",
                    x[i],
                    g[i]
                );
            }
        }
    }
}

#[cfg(test)]
mod bench {
    use super::*;

    /// `cargo test --release -- --ignored --nocapture kernel_speed`
    #[test]
    #[ignore]
    fn kernel_speed() {
        let isa = Isa::detect();
        for (m, k, n) in [
            (22, 384, 1152),
            (22, 384, 1536),
            (22, 1536, 384),
            (122, 1536, 384),
        ] {
            let x: Vec<f32> = (0..m * k).map(|i| (i % 13) as f32 * 0.1).collect();
            let w: Vec<i8> = (0..n * k).map(|i| (i % 251) as i8).collect();
            let lin = Linear::new(&w, vec![0.01; n], vec![0.0; n], k);
            let mut y = vec![0.0f32; m * n];
            let mut panel = Vec::new();
            let mut best = f64::INFINITY;
            for _ in 0..200 {
                let t = std::time::Instant::now();
                lin.apply(isa, &x, m, &mut y, false, None, &mut panel);
                best = best.min(t.elapsed().as_secs_f64());
            }
            let gf = 2.0 * (m * k * n) as f64 / best / 1e9;
            eprintln!("{m}x{k}x{n}: {:.1} us, {gf:.1} GFLOP/s", best * 1e6);
        }
    }
}
