//! Sentence vectors of the content, remembered by their text.
//!
//! Embedding every passage, sentence and title costs about a second per thousand
//! sentences, so vectors are kept by the text they were made from: a reload embeds only
//! what changed, and with a data folder (`LANTERN_DATA_DIR`) a restart embeds nothing it
//! has seen before. The key includes the model's id, so new weights never meet old vectors.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use minilm::{DIM, Encoder};
use sha2::{Digest, Sha256};

/// One text's embedding: L2-normalised, so a dot product is the cosine.
pub type Vector = [f32; DIM];

/// A text's key: the first 16 bytes of SHA-256 over the model id and the text.
type Key = [u8; 16];

/// Past this many vectors (about 15 MB) only the latest load's are kept: enough for
/// several versions of a large content folder, or for the test suite's many small ones.
const MAX_VECTORS: usize = 10_000;

/// Marks the file format, so a file from another version is ignored, not misread.
const MAGIC: &[u8; 8] = b"LNTVEC01";

/// The vectors embedded so far, shared by every reload of one process.
pub struct VectorCache {
    model_id: String,
    file: Option<PathBuf>,
    /// Past this many vectors a finished load prunes to its own.
    limit: usize,
    state: Mutex<State>,
}

struct State {
    known: HashMap<Key, Vector>,
    /// Keys asked for since the loads now running began: what the content needs. One
    /// load asks in several calls (passages, sentences, headings, safety examples), so
    /// pruning to one call's keys would drop the others' and embed them again each time.
    touched: HashSet<Key>,
    /// Loads begun and not yet ended.
    loading: usize,
    /// Whether one of them finished: only a whole load knows what the content needs.
    finished: bool,
}

/// One load of the content, from its first embedding to its last. When the last load
/// running ends and one of them finished, a cache past its limit keeps only the vectors
/// those loads asked for.
pub struct VectorLoad<'a> {
    cache: &'a VectorCache,
    finished: bool,
}

impl VectorLoad<'_> {
    /// Marks the load as whole: every vector the content needs has been asked for.
    pub fn finish(mut self) {
        self.finished = true;
    }
}

impl Drop for VectorLoad<'_> {
    fn drop(&mut self) {
        self.cache.end_load(self.finished);
    }
}

impl VectorCache {
    /// A cache for `encoder`'s vectors, read from (and written to) `data_dir` when given.
    /// A missing, unreadable or foreign file only means starting empty.
    pub fn new(encoder: &Encoder, data_dir: Option<&Path>) -> VectorCache {
        VectorCache::with_limit(encoder, data_dir, MAX_VECTORS)
    }

    /// As [`VectorCache::new`], pruning past `limit` vectors (tests use a small one).
    fn with_limit(encoder: &Encoder, data_dir: Option<&Path>, limit: usize) -> VectorCache {
        let model_id = encoder.model_id().to_string();
        let file = data_dir.map(|dir| dir.join(format!("vectors-{model_id}.bin")));
        let known = match &file {
            Some(path) => read_or_start_empty(path),
            None => HashMap::new(),
        };
        VectorCache {
            model_id,
            file,
            limit,
            state: Mutex::new(State {
                known,
                touched: HashSet::new(),
                loading: 0,
                finished: false,
            }),
        }
    }

    /// Begins a load; call [`VectorLoad::finish`] once it has asked for every vector it needs.
    pub fn begin_load(&self) -> VectorLoad<'_> {
        let mut state = self.lock();
        if state.loading == 0 {
            state.touched.clear();
            state.finished = false;
        }
        state.loading += 1;
        VectorLoad {
            cache: self,
            finished: false,
        }
    }

    fn end_load(&self, finished: bool) {
        let mut state = self.lock();
        state.loading -= 1;
        state.finished |= finished;
        if state.loading > 0 || !state.finished || state.known.len() <= self.limit {
            return;
        }
        let State { known, touched, .. } = &mut *state;
        known.retain(|key, _| touched.contains(key));
        if let Some(path) = &self.file
            && let Err(error) = write_file(path, known)
        {
            tracing::warn!(file = %path.display(), %error, "could not save the vector cache; the next start embeds the content again");
        }
    }

    /// The vectors of `texts`, in order: remembered ones looked up, the rest embedded
    /// (on every core) and remembered.
    pub fn embed_all(&self, encoder: &Encoder, texts: &[&str]) -> Vec<Vector> {
        let keys: Vec<Key> = texts.iter().map(|text| self.key(text)).collect();
        let mut state = self.lock();
        state.touched.extend(keys.iter().copied());
        let missing: Vec<usize> = (0..texts.len())
            .filter(|&i| !state.known.contains_key(&keys[i]))
            .collect();
        let fresh = embed_parallel(
            encoder,
            &missing.iter().map(|&i| texts[i]).collect::<Vec<_>>(),
        );
        for (&i, vector) in missing.iter().zip(fresh) {
            state.known.insert(keys[i], vector);
        }
        // Only the new vectors are appended: rewriting some 15 MB on every reload would
        // cost more than the embedding of one changed article. Pruning, which rewrites,
        // waits for the load's end.
        if !missing.is_empty()
            && let Some(path) = &self.file
        {
            let added: Vec<(&Key, &Vector)> = missing
                .iter()
                .map(|&i| (&keys[i], &state.known[&keys[i]]))
                .collect();
            if let Err(error) = append_file(path, &added) {
                tracing::warn!(file = %path.display(), %error, "could not save the vector cache; the next start embeds the content again");
            }
        }
        keys.iter().map(|key| state.known[key]).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn key(&self, text: &str) -> Key {
        let mut hasher = Sha256::new();
        hasher.update(self.model_id.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        let digest = hasher.finalize();
        let mut key = [0; 16];
        key.copy_from_slice(&digest[..16]);
        key
    }
}

/// The vectors in the cache file, tidied when needed; a missing, unreadable or foreign
/// file only means starting empty.
fn read_or_start_empty(path: &Path) -> HashMap<Key, Vector> {
    match read_file(path) {
        Ok((known, tidy)) => {
            if !tidy && let Err(error) = write_file(path, &known) {
                tracing::warn!(file = %path.display(), %error, "could not tidy the vector cache");
            }
            known
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => HashMap::new(),
        Err(error) => {
            // Replaced, not appended to: appends to a file that cannot be read would
            // grow it on every start and never be read back.
            tracing::warn!(file = %path.display(), %error, "ignoring the vector cache; it will be rebuilt");
            if let Err(error) = write_file(path, &HashMap::new()) {
                tracing::warn!(file = %path.display(), %error, "could not replace the vector cache");
            }
            HashMap::new()
        }
    }
}

/// Whether `vector` can be a sentence embedding: finite, and of length one (the model's
/// vectors are normalised, and similarity is a plain dot product) or zero. A damaged
/// entry (a bit flipped on disk, a write torn mid-value) fails this and is embedded
/// again rather than served.
fn is_embedding(vector: &Vector) -> bool {
    let squared: f32 = vector.iter().map(|value| value * value).sum();
    squared.is_finite() && (squared < 1e-6 || (squared - 1.0).abs() < 1e-2)
}

/// Embeds `texts` on up to all available cores; order is kept.
fn embed_parallel(encoder: &Encoder, texts: &[&str]) -> Vec<Vector> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(texts.len().max(1));
    let chunk = texts.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = texts
            .chunks(chunk)
            .map(|part| {
                // Batched: short sentences share forward passes (same bits as alone).
                scope.spawn(move || encoder.embed_batch(part))
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// The vectors in the file, and whether the file is tidy: whole entries, few repeated
/// (two processes can append the same text). An untidy file is rewritten on opening, so
/// appends always start at an entry's boundary.
fn read_file(path: &Path) -> io::Result<(HashMap<Key, Vector>, bool)> {
    // Read entry by entry: the file can hold 15 MB, and a whole copy of it beside the
    // map would set the process's peak memory.
    let file = fs::File::open(path)?;
    let length = file.metadata()?.len();
    let mut reader = io::BufReader::new(file);
    let mut magic = [0; 8];
    reader.read_exact(&mut magic).map_err(|_| not_ours())?;
    if &magic != MAGIC {
        return Err(not_ours());
    }
    let entry = (16 + 4 * DIM) as u64;
    let entries = (length - MAGIC.len() as u64) / entry;
    let mut known =
        HashMap::with_capacity(usize::try_from(entries).unwrap_or(0).min(MAX_VECTORS * 2));
    let mut buffer = vec![0; 16 + 4 * DIM];
    let mut damaged = 0;
    // A trailing part entry (an append cut short by a crash) is left out; the text it
    // was for is embedded again when next needed.
    for _ in 0..entries {
        reader.read_exact(&mut buffer)?;
        let mut key = [0; 16];
        key.copy_from_slice(&buffer[..16]);
        let mut vector = [0.0; DIM];
        for (value, bytes) in vector.iter_mut().zip(buffer[16..].chunks_exact(4)) {
            *value = f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        if is_embedding(&vector) {
            known.insert(key, vector);
        } else {
            damaged += 1;
        }
    }
    if damaged > 0 {
        tracing::warn!(file = %path.display(), damaged, "left out damaged vectors of the cache; they are embedded again");
    }
    let whole = (length - MAGIC.len() as u64).is_multiple_of(entry);
    let tidy = whole && damaged == 0 && entries as usize <= known.len() + known.len() / 10;
    Ok((known, tidy))
}

fn not_ours() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "not a vector cache of this version",
    )
}

/// Writes beside the file and renames, so a reader never sees half a file and two
/// processes sharing the folder each leave a whole one.
fn write_file(path: &Path, known: &HashMap<Key, Vector>) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut bytes = Vec::with_capacity(MAGIC.len() + known.len() * (16 + 4 * DIM));
    bytes.extend_from_slice(MAGIC);
    encode(&mut bytes, known.iter());
    let partial = path.with_extension(format!("tmp{}", std::process::id()));
    let mut file = fs::File::create(&partial)?;
    file.write_all(&bytes)?;
    // On disk before the rename: after a power cut the name holds old or new, not nothing.
    file.sync_all()?;
    fs::rename(&partial, path)
}

/// Adds `entries` at the end of the file in one write (whole entries, so processes
/// appending together do not interleave inside one), or writes a new file.
fn append_file(path: &Path, entries: &[(&Key, &Vector)]) -> io::Result<()> {
    let mut file = match fs::OpenOptions::new().append(true).open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            let known: HashMap<Key, Vector> = entries.iter().map(|(k, v)| (**k, **v)).collect();
            return write_file(path, &known);
        }
        Err(error) => return Err(error),
    };
    let mut bytes = Vec::with_capacity(entries.len() * (16 + 4 * DIM));
    encode(&mut bytes, entries.iter().copied());
    file.write_all(&bytes)
}

fn encode<'a>(bytes: &mut Vec<u8>, entries: impl Iterator<Item = (&'a Key, &'a Vector)>) {
    for (key, vector) in entries {
        bytes.extend_from_slice(key);
        for value in vector {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys held in the cache file, as a fresh start would read them.
    fn saved_keys(dir: &Path, cache: &VectorCache) -> HashSet<Key> {
        let path = dir.join(format!("vectors-{}.bin", cache.model_id));
        read_file(&path).unwrap().0.into_keys().collect()
    }

    #[test]
    fn a_full_cache_keeps_every_vector_of_the_latest_load_not_of_its_last_call() {
        let encoder = Encoder::embedded().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let cache = VectorCache::with_limit(&encoder, Some(dir.path()), 5);
        let keys =
            |texts: &[&str]| -> HashSet<Key> { texts.iter().map(|text| cache.key(text)).collect() };
        // A whole load that asks for passages, then sentences, as `SemanticIndex` does;
        // the keys it leaves in the file.
        let load_whole = |passages: &[&str], sentences: &[&str]| {
            let load = cache.begin_load();
            cache.embed_all(&encoder, passages);
            cache.embed_all(&encoder, sentences);
            load.finish();
            saved_keys(dir.path(), &cache)
        };
        // Six vectors in all: past the limit, yet all six are the content's, so all stay.
        let passages = ["clots in pregnancy", "heparin injections", "aspirin"];
        let sentences = ["a second sentence", "a third", "a fourth"];
        assert_eq!(
            load_whole(&passages, &sentences),
            &keys(&passages) | &keys(&sentences)
        );
        // The next load changes one sentence: the old one goes, the rest stay.
        let edited = ["a second sentence", "a third", "an edited fourth"];
        assert_eq!(
            load_whole(&passages, &edited),
            &keys(&passages) | &keys(&edited)
        );

        // A load that fails midway (invalid content) prunes nothing: it does not know
        // what the content needs.
        let load = cache.begin_load();
        cache.embed_all(&encoder, &["something else entirely"]);
        drop(load);
        assert_eq!(saved_keys(dir.path(), &cache).len(), 7);
    }

    /// An entry whose vector is a unit vector along axis `seed`.
    fn entry(seed: u8) -> (Key, Vector) {
        let mut vector = [0.0; DIM];
        vector[usize::from(seed)] = 1.0;
        ([seed; 16], vector)
    }

    /// A damaged vector is left out (and the file rewritten without it), and a file that
    /// is not a cache is replaced by an empty one, not appended to for ever.
    #[test]
    fn damaged_entries_and_foreign_files_are_not_served() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vectors-test.bin");
        let (k1, v1) = entry(1);
        let (k2, mut v2) = entry(2);
        v2[2] = 20.0;
        append_file(&path, &[(&k1, &v1), (&k2, &v2)]).unwrap();
        let known = read_or_start_empty(&path);
        assert_eq!(known.len(), 1);
        assert!(known.contains_key(&k1));
        assert_eq!(
            fs::metadata(&path).unwrap().len(),
            (MAGIC.len() + 16 + 4 * DIM) as u64
        );

        fs::write(&path, b"LNTVEC00 from another version").unwrap();
        assert!(read_or_start_empty(&path).is_empty());
        append_file(&path, &[(&k1, &v1)]).unwrap();
        let (known, tidy) = read_file(&path).unwrap();
        assert!(
            tidy && known.contains_key(&k1),
            "the file was replaced, then appended to"
        );
    }

    #[test]
    fn appended_vectors_are_read_back_and_a_torn_tail_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vectors-test.bin");
        let (k1, v1) = entry(1);
        let (k2, v2) = entry(2);
        append_file(&path, &[(&k1, &v1)]).unwrap();
        append_file(&path, &[(&k2, &v2)]).unwrap();
        let (known, tidy) = read_file(&path).unwrap();
        assert!(tidy);
        assert_eq!(known.len(), 2);
        assert_eq!(known[&k2], v2);

        // A crash mid-append leaves part of an entry: the whole ones still count, and
        // the file is marked for rewriting so later appends line up again.
        let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(&[7; 100]).unwrap();
        let (known, tidy) = read_file(&path).unwrap();
        assert_eq!(known.len(), 2);
        assert!(!tidy);
    }
}
