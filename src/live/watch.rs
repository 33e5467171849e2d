//! Following the content folder while the bot runs.
//!
//! Moderators save files (or pull a repository) and members should see the change within
//! a second, with no restart. Editors save in several steps (write a temporary file,
//! rename it over the old one, touch metadata), and a `git pull` touches many files, so
//! changes are gathered until the folder has been quiet for [`SETTLE`], then the whole
//! folder is reloaded once. A steady stream of changes cannot postpone the reload beyond
//! [`MAX_DELAY`].
//!
//! Besides the folder itself, its parent is watched: that is the only way to see the
//! folder being deleted, renamed or restored, after which the watch is set up again.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{Event, EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::KnowledgeStore;
use crate::content::ReloadEvent;

/// How long the folder must be quiet before a reload.
pub const SETTLE: Duration = Duration::from_millis(200);

/// The longest a stream of changes may postpone a reload.
pub const MAX_DELAY: Duration = Duration::from_secs(2);

/// How often the fallback watcher polls when the system's file events are unavailable.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// What a file event says about the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Something inside it changed.
    Inside,
    /// The folder itself appeared, disappeared or moved: the watch must be set up again.
    Folder,
}

/// Watches the content folder until dropped.
pub struct ContentWatcher {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ContentWatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts watching `store`'s folder; `on_reload` hears about every reload it makes.
/// Must be called inside a tokio runtime.
pub fn watch(
    store: Arc<KnowledgeStore>,
    on_reload: impl Fn(ReloadEvent) + Send + 'static,
) -> Result<ContentWatcher, notify::Error> {
    let dir = std::path::absolute(store.dir())?;
    let parent = dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.clone());
    let (changes, mut received) = mpsc::unbounded_channel();

    let handler = {
        let dir = dir.clone();
        move |event: notify::Result<Event>| {
            let Ok(event) = event else { return };
            if matches!(event.kind, EventKind::Access(_)) {
                return;
            }
            let change = if event.paths.iter().any(|p| p == &dir) {
                Change::Folder
            } else if event.paths.iter().any(|p| p.starts_with(&dir)) {
                Change::Inside
            } else {
                return;
            };
            let _ = changes.send(change);
        }
    };
    let mut watcher: Box<dyn Watcher + Send> = match notify::recommended_watcher(handler.clone()) {
        Ok(watcher) => Box::new(watcher),
        Err(error) => {
            tracing::warn!(%error, "file events are unavailable; polling the content folder instead");
            let config = notify::Config::default().with_poll_interval(POLL_INTERVAL);
            Box::new(notify::PollWatcher::new(handler, config)?)
        }
    };
    watcher.watch(&parent, RecursiveMode::NonRecursive)?;
    let mut watching = match watcher.watch(&dir, RecursiveMode::Recursive) {
        Ok(()) => true,
        Err(error) => {
            // A folder that is missing is waited for quietly; one that is there but cannot
            // be watched (the system's limit on watches, say) would leave edits unseen.
            if dir.is_dir() {
                tracing::warn!(%error, "cannot watch inside the content folder: edits take effect on /reload only (raise fs.inotify.max_user_watches to fix)");
            }
            false
        }
    };

    let task = tokio::spawn(async move {
        while let Some(first) = received.recv().await {
            let mut folder_changed = first == Change::Folder;
            let started = Instant::now();
            loop {
                let left = MAX_DELAY.saturating_sub(started.elapsed());
                if left.is_zero() {
                    break;
                }
                match tokio::time::timeout(SETTLE.min(left), received.recv()).await {
                    Ok(Some(change)) => folder_changed |= change == Change::Folder,
                    Ok(None) => return,
                    Err(_quiet) => break,
                }
            }

            if folder_changed || !watching {
                // The old watch followed a folder that is gone; follow the one there now.
                let _ = watcher.unwatch(&dir);
                watching = dir.is_dir() && watcher.watch(&dir, RecursiveMode::Recursive).is_ok();
            }
            let reloading = store.clone();
            let event = match tokio::task::spawn_blocking(move || reloading.reload()).await {
                Ok(Ok(changes)) => {
                    tracing::info!(%changes, "content changed on disk and was reloaded");
                    ReloadEvent::Reloaded(changes)
                }
                Ok(Err(error)) => {
                    tracing::warn!(%error, "content changed on disk but is invalid; the previous content keeps serving");
                    ReloadEvent::Rejected(error.problems())
                }
                Err(error) => {
                    tracing::error!(%error, "the reload task failed; the previous content keeps serving");
                    continue;
                }
            };
            on_reload(event);
        }
    });
    Ok(ContentWatcher { task })
}

/// The folder a store watches, made absolute; for messages.
pub fn watched_folder(store: &KnowledgeStore) -> PathBuf {
    std::path::absolute(store.dir()).unwrap_or_else(|_| store.dir().to_path_buf())
}
