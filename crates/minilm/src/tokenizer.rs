//! BERT uncased tokenisation (BasicTokenizer + WordPiece), written to give exactly the ids
//! HuggingFace `tokenizers` gives from this model's `tokenizer.json`.
//!
//! The character classes come from `tables.rs`, which is probed from `tokenizers` itself
//! (see `tools/gen_unicode_tables.py`): its notion of "control" rests on an old Unicode
//! table, and matching it exactly matters more than being up to date.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::Error;
use crate::tables;

/// WordPiece gives up on longer words (in chars) and emits [UNK], as BERT does.
const MAX_CHARS_PER_WORD: usize = 100;

/// The special tokens `tokenizers` matches literally in the raw text (case-sensitive,
/// before normalisation), as "added tokens".
const SPECIALS: [&str; 5] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

pub(crate) struct Tokenizer {
    vocab: HashMap<Box<str>, u32>,
    /// Ids of SPECIALS, in the same order.
    special_ids: [u32; 5],
    pub(crate) unk: u32,
    pub(crate) cls: u32,
    pub(crate) sep: u32,
}

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The CJK ranges BERT surrounds with spaces so each ideograph is a word of its own.
fn is_chinese(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B920..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

impl Tokenizer {
    pub(crate) fn new(vocab_txt: &str) -> Result<Tokenizer, Error> {
        let mut vocab = HashMap::with_capacity(32 * 1024);
        for (i, line) in vocab_txt.lines().enumerate() {
            let word = line.strip_suffix('\r').unwrap_or(line);
            if word.is_empty() {
                continue;
            }
            let id = u32::try_from(i)
                .map_err(|_| Error::Vocab("vocab.txt has more than 2^32 lines".into()))?;
            // The first occurrence wins (HuggingFace's loaders keep the last; the shipped
            // vocabulary has no duplicates, so the two agree).
            vocab.entry(word.into()).or_insert(id);
        }
        let get = |w: &str| {
            vocab.get(w).copied().ok_or_else(|| {
                Error::Vocab(format!(
                    "vocab.txt lacks the special token {w}; is it a BERT vocabulary?"
                ))
            })
        };
        let mut special_ids = [0; 5];
        for (slot, name) in special_ids.iter_mut().zip(SPECIALS) {
            *slot = get(name)?;
        }
        Ok(Tokenizer {
            unk: get("[UNK]")?,
            cls: get("[CLS]")?,
            sep: get("[SEP]")?,
            special_ids,
            vocab,
        })
    }

    pub(crate) fn vocab_len(&self) -> usize {
        self.vocab
            .values()
            .map(|&v| v as usize + 1)
            .max()
            .unwrap_or(0)
    }

    /// Appends the wordpiece ids of `text` (no [CLS]/[SEP], no truncation) to `out`.
    pub(crate) fn tokenize_into(&self, text: &str, out: &mut Vec<u32>) {
        let mut norm = String::new();
        let mut piece = String::new();
        let mut rest = text;
        // Split out literal special tokens first, as `tokenizers` does for added tokens.
        while !rest.is_empty() {
            let found = self.find_special(rest);
            let (before, special) = match found {
                Some((at, k)) => (&rest[..at], Some(k)),
                None => (rest, None),
            };
            self.tokenize_plain(before, &mut norm, &mut piece, out);
            match special {
                Some(k) => {
                    out.push(self.special_ids[k]);
                    rest = &rest[before.len() + SPECIALS[k].len()..];
                }
                None => rest = "",
            }
        }
    }

    /// The leftmost literal special token in `s`: (byte offset, index into SPECIALS).
    fn find_special(&self, s: &str) -> Option<(usize, usize)> {
        let bytes = s.as_bytes();
        let mut from = 0;
        while let Some(p) = bytes[from..].iter().position(|&b| b == b'[') {
            let at = from + p;
            for (k, name) in SPECIALS.iter().enumerate() {
                if bytes[at..].starts_with(name.as_bytes()) {
                    return Some((at, k));
                }
            }
            from = at + 1;
        }
        None
    }

    /// Normalise (clean, space CJK, NFD, drop marks, lowercase), pre-tokenise (whitespace
    /// and punctuation) and WordPiece one stretch of text without special tokens.
    fn tokenize_plain(
        &self,
        text: &str,
        norm: &mut String,
        piece: &mut String,
        out: &mut Vec<u32>,
    ) {
        if text.is_empty() {
            return;
        }
        norm.clear();
        let cleaned = text
            .chars()
            .filter(|&c| !in_table(tables::DROP, c))
            .flat_map(|c| {
                let c = if in_table(tables::SPACE, c) { ' ' } else { c };
                let spaced = is_chinese(c);
                [spaced.then_some(' '), Some(c), spaced.then_some(' ')]
                    .into_iter()
                    .flatten()
            });
        for c in cleaned.nfd().filter(|&c| !in_table(tables::MARK, c)) {
            norm.extend(c.to_lowercase());
        }

        let mut start: Option<usize> = None;
        for (i, c) in norm.char_indices() {
            let space = c.is_whitespace();
            let punct = !space && in_table(tables::PUNCT, c);
            if space || punct {
                if let Some(s) = start.take() {
                    self.wordpiece(&norm[s..i], piece, out);
                }
                if punct {
                    self.wordpiece(&norm[i..i + c.len_utf8()], piece, out);
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            self.wordpiece(&norm[s..], piece, out);
        }
    }

    /// Greedy longest-match-first WordPiece; a word with any unmatched part is one [UNK].
    fn wordpiece(&self, word: &str, piece: &mut String, out: &mut Vec<u32>) {
        if word.chars().count() > MAX_CHARS_PER_WORD {
            out.push(self.unk);
            return;
        }
        let mark = out.len();
        let mut start = 0;
        while start < word.len() {
            let mut end = word.len();
            let mut found = None;
            while end > start {
                piece.clear();
                if start > 0 {
                    piece.push_str("##");
                }
                piece.push_str(&word[start..end]);
                if let Some(&id) = self.vocab.get(piece.as_str()) {
                    found = Some(id);
                    break;
                }
                // Step back one char.
                end -= word[start..end]
                    .chars()
                    .next_back()
                    .map_or(1, char::len_utf8);
            }
            match found {
                Some(id) => {
                    out.push(id);
                    start = end;
                }
                None => {
                    out.truncate(mark);
                    out.push(self.unk);
                    return;
                }
            }
        }
    }
}
