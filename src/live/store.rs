//! The knowledge the bot serves right now, replaced whole on reload.
//!
//! Readers take an `Arc` to the current version without locking, so a question being
//! answered during a reload finishes on the version it started with. A reload builds the
//! new version beside the old and swaps it in only when it is valid, so a broken edit
//! never takes the bot down: the previous content keeps serving.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use crate::content::Changes;
use crate::knowledge::{Knowledge, LoadError};
use crate::search::Embedder;

/// The current [`Knowledge`], swappable.
pub struct KnowledgeStore {
    dir: PathBuf,
    min_confidence: f32,
    /// Kept across reloads, so a reload embeds only the passages that changed.
    embedder: Embedder,
    current: ArcSwap<Knowledge>,
    /// Held by each reload, so two never race to swap in different versions; it holds
    /// whether the last reload, by the watcher or `/reload`, was rejected: the next good
    /// one says the content is valid again, whichever of them makes it.
    last_rejected: Mutex<bool>,
}

impl KnowledgeStore {
    /// Loads `dir`; fails when the content is not valid, since there is nothing to serve.
    pub fn open(
        dir: &Path,
        min_confidence: f32,
        embedder: Embedder,
    ) -> Result<KnowledgeStore, LoadError> {
        let knowledge = Knowledge::load(dir, min_confidence, &embedder)?;
        Ok(KnowledgeStore {
            dir: dir.to_path_buf(),
            min_confidence,
            embedder,
            current: ArcSwap::from_pointee(knowledge),
            last_rejected: Mutex::new(false),
        })
    }

    /// The version to answer from.
    pub fn current(&self) -> Arc<Knowledge> {
        self.current.load_full()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Re-reads the content folder. On success the new version serves from now on and
    /// the changes are returned; on failure nothing changes and the problems are returned.
    /// Blocking: call it off the async runtime's worker threads.
    pub fn reload(&self) -> Result<Changes, LoadError> {
        let mut last_rejected = self
            .last_rejected
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let fresh = Knowledge::load(&self.dir, self.min_confidence, &self.embedder)
            .inspect_err(|_| *last_rejected = true)?;
        let mut changes = Changes::between(self.current().library(), fresh.library());
        changes.valid_again = std::mem::replace(&mut *last_rejected, false);
        self.current.store(Arc::new(fresh));
        Ok(changes)
    }
}
