//! Spelling correction against the words the content actually uses.
//!
//! Fuzzy queries would score "heprin" matches like any other hit and cannot be ranked
//! honestly, so a misspelt word is instead replaced by the closest word the index knows,
//! and the corrected word is scored normally. The limits follow common search-engine
//! practice: no correction under 5 letters (too many real words are one edit apart),
//! one edit from 5 letters, two from 9; swapping two neighbouring letters is one edit.

use std::collections::HashMap;

/// How many edits a word of `len` characters may be corrected by.
pub fn allowed_edits(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Words of the content with how often each occurs, to correct questions against.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    counts: HashMap<String, u32>,
}

impl Vocabulary {
    pub fn add(&mut self, word: &str) {
        *self.counts.entry(word.to_string()).or_default() += 1;
    }

    pub fn contains(&self, word: &str) -> bool {
        self.counts.contains_key(word)
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The closest known word to `word` within the allowed edits: fewest edits first,
    /// then the most frequent word, then alphabetical order, so the answer is stable.
    pub fn correct(&self, word: &str) -> Option<&str> {
        let chars: Vec<char> = word.chars().collect();
        let limit = allowed_edits(chars.len());
        if limit == 0 {
            return None;
        }
        let mut best: Option<(usize, u32, &str)> = None;
        let mut candidate = Vec::new();
        for (known, &count) in &self.counts {
            candidate.clear();
            candidate.extend(known.chars());
            if candidate.len().abs_diff(chars.len()) > limit {
                continue;
            }
            let Some(distance) = bounded_distance(&chars, &candidate, limit) else {
                continue;
            };
            let better = match best {
                None => true,
                Some((d, c, w)) => {
                    (distance, std::cmp::Reverse(count), known.as_str())
                        < (d, std::cmp::Reverse(c), w)
                }
            };
            if better {
                best = Some((distance, count, known));
            }
        }
        best.map(|(_, _, word)| word)
    }
}

/// Optimal string alignment distance between `a` and `b` (insertions, deletions,
/// substitutions and adjacent transpositions), or `None` when it exceeds `limit`.
fn bounded_distance(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    let width = m + 1;
    let mut rows = vec![0usize; (n + 1) * width];
    for (j, cell) in rows.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        rows[i * width] = i;
        let mut row_min = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (rows[(i - 1) * width + j] + 1)
                .min(rows[i * width + j - 1] + 1)
                .min(rows[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(rows[(i - 2) * width + j - 2] + 1);
            }
            rows[i * width + j] = value;
            row_min = row_min.min(value);
        }
        if row_min > limit {
            return None;
        }
    }
    let distance = rows[n * width + m];
    (distance <= limit).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(words: &[&str]) -> Vocabulary {
        let mut vocabulary = Vocabulary::default();
        for word in words {
            vocabulary.add(word);
        }
        vocabulary
    }

    #[test]
    fn limits_follow_word_length() {
        assert_eq!(allowed_edits(4), 0);
        assert_eq!(allowed_edits(5), 1);
        assert_eq!(allowed_edits(8), 1);
        assert_eq!(allowed_edits(9), 2);
    }

    #[test]
    fn corrects_common_misspellings() {
        let known = vocabulary(&[
            "heparin",
            "miscarriage",
            "antiphospholipid",
            "symptoms",
            "placenta",
        ]);
        assert_eq!(known.correct("heprin"), Some("heparin"));
        assert_eq!(
            known.correct("hepairn"),
            Some("heparin"),
            "a transposition is one edit"
        );
        assert_eq!(known.correct("misscarriage"), Some("miscarriage"));
        assert_eq!(known.correct("antiphospholipd"), Some("antiphospholipid"));
        assert_eq!(known.correct("simptoms"), Some("symptoms"));
        assert_eq!(known.correct("placnta"), Some("placenta"));
    }

    #[test]
    fn does_not_stretch_beyond_the_limits() {
        let known = vocabulary(&["heparin", "test", "causes"]);
        assert_eq!(
            known.correct("tset"),
            None,
            "no correction under five letters"
        );
        assert_eq!(
            known.correct("hparn"),
            None,
            "two edits in a five-letter word"
        );
        assert_eq!(known.correct("pancakes"), None);
    }

    #[test]
    fn prefers_fewer_edits_then_frequent_words() {
        let mut known = vocabulary(&["bleeding", "breeding", "bleeding"]);
        assert_eq!(known.correct("bleedinh"), Some("bleeding"));
        known.add("breeding");
        known.add("breeding");
        assert_eq!(known.correct("xreeding"), Some("breeding"));
    }
}
