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

/// Past this many vectors (about 15 MB) only the current content's are kept: enough for
/// several versions of a large content folder, or for the test suite's many small ones.
const MAX_VECTORS: usize = 10_000;

/// Marks the file format, so a file from another version is ignored, not misread.
const MAGIC: &[u8; 8] = b"LNTVEC01";

/// The vectors embedded so far, shared by every reload of one process.
pub struct VectorCache {
    model_id: String,
    file: Option<PathBuf>,
    known: Mutex<HashMap<Key, Vector>>,
}

impl VectorCache {
    /// A cache for `encoder`'s vectors, read from (and written to) `data_dir` when given.
    /// A missing, unreadable or foreign file only means starting empty.
    pub fn new(encoder: &Encoder, data_dir: Option<&Path>) -> VectorCache {
        let model_id = encoder.model_id().to_string();
        let file = data_dir.map(|dir| dir.join(format!("vectors-{model_id}.bin")));
        let known = match &file {
            Some(path) => match read_file(path) {
                Ok(known) => known,
                Err(error) if error.kind() == io::ErrorKind::NotFound => HashMap::new(),
                Err(error) => {
                    tracing::warn!(file = %path.display(), %error, "ignoring the vector cache; it will be rebuilt");
                    HashMap::new()
                }
            },
            None => HashMap::new(),
        };
        VectorCache {
            model_id,
            file,
            known: Mutex::new(known),
        }
    }

    /// The vectors of `texts`, in order: remembered ones looked up, the rest embedded
    /// (on every core) and remembered.
    pub fn embed_all(&self, encoder: &Encoder, texts: &[&str]) -> Vec<Vector> {
        let keys: Vec<Key> = texts.iter().map(|text| self.key(text)).collect();
        let mut known = self
            .known
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let missing: Vec<usize> = (0..texts.len())
            .filter(|&i| !known.contains_key(&keys[i]))
            .collect();
        let fresh = embed_parallel(
            encoder,
            &missing.iter().map(|&i| texts[i]).collect::<Vec<_>>(),
        );
        for (&i, vector) in missing.iter().zip(fresh) {
            known.insert(keys[i], vector);
        }
        let vectors: Vec<Vector> = keys.iter().map(|key| known[key]).collect();
        if !missing.is_empty() {
            if known.len() > MAX_VECTORS {
                let current: HashSet<&Key> = keys.iter().collect();
                known.retain(|key, _| current.contains(key));
            }
            if let Some(path) = &self.file
                && let Err(error) = write_file(path, &known)
            {
                tracing::warn!(file = %path.display(), %error, "could not save the vector cache; the next start embeds the content again");
            }
        }
        vectors
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
                scope.spawn(move || {
                    part.iter()
                        .map(|text| encoder.embed(text))
                        .collect::<Vec<_>>()
                })
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

fn read_file(path: &Path) -> io::Result<HashMap<Key, Vector>> {
    let mut bytes = Vec::new();
    fs::File::open(path)?.read_to_end(&mut bytes)?;
    let entry = 16 + 4 * DIM;
    let body = bytes
        .strip_prefix(MAGIC.as_slice())
        .filter(|body| body.len() % entry == 0)
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "not a vector cache of this version",
            )
        })?;
    Ok(body
        .chunks_exact(entry)
        .map(|chunk| {
            let mut key = [0; 16];
            key.copy_from_slice(&chunk[..16]);
            let mut vector = [0.0; DIM];
            for (value, bytes) in vector.iter_mut().zip(chunk[16..].chunks_exact(4)) {
                *value = f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            }
            (key, vector)
        })
        .collect())
}

/// Writes beside the file and renames, so a reader never sees half a file and two
/// processes sharing the folder each leave a whole one.
fn write_file(path: &Path, known: &HashMap<Key, Vector>) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut bytes = Vec::with_capacity(MAGIC.len() + known.len() * (16 + 4 * DIM));
    bytes.extend_from_slice(MAGIC);
    for (key, vector) in known {
        bytes.extend_from_slice(key);
        for value in vector {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
    }
    let partial = path.with_extension(format!("tmp{}", std::process::id()));
    fs::File::create(&partial)?.write_all(&bytes)?;
    fs::rename(&partial, path)
}
