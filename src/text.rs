//! Words as members type them, and the small pattern language moderators use.
//!
//! Safety patterns, promotional-material rules, synonyms and the search index all start
//! from [`words`], so "Don’t", "dont" and "DON'T" are the same word everywhere and a
//! zero-width space cannot split a word to slip past a safety pattern. Discord's length
//! limits live here too ([`limits`]), since every layer above must respect them.

use std::fmt;
use std::ops::Range;

use icu_properties::props::DefaultIgnorableCodePoint;
use icu_properties::{CodePointSetData, CodePointSetDataBorrowed};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

pub mod limits;

/// Words that negate what follows (lowercase, apostrophes removed, sorted): retrieval
/// reads them all as `not`. The safety gate's plain negations (`safety::context`), the
/// ones after which an emergency pattern does not count ("no fever", "not dizzy"), are a
/// subset of them.
pub const NEGATIONS: &[&str] = &[
    "arent", "cannot", "cant", "couldnt", "didnt", "doesnt", "dont", "hadnt", "hasnt", "havent",
    "isnt", "neither", "never", "no", "none", "nor", "not", "shouldnt", "wasnt", "werent",
    "without", "wont", "wouldnt",
];

/// One word of a text, lowercased and folded to plain letters where that is unambiguous.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Lowercased, accents folded, apostrophes removed ("Don’t" becomes "dont").
    pub text: String,
    /// Written in capitals in the source ("APS", "HCG"): acronyms must not be stemmed.
    pub acronym: bool,
    /// Byte range of the word in the original text.
    pub span: Range<usize>,
}

/// Splits `text` into words.
///
/// Letters and digits make words; apostrophes inside a word are dropped so contractions
/// stay one word; invisible formatting characters (zero-width spaces, direction marks,
/// soft hyphens) are ignored rather than treated as separators; everything else separates.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut capitals = 0usize;
    let mut lowercase = 0usize;
    let mut start = 0usize;
    let mut end = 0usize;

    let mut flush =
        |current: &mut String, capitals: &mut usize, lowercase: &mut usize, start, end| {
            if !current.is_empty() {
                let acronym = *capitals >= 2 && *lowercase == 0 && current.chars().count() <= 6;
                out.push(Word {
                    text: std::mem::take(current),
                    acronym,
                    span: start..end,
                });
            }
            *capitals = 0;
            *lowercase = 0;
        };

    let mut chars = text.char_indices().peekable();
    while let Some((index, ch)) = chars.next() {
        if is_invisible(ch) {
            continue;
        }
        // An accent typed as a separate mark ("re\u{301}sume\u{301}") is part of the
        // letter before it, never a break between words.
        if !ch.is_ascii() && is_combining_mark(ch) {
            if !current.is_empty() {
                end = index + ch.len_utf8();
            }
            continue;
        }
        // Some apostrophes are letters to Unicode (the modifier letters ʼ ʹ ʻ).
        if ch.is_alphanumeric() && !is_apostrophe(ch) {
            let before = current.len();
            push_folded(&mut current, ch);
            if current.len() == before {
                // A letter that folds into marks alone (a spacing voiced-sound mark, say)
                // is a mark of the letter before it, like an accent typed on its own.
                if before > 0 {
                    end = index + ch.len_utf8();
                }
                continue;
            }
            if before == 0 {
                start = index;
            }
            if ch.is_uppercase() {
                capitals += 1;
            } else if ch.is_lowercase() {
                lowercase += 1;
            }
            end = index + ch.len_utf8();
        } else if is_apostrophe(ch)
            && !current.is_empty()
            && chars
                .clone()
                .map(|(_, next)| next)
                .find(|next| !is_invisible(*next))
                .is_some_and(char::is_alphanumeric)
        {
            // "don't" stays one word; a closing quote after a word is just punctuation.
        } else {
            flush(&mut current, &mut capitals, &mut lowercase, start, end);
        }
    }
    flush(&mut current, &mut capitals, &mut lowercase, start, end);
    out
}

/// `text`'s words as a member meant them when they disguised or broke them up, for the
/// safety patterns (which also see [`words`]): a look-alike digit or symbol inside a word
/// becomes its letter ("bl33ding", "k!ll!ng", "bl@cked"); words split by a symbol, an
/// emoji or punctuation with no space ("blee-ding", "sui.cide") are joined; and letters
/// typed one by one ("c l o t s") are joined. Each joined word spans its pieces.
pub fn undisguised_words(text: &str) -> Vec<Word> {
    let unleeted = unleet(text);
    let mut joined: Vec<Word> = Vec::new();
    for word in words(&unleeted) {
        match joined.last_mut() {
            Some(last) if !text[last.span.end..word.span.start].contains(char::is_whitespace) => {
                last.text.push_str(&word.text);
                last.span.end = word.span.end;
            }
            _ => joined.push(word),
        }
    }
    join_spelled_out(joined, text)
}

/// Negations written out, as their contractions: "do not" and "dont", "cannot" and
/// "cant" say the same, and members type both.
const WRITTEN_OUT_NEGATIONS: &[(&str, &str)] = &[
    ("are", "arent"),
    ("can", "cant"),
    ("could", "couldnt"),
    ("did", "didnt"),
    ("do", "dont"),
    ("does", "doesnt"),
    ("had", "hadnt"),
    ("has", "hasnt"),
    ("have", "havent"),
    ("is", "isnt"),
    ("should", "shouldnt"),
    ("was", "wasnt"),
    ("were", "werent"),
    ("will", "wont"),
    ("would", "wouldnt"),
];

/// Chat forms of two words, written out.
const RUN_TOGETHER: &[(&str, [&str; 2])] = &[
    ("gonna", ["going", "to"]),
    ("gotta", ["got", "to"]),
    ("wanna", ["want", "to"]),
];

/// One word of a text read with contractions (see [`contracted`]): its text, the words
/// of the source it stands for, and whether it is the last word made from them.
struct Contracted {
    text: String,
    from: Range<usize>,
    ends_source: bool,
}

/// Words read with one way of writing what is said two ways: a written-out negation
/// joined into its contraction ("does not" becomes "doesnt", "cannot" "cant") and a chat
/// form written out ("wanna" becomes "want to"). `joinable(i)` says whether word `i` may
/// join the word before it.
fn contracted(words: &[&str], joinable: impl Fn(usize) -> bool) -> Vec<Contracted> {
    let mut out: Vec<Contracted> = Vec::with_capacity(words.len());
    for (i, &word) in words.iter().enumerate() {
        let single = |text: &str| Contracted {
            text: text.to_string(),
            from: i..i + 1,
            ends_source: true,
        };
        if word == "not"
            && joinable(i)
            && let Some(last) = out.last_mut().filter(|last| last.from.len() == 1)
            && let Some(&(_, joined)) = WRITTEN_OUT_NEGATIONS
                .iter()
                .find(|(written, _)| *written == last.text)
        {
            last.text = joined.to_string();
            last.from.end = i + 1;
            continue;
        }
        if word == "cannot" {
            out.push(single("cant"));
        } else if let Some((_, parts)) = RUN_TOGETHER.iter().find(|(chat, _)| *chat == word) {
            out.push(Contracted {
                ends_source: false,
                ..single(parts[0])
            });
            out.push(single(parts[1]));
        } else {
            out.push(single(word));
        }
    }
    out
}

/// `text`'s `words` read as [`contracted`] reads them, so `dont want to live` also
/// catches "I do not want to live" and "i dont wanna live" (the safety patterns read
/// their own words the same way, [`WordPattern::forgiving`]). Words join only across
/// spaces: "I can. Not now" keeps its "not". A joined word spans both of its words; the
/// words of a chat form each span it.
pub fn with_contractions(text: &str, words: &[Word]) -> Vec<Word> {
    let texts: Vec<&str> = words.iter().map(|word| word.text.as_str()).collect();
    let only_spaces_before = |i: usize| {
        text[words[i - 1].span.end..words[i].span.start]
            .chars()
            .all(char::is_whitespace)
    };
    contracted(&texts, |i| i > 0 && only_spaces_before(i))
        .into_iter()
        .map(|piece| {
            let first = &words[piece.from.start];
            Word {
                acronym: first.acronym && piece.text == first.text,
                span: first.span.start..words[piece.from.end - 1].span.end,
                text: piece.text,
            }
        })
        .collect()
}

/// What a look-alike stands for when typed inside a word.
fn look_alike(ch: char) -> Option<char> {
    Some(match ch {
        '@' | '4' => 'a',
        '3' => 'e',
        '1' | '!' => 'i',
        '0' => 'o',
        '$' | '5' => 's',
        '7' => 't',
        _ => return None,
    })
}

/// `text` with look-alikes replaced by their letters inside runs of letters and
/// look-alikes holding at least two letters. Every replacement is one ASCII byte for one,
/// so byte offsets are unchanged.
fn unleet(text: &str) -> String {
    let in_run = |ch: char| ch.is_ascii_alphabetic() || look_alike(ch).is_some();
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let letters = run.chars().filter(char::is_ascii_alphabetic).count();
        if letters >= 2 {
            out.extend(run.chars().map(|ch| look_alike(ch).unwrap_or(ch)));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for ch in text.chars() {
        if in_run(ch) {
            run.push(ch);
        } else {
            flush(&mut run, &mut out);
            out.push(ch);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Joins three or more one-letter words in a row, each separated by a space or two.
fn join_spelled_out(words: Vec<Word>, text: &str) -> Vec<Word> {
    let single = |word: &Word| word.text.chars().count() == 1;
    let mut out: Vec<Word> = Vec::with_capacity(words.len());
    let mut index = 0;
    while index < words.len() {
        let mut end = index;
        while end + 1 < words.len()
            && single(&words[end])
            && single(&words[end + 1])
            && words[end + 1].span.start - words[end].span.end <= 2
            && text[words[end].span.end..words[end + 1].span.start]
                .trim()
                .is_empty()
        {
            end += 1;
        }
        if end - index >= 2 {
            out.push(Word {
                text: words[index..=end].iter().map(|w| w.text.as_str()).collect(),
                acronym: false,
                span: words[index].span.start..words[end].span.end,
            });
        } else {
            out.extend(words[index..=end].iter().cloned());
        }
        index = end + 1;
    }
    out
}

/// Every character a keyboard or phone puts where an apostrophe goes: the acute accent
/// of many European layouts ("don´t"), primes, modifier letters, the full-width form.
fn is_apostrophe(ch: char) -> bool {
    matches!(
        ch,
        '\'' | '’' | 'ʼ' | '‘' | '`' | '´' | '′' | 'ʹ' | 'ʻ' | '＇'
    )
}

/// Characters that render as nothing: Unicode's whole Default_Ignorable_Code_Point set
/// (zero-width spaces, direction marks, soft hyphens, variation selectors, Hangul
/// fillers, tag characters, …), from ICU4X's table rather than a list of our own, which
/// once missed the Hangul fillers and the tags. Treating them as separators would let
/// "sui\u{E0020}cide" dodge a safety pattern; treating them as letters would make words
/// that match nothing ("sui\u{3164}cide"). Folding is checked too ([`push_folded`]),
/// since a visible-looking character may decompose into an invisible one.
pub fn is_invisible(ch: char) -> bool {
    const IGNORABLE: CodePointSetDataBorrowed<'static> =
        CodePointSetData::new::<DefaultIgnorableCodePoint>();
    // No ASCII character is default-ignorable; most text never reaches the table.
    !ch.is_ascii() && IGNORABLE.contains(ch)
}

/// Lowercases `ch` and folds it to its plain letters: accents come off ("naïve" meets
/// "naive"), and compatibility forms become the letters they look like, so full-width
/// "Ｉ ｗａｎｔ" or mathematical bold "𝐝𝐢𝐞" cannot slip past a safety pattern.
fn push_folded(out: &mut String, ch: char) {
    // ASCII folds to itself, lowercased: no decomposition, mark or invisible character.
    // Nearly every character of content and questions takes this path, and a reload
    // reads every passage several times.
    if ch.is_ascii() {
        out.push(ch.to_ascii_lowercase());
    } else {
        push_folded_unicode(out, ch);
    }
}

/// [`push_folded`] for any character.
fn push_folded_unicode(out: &mut String, ch: char) {
    // Letters that decomposition leaves whole.
    let whole: Option<&str> = match ch {
        'ß' | 'ẞ' => Some("ss"),
        'æ' | 'Æ' => Some("ae"),
        'œ' | 'Œ' => Some("oe"),
        'ø' | 'Ø' => Some("o"),
        'đ' | 'Đ' => Some("d"),
        'ł' | 'Ł' => Some("l"),
        _ => None,
    };
    if let Some(letters) = whole {
        out.push_str(letters);
        return;
    }
    for decomposed in std::iter::once(ch).nfkd() {
        // Looked up as typed: a capital's lowercase may look like nothing Latin (К, к).
        if let Some(latin) = latin_look_alike(decomposed) {
            out.push(latin);
            continue;
        }
        for lower in decomposed.to_lowercase() {
            // Checked again after folding: what a character folds into may be invisible
            // even when the character itself is not on the list.
            if is_combining_mark(lower) || is_invisible(lower) {
                continue;
            }
            out.push(latin_look_alike(lower).unwrap_or(lower));
        }
    }
}

/// `text` as the sentence model should read it: each character outside ASCII folded as
/// [`words`] folds it (full-width and mathematical letters to plain ones, look-alike
/// letters of other scripts to the Latin ones they show, invisible characters out), so
/// "what is ＨＥＰＡＲＩＮ" and "what іs hеpаrіn" mean to the model what they mean to the
/// word side. Plain ASCII text is returned as it is.
pub fn as_plain_letters(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut plain = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_ascii() || ch.is_whitespace() {
            plain.push(ch);
        } else {
            push_folded_unicode(&mut plain, ch);
        }
    }
    std::borrow::Cow::Owned(plain)
}

/// The Latin letter a letter of another script is drawn like ("kіll" typed with a
/// Cyrillic і, "ѕuісіdе", a Greek ο), by Unicode's table of confusable characters
/// (UTS #39, through `unicode-security`): a disguise, or a slip of a second keyboard
/// layout, reads as the word it shows. Only single letters that look like one Latin
/// letter are read so.
fn latin_look_alike(ch: char) -> Option<char> {
    if ch.is_ascii() || !ch.is_alphabetic() {
        return None;
    }
    let mut buffer = [0u8; 4];
    let mut skeleton =
        unicode_security::confusable_detection::skeleton(ch.encode_utf8(&mut buffer));
    let first = skeleton.next()?;
    if skeleton.next().is_some() || !first.is_ascii_alphabetic() {
        return None;
    }
    // Unicode's table draws a capital I as an l; a capital typed for one is an i.
    Some(match first {
        'l' if ch.is_uppercase() => 'i',
        _ => first.to_ascii_lowercase(),
    })
}

/// The byte offsets just after each sentence end in `text`: a `.`, `!`, `?` or `…`
/// followed by white space, or a line break. The renderer cuts passages there, and
/// retrieval treats each sentence on its own, so both must agree on what a sentence is.
pub fn sentence_ends(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.char_indices().filter_map(|(index, ch)| {
        let end = index + ch.len_utf8();
        let ends = ch == '\n'
            || (matches!(ch, '.' | '!' | '?' | '…')
                && text[end..].starts_with(char::is_whitespace));
        ends.then_some(end)
    })
}

/// `text` with each link (from `http://`, `https://` or a word's opening `www.` to the
/// end of its word, as Discord's `<https://…>` and Markdown's `[text](https://…)` hold
/// them too) blanked out by spaces of the same length, so positions in it stay those of
/// `text`. A member who pastes a link asks about what they wrote, not about the link's
/// words ("https", "com", a path), which no passage holds and which would sink the
/// question's match.
pub fn without_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, after) = rest.split_at(word_end);
        match link_start(word) {
            Some(start) => {
                out.push_str(&word[..start]);
                out.extend(std::iter::repeat_n(' ', word.len() - start));
            }
            None => out.push_str(word),
        }
        let space_end = after
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(after.len());
        out.push_str(&after[..space_end]);
        rest = &after[space_end..];
    }
    out
}

/// Where a link starts in `word`, with the `<` or `(` that opens it.
fn link_start(word: &str) -> Option<usize> {
    let lower = word.to_ascii_lowercase();
    let opened = lower.trim_start_matches(['<', '(', '[']);
    let start = if opened.starts_with("www.") {
        lower.len() - opened.len()
    } else {
        ["http://", "https://"]
            .iter()
            .filter_map(|scheme| lower.find(scheme))
            .min()?
    };
    Some(
        if start > 0 && matches!(word.as_bytes()[start - 1], b'<' | b'(') {
            start - 1
        } else {
            start
        },
    )
}

/// The byte ranges of the sentences of `text`, split at [`sentence_ends`]; the last one
/// runs to the end of the text, and is empty when the text ends with a sentence end.
pub fn sentence_spans(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    sentence_ends(text).chain([text.len()]).map(move |end| {
        let span = start..end;
        start = end;
        span
    })
}

/// A phrase pattern written by moderators, e.g. `bleed* ... a lot`.
///
/// Words match whole words, ignoring case and apostrophes; `word*` matches any word
/// starting with `word`; `...` lets up to [`GAP_WORDS`] other words stand between its
/// neighbours. Plain words keep the files readable for people who do not know regular
/// expressions, and a pattern can never be slow: a gap tries at most `GAP_WORDS + 1`
/// places, and a pattern has at most [`MAX_GAPS`] gaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordPattern {
    source: String,
    parts: Vec<PatternPart>,
    /// Whether long words also match with one slip ([`WordPattern::forgiving`]).
    forgiving: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PatternPart {
    Word { text: String, prefix: bool },
    Gap,
}

/// How many words `...` may skip. Members tell an emergency at length ("bleeding since
/// this morning and it's honestly a lot"): seven, where four missed such sentences and
/// the wider gap flagged no more calm questions over the urgent gate's fitting sets.
pub const GAP_WORDS: usize = 7;

/// Pattern words at least this long also match a word one slip away (a letter missing,
/// extra, wrong or two swapped): members in distress misspell the very words that
/// matter. Shorter words are left exact, where one slip makes another word.
pub const TYPO_MIN_CHARS: usize = 6;

/// Whether `word` is `want` (or, with `prefix`, starts with it), allowing one slip for
/// long pattern words when `forgiving`. For a prefix, the word's beginnings one letter
/// shorter or longer are compared too, since a missing or extra letter shifts where the
/// prefix ends.
fn spelled_alike(word: &str, want: &str, prefix: bool, forgiving: bool) -> bool {
    let exact = if prefix {
        word.starts_with(want)
    } else {
        word == want
    };
    let length = want.chars().count();
    if exact || !forgiving || length < TYPO_MIN_CHARS {
        return exact;
    }
    // Most words are far shorter (or, whole, far longer) than a long pattern word:
    // settle those without looking at their letters.
    let chars = word.chars().count();
    if chars + 1 < length || (!prefix && chars > length + 1) {
        return false;
    }
    let want: Vec<char> = want.chars().collect();
    let word: Vec<char> = word.chars().collect();
    if !prefix {
        return one_slip_apart(&word, &want);
    }
    (length - 1..=length + 1)
        .filter(|&chars| chars <= word.len())
        .any(|chars| one_slip_apart(&word[..chars], &want))
}

/// Whether `a` becomes `b` by one letter missing, extra or wrong, or two neighbours
/// swapped. Written out rather than taken from an edit-distance crate: it runs for every
/// word of every content line against the patterns at each reload, and this needs no
/// table and stops at the first difference.
fn one_slip_apart(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let Some(i) = short.iter().zip(long).position(|(x, y)| x != y) else {
        return true;
    };
    if short.len() < long.len() {
        return short[i..] == long[i + 1..];
    }
    let swapped = i + 1 < short.len()
        && short[i] == long[i + 1]
        && short[i + 1] == long[i]
        && short[i + 2..] == long[i + 2..];
    swapped || short[i + 1..] == long[i + 1..]
}

/// Why a pattern line cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("the pattern is empty")]
    Empty,
    #[error("`...` must stand between two words, not at the start or end")]
    DanglingGap,
    #[error("`*` may only end a word, as in `bleed*`")]
    MisplacedStar,
    #[error("a pattern may have at most {MAX_GAPS} `...`; split it into shorter patterns")]
    TooManyGaps,
    #[error(
        "`{0}` has no letter or digit, so it would be silently left out of the pattern: remove it, or join a `*` to its word (`bleed*`)"
    )]
    NoWord(String),
    #[error(
        "`{0}` reads as a choice or a group, which patterns do not have (they are plain words, read in a row): write each wording as its own `- ` line, as `- soaked ... towel*` and `- soaking ... towel*`, and put spaces around `...`"
    )]
    NotPlainWords(String),
}

/// Marks that only ever mean "or" or a group (`(soaked|soaking)`): the pattern language
/// has neither, and read as plain words such a pattern asks for every alternative in a
/// row, so it never matches what was meant. A slash or a comma may be meant as written
/// (`24/7`, `fever, chills`), so those are only warned of (see [`reads_as_alternatives`]).
const CHOICE_MARKS: &[char] = &['|', '(', ')', '[', ']', '{', '}', ';'];

/// Whether a pattern that parsed has a slash or comma between words (`drenched/soaked`,
/// `seizure, fitting`), which a moderator may have meant as "or": it matches only the
/// words in a row.
pub fn reads_as_alternatives(source: &str) -> bool {
    source.contains(['/', ','])
}

/// The most `...` one pattern may have: each multiplies the places a match is tried.
pub const MAX_GAPS: usize = 3;

impl WordPattern {
    /// Parses a pattern line.
    pub fn parse(source: &str) -> Result<Self, PatternError> {
        let mut parts = Vec::new();
        let mut gaps = 0;
        for token in source.split_whitespace() {
            if token == "..." || token == "…" {
                if matches!(parts.last(), None | Some(PatternPart::Gap)) {
                    return Err(PatternError::DanglingGap);
                }
                parts.push(PatternPart::Gap);
                gaps += 1;
                if gaps > MAX_GAPS {
                    return Err(PatternError::TooManyGaps);
                }
                continue;
            }
            let gap_inside = (token.contains("...") || token.contains('…'))
                && token.chars().any(char::is_alphanumeric);
            if token.contains(CHOICE_MARKS) || gap_inside {
                return Err(PatternError::NotPlainWords(token.to_string()));
            }
            let (body, prefix) = match token.strip_suffix('*') {
                Some(body) => (body, true),
                None => (token, false),
            };
            if body.contains('*') {
                return Err(PatternError::MisplacedStar);
            }
            let token_words = words(body);
            if token_words.is_empty() {
                return Err(PatternError::NoWord(token.to_string()));
            }
            let count = token_words.len();
            for (index, word) in token_words.into_iter().enumerate() {
                parts.push(PatternPart::Word {
                    text: word.text,
                    prefix: prefix && index + 1 == count,
                });
            }
        }
        match parts.last() {
            None => Err(PatternError::Empty),
            Some(PatternPart::Gap) => Err(PatternError::DanglingGap),
            Some(_) => Ok(WordPattern {
                source: source.trim().to_string(),
                parts,
                forgiving: false,
            }),
        }
    }

    /// The same pattern, with its words of [`TYPO_MIN_CHARS`] letters or more also
    /// matching a word one slip away: for the safety patterns, which members in distress
    /// misspell. Other patterns (the sales wording checked on every content line) stay
    /// exact, which also keeps reloads fast.
    ///
    /// Its words are also read as [`with_contractions`] reads a question, so a line
    /// written "do not want to live" and one written "dont want to live" are the same.
    pub fn forgiving(self) -> Self {
        WordPattern {
            forgiving: true,
            parts: contract_parts(self.parts),
            ..self
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the pattern occurs anywhere in `text`'s words.
    pub fn matches(&self, text: &[Word]) -> bool {
        (0..text.len()).any(|start| self.match_from(0, text, start, &mut Vec::new()))
    }

    /// Each occurrence of the pattern in `text`: the positions of the words that make it
    /// up (not the words a `...` skipped), in order.
    pub fn occurrences(&self, text: &[Word]) -> Vec<Vec<usize>> {
        (0..text.len())
            .filter_map(|start| {
                let mut hit = Vec::new();
                self.match_from(0, text, start, &mut hit).then_some(hit)
            })
            .collect()
    }

    fn match_from(&self, part: usize, text: &[Word], at: usize, hit: &mut Vec<usize>) -> bool {
        match self.parts.get(part) {
            None => true,
            Some(PatternPart::Gap) => {
                let last = (at + GAP_WORDS).min(text.len());
                (at..=last).any(|next| self.match_from(part + 1, text, next, hit))
            }
            Some(PatternPart::Word { text: want, prefix }) => {
                let Some(word) = text.get(at) else {
                    return false;
                };
                let next = if spelled_alike(&word.text, want, *prefix, self.forgiving) {
                    part + 1
                } else if self.run_together(part, &word.text) {
                    part + 2
                } else {
                    return false;
                };
                hit.push(at);
                if self.match_from(next, text, at + 1, hit) {
                    true
                } else {
                    hit.pop();
                    false
                }
            }
        }
    }

    /// Whether `word` is the pattern's word `part` and the one after it written as one
    /// ("alot" for "a lot", "selfharm" for "self harm*"), as members type in a hurry. Only
    /// a whole first word, and the second exactly as the pattern has it.
    fn run_together(&self, part: usize, word: &str) -> bool {
        let (
            Some(PatternPart::Word {
                text: first,
                prefix: false,
            }),
            Some(PatternPart::Word {
                text: second,
                prefix,
            }),
        ) = (self.parts.get(part), self.parts.get(part + 1))
        else {
            return false;
        };
        word.strip_prefix(first.as_str())
            .filter(|rest| !rest.is_empty())
            .is_some_and(|rest| spelled_alike(rest, second, *prefix, false))
    }
}

/// A pattern's runs of words, read as [`with_contractions`] reads a question; gaps
/// stay. A word marked `*` is never joined to the next ("do* not" stays two words), and
/// a chat form written out keeps its `*` on its last word.
fn contract_parts(parts: Vec<PatternPart>) -> Vec<PatternPart> {
    let mut out = Vec::with_capacity(parts.len());
    let mut run: Vec<(String, bool)> = Vec::new();
    let flush = |run: &mut Vec<(String, bool)>, out: &mut Vec<PatternPart>| {
        let texts: Vec<&str> = run.iter().map(|(text, _)| text.as_str()).collect();
        for piece in contracted(&texts, |i| i > 0 && !run[i - 1].1) {
            out.push(PatternPart::Word {
                prefix: piece.ends_source && run[piece.from.end - 1].1,
                text: piece.text,
            });
        }
        run.clear();
    };
    for part in parts {
        match part {
            PatternPart::Word { text, prefix } => run.push((text, prefix)),
            PatternPart::Gap => {
                flush(&mut run, &mut out);
                out.push(PatternPart::Gap);
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

impl fmt::Display for WordPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_blanked_in_place() {
        let question = "what is heparin https://example.com/a?b=1 and\twww.shop.com/x ok";
        let blanked = without_links(question);
        assert_eq!(blanked.len(), question.len());
        assert_eq!(
            blanked.split_whitespace().collect::<Vec<_>>(),
            ["what", "is", "heparin", "and", "ok"]
        );
        assert_eq!(&blanked[..15], &question[..15]);
        for linked in [
            "what is heparin <https://www.nhs.uk/medicines/heparin/>",
            "what is heparin (https://example.com)",
            "what is heparin [nhs](https://example.com/x)",
        ] {
            let blanked = without_links(linked);
            assert_eq!(blanked.len(), linked.len());
            assert!(
                !blanked.contains("http") && !blanked.contains("example"),
                "{blanked}"
            );
            assert!(blanked.starts_with("what is heparin"), "{blanked}");
        }
    }

    #[test]
    fn two_pattern_words_typed_as_one_still_match() {
        let pattern = |source: &str| WordPattern::parse(source).unwrap();
        assert!(pattern("bleed* ... a lot").matches(&words("bleeding alot")));
        assert!(pattern("self harm*").matches(&words("thinking of selfharming again")));
        assert!(!pattern("self harm*").matches(&words("selfish")));
        assert!(!pattern("a lot").matches(&words("allot")));
    }

    #[test]
    fn a_letter_that_folds_into_marks_alone_is_a_mark_of_the_letter_before() {
        let found = words("ab\u{ff9e}cd \u{ff9e}");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].text, "abcd");
        assert_eq!(found[0].span, 0..7);
        assert!(words("\u{ff9e}").is_empty());
    }

    #[test]
    fn negations_are_contracted_and_chat_forms_written_out() {
        let texts = |text: &str| -> Vec<String> {
            with_contractions(text, &words(text))
                .into_iter()
                .map(|w| w.text)
                .collect()
        };
        assert_eq!(texts("I do not want to"), ["i", "dont", "want", "to"]);
        // Letters of other scripts drawn like Latin ones read as those.
        assert_eq!(texts("kіll myѕеlf"), ["kill", "myself"]); // Cyrillic і, ѕ, е
        assert_eq!(texts("blοοd clοt"), ["blood", "clot"]); // Greek ο
        assert_eq!(texts("КІLL МYЅЕLF"), ["kill", "myself"]); // Cyrillic capitals
        assert_eq!(texts("café naïve"), ["cafe", "naive"]);
        // Whatever a keyboard puts for the apostrophe.
        for typed in ["don't", "don’t", "don´t", "don＇t", "donʼt", "don′t"] {
            assert_eq!(texts(typed), ["dont"], "{typed}");
        }
        assert_eq!(
            texts("she cannot, he can not"),
            ["she", "cant", "he", "cant"]
        );
        assert_eq!(texts("i wanna go"), ["i", "want", "to", "go"]);
        // "not" after a word with no contraction stays, and so does a lone "do".
        assert_eq!(texts("not now, do it"), ["not", "now", "do", "it"]);
        assert_eq!(texts("I am not ok"), ["i", "am", "not", "ok"]);
        let text = "does not";
        let joined = &with_contractions(text, &words(text))[0];
        assert_eq!(&text[joined.span.clone()], "does not");
        // Only across spaces: a sentence that starts with "Not" keeps it.
        assert_eq!(texts("I can. Not now"), ["i", "can", "not", "now"]);
    }

    #[test]
    fn a_forgiving_pattern_reads_its_negations_as_a_question_does() {
        let pattern = |p: &str| WordPattern::parse(p).unwrap().forgiving();
        let question = |q: &str| with_contractions(q, &words(q));
        assert!(pattern("do not want to live").matches(&question("i dont want to live")));
        assert!(pattern("dont want to live").matches(&question("I do not want to live")));
        assert!(pattern("wanna die").matches(&question("i want to die")));
        assert!(pattern("cannot ... stop*").matches(&question("i can not make it stop")));
        // A word marked `*` is not joined: `do*` still means do, does, done.
        assert!(pattern("do* not want to go on").matches(&words("she does not want to go on")));
        // An exact pattern (the promotional rules) is left as written.
        let exact = WordPattern::parse("do not miss").unwrap();
        assert!(exact.matches(&words("do not miss this")));
    }

    #[test]
    fn disguised_words_are_read_as_meant() {
        let texts = |text: &str| -> Vec<String> {
            undisguised_words(text)
                .into_iter()
                .map(|w| w.text)
                .collect()
        };
        assert_eq!(
            texts("bl33ding so much, k!ll!ng me"),
            ["bleeding", "so", "much", "killing", "me"]
        );
        assert_eq!(texts("i bl@cked out"), ["i", "blacked", "out"]);
        assert_eq!(texts("passing c l o t s now"), ["passing", "clots", "now"]);
        assert_eq!(
            texts("blee-ding and sui.cide"),
            ["bleeding", "and", "suicide"]
        );
        assert_eq!(texts("swollen 🦵leg"), ["swollen", "leg"]);
        // Numbers stay numbers, and spaced words stay apart.
        assert_eq!(
            texts("temp 38.5 at 30+4 wks"),
            ["temp", "385", "at", "304", "wks"]
        );
        assert_eq!(texts("a b"), ["a", "b"]);
        let text = "so c l o t s";
        let clots = &undisguised_words(text)[1];
        assert_eq!(&text[clots.span.clone()], "c l o t s");
    }

    #[test]
    fn ascii_folds_as_the_full_path_would() {
        for ch in (0u8..=127).map(char::from) {
            let (mut fast, mut full) = (String::new(), String::new());
            push_folded(&mut fast, ch);
            push_folded_unicode(&mut full, ch);
            assert_eq!(fast, full, "{ch:?}");
            assert!(!is_combining_mark(ch) && !is_invisible(ch), "{ch:?}");
        }
    }

    fn texts(text: &str) -> Vec<String> {
        words(text).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn contractions_and_curly_apostrophes_make_one_word() {
        assert_eq!(texts("Don’t I'm can't"), ["dont", "im", "cant"]);
        assert_eq!(texts("the ‘baby’ aspirin"), ["the", "baby", "aspirin"]);
    }

    #[test]
    fn invisible_characters_do_not_split_words() {
        assert_eq!(
            texts("sui\u{200B}cide he\u{202E}parin"),
            ["suicide", "heparin"]
        );
    }

    /// Hangul fillers are letters to `is_alphanumeric` and fold to U+1160, and tag
    /// characters are neither letters nor on a short list: both once hid "suicide".
    #[test]
    fn default_ignorable_characters_do_not_split_or_join_words() {
        for mark in [
            '\u{3164}',
            '\u{FFA0}',
            '\u{115F}',
            '\u{1160}',
            '\u{E0020}',
            '\u{E0001}',
            '\u{E007F}',
            '\u{1BCA0}',
            '\u{FFF0}',
        ] {
            assert_eq!(
                texts(&format!("sui{mark}cide")),
                ["suicide"],
                "{:04X}",
                mark as u32
            );
        }
        let pattern = WordPattern::parse("suicid*").unwrap();
        assert!(pattern.matches(&words("sui\u{3164}cide")));
        assert!(pattern.matches(&words("sui\u{E0020}cide")));
    }

    #[test]
    fn accents_fold_and_acronyms_are_marked() {
        let found = words("Fœtus APS hCG Heparin I");
        assert_eq!(found[0].text, "foetus");
        assert!(found[1].acronym);
        assert!(!found[2].acronym);
        assert!(!found[3].acronym);
        assert!(!found[4].acronym, "a lone capital I is not an acronym");
    }

    #[test]
    fn compatibility_letters_fold_to_plain_ones() {
        assert_eq!(texts("Ｉ ｗａｎｔ ｔｏ ｄｉｅ"), ["i", "want", "to", "die"]);
        assert_eq!(texts("𝐈 𝐰𝐚𝐧𝐭 𝐭𝐨 𝐝𝐢𝐞"), ["i", "want", "to", "die"]);
        assert_eq!(texts("Ångström Ĳssel ﬁne"), ["angstrom", "ijssel", "fine"]);
    }

    #[test]
    fn combining_marks_stay_inside_their_word() {
        assert_eq!(texts("re\u{301}sume\u{301} here"), ["resume", "here"]);
        let zalgo = words("Z\u{337}\u{322}\u{36a} x");
        assert_eq!(zalgo[0].text, "z");
        assert_eq!(zalgo[0].span, 0..7);
    }

    #[test]
    fn an_invisible_character_after_an_apostrophe_keeps_the_word_whole() {
        assert_eq!(texts("don'\u{200B}t"), ["dont"]);
    }

    #[test]
    fn hyphens_separate_words() {
        assert_eq!(
            texts("self-harm mother-to-be"),
            ["self", "harm", "mother", "to", "be"]
        );
    }

    #[test]
    fn pattern_with_gap_and_prefix() {
        let pattern = WordPattern::parse("bleed* ... a lot").unwrap();
        assert!(pattern.matches(&words("I'm bleeding quite a lot")));
        assert!(pattern.matches(&words("bleeds a lot")));
        assert!(!pattern.matches(&words("a lot of bleeding")));
        // Members tell an emergency at length: seven words may stand between.
        assert!(pattern.matches(&words(
            "I've been bleeding since this morning and it's honestly a lot"
        )));
        assert!(!pattern.matches(&words(
            "bleeding and then one two three four five six seven eight a lot"
        )));
    }

    #[test]
    fn long_pattern_words_allow_one_slip_and_short_ones_none() {
        let pattern = |p: &str| WordPattern::parse(p).unwrap().forgiving();
        let hits = |p: &str, text: &str| pattern(p).matches(&words(text));
        let exact = WordPattern::parse("suicid*").unwrap();
        assert!(
            !exact.matches(&words("sucidal")),
            "only forgiving patterns allow slips"
        );
        assert!(hits("suicid*", "been feeling sucidal"));
        assert!(hits("suicid*", "feeling suicidle"));
        assert!(hits("hemorrhag*", "i think im hemorraging"));
        assert!(hits("overdose", "took an ovedose"));
        // Short words stay exact: one slip would make another word.
        assert!(!hits("bleed*", "breeding"));
        assert!(!hits("faint*", "paint"));
        // Two slips are another word.
        assert!(!hits("suicid*", "sudoku"));
        // Two neighbours swapped is one slip; the same letters further apart are not.
        assert!(hits("overdose", "ovredose"));
        assert!(!hits("overdose", "evordose"));
    }

    #[test]
    fn matched_words_are_the_pattern_words_only() {
        let pattern = WordPattern::parse("swollen ... leg").unwrap();
        let text = words("my swollen left leg hurts");
        assert_eq!(pattern.occurrences(&text), [[1, 3]]);
        assert!(pattern.occurrences(&words("no match here")).is_empty());
    }

    #[test]
    fn pattern_words_ignore_apostrophes() {
        let pattern = WordPattern::parse("don't want to live").unwrap();
        assert!(pattern.matches(&words("I DONT want to live anymore")));
        assert!(pattern.matches(&words("i don’t want to live")));
    }

    #[test]
    fn bad_patterns_are_rejected() {
        assert_eq!(WordPattern::parse("  "), Err(PatternError::Empty));
        for choice in ["(soaked|soaking) ... towel*", "heavy...spotting"] {
            assert!(
                matches!(
                    WordPattern::parse(choice),
                    Err(PatternError::NotPlainWords(_))
                ),
                "{choice}"
            );
        }
        assert_eq!(
            WordPattern::parse("... pain"),
            Err(PatternError::DanglingGap)
        );
        assert_eq!(
            WordPattern::parse("pain ..."),
            Err(PatternError::DanglingGap)
        );
        assert_eq!(
            WordPattern::parse("pa*in"),
            Err(PatternError::MisplacedStar)
        );
        assert!(WordPattern::parse("a ... b ... c ... d").is_ok());
        assert_eq!(
            WordPattern::parse("a ... b ... c ... d ... e"),
            Err(PatternError::TooManyGaps)
        );
    }
}
