//! Following the content folder while the bot runs.
//!
//! Moderators save files (or pull a repository) and members should see the change within
//! a second, with no restart. Editors save in several steps (write a temporary file,
//! rename it over the old one, touch metadata), and a `git pull` touches many files, so
//! changes are gathered until the folder has been quiet for [`SETTLE`], then the whole
//! folder is reloaded once. A steady stream of changes cannot postpone the reload beyond
//! [`MAX_DELAY`].
//!
//! A watch follows the folder it was set up on, not its path: when the folder (or a folder
//! above it) is moved away and another put in its place, as when a repository is cloned
//! afresh, the old watch reports nothing. So the path is checked every [`FOLDER_CHECK`]
//! for a different folder, and the watch is set up again on whatever folder is there.
//!
//! The content was loaded before the watch began, so once the watch is set up the content
//! is reloaded, for any save made in between; like every reload that changes nothing, that
//! is not reported.
//!
//! The system's file events do not arrive from every filesystem (a network share, some
//! container volumes), and a folder with many subfolders can exceed the system's limit on
//! watches. So the folder can be polled instead ([`WatchMode::Poll`]), and the watcher
//! switches to polling by itself whenever file events cannot follow the folder: a change
//! a moderator saved must never silently wait for a restart.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{Event, EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::task::AbortOnDropHandle;

use super::poll::{self, FileId, Poller};
use super::{KnowledgeStore, off_the_workers};
use crate::content::{ReloadEvent, is_editor_leftover, is_in_content};

/// How long the folder must be quiet before a reload.
pub const SETTLE: Duration = Duration::from_millis(200);

/// The longest a stream of changes may postpone a reload.
pub const MAX_DELAY: Duration = Duration::from_secs(2);

/// How often the folder is looked at when file events are not used. Polled changes
/// arrive this far apart, so polling settles for this much longer than [`SETTLE`].
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// How often file events' watch checks that the path still leads to the folder it
/// follows: one `stat` each time.
const FOLDER_CHECK: Duration = Duration::from_secs(1);

/// How the folder is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    /// The system's file events (inotify, FSEvents, ...), falling back to polling when
    /// they are unavailable.
    Events,
    /// Looking at every file's length and modification time every [`POLL_INTERVAL`]:
    /// for folders whose changes raise no file events.
    Poll,
}

/// What a file event says about the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Something inside it changed.
    Inside,
    /// The folder itself appeared, disappeared, moved or was replaced, or events were
    /// lost: the watch must be set up again.
    Folder,
    /// File events cannot follow part of the folder (a subfolder beyond the system's
    /// limit on watches): only polling can.
    OutOfWatches,
}

/// Watches the content folder until dropped.
pub struct ContentWatcher {
    _task: AbortOnDropHandle<()>,
}

/// Starts watching `store`'s folder; `on_reload` hears about every reload that changed
/// something (a rejected change fixed included) or was rejected. Returns once the watch is
/// set up and the content has been reloaded once, for any save made while it was first
/// loaded.
pub async fn watch(
    store: Arc<KnowledgeStore>,
    mode: WatchMode,
    on_reload: impl Fn(ReloadEvent) + Send + 'static,
) -> std::io::Result<ContentWatcher> {
    let dir = std::path::absolute(store.dir())?;
    let (changes, mut received) = mpsc::unbounded_channel();
    let mut follower = off_the_workers(move || {
        let mut follower = Follower::start(dir, mode, changes);
        follower.follow_folder();
        follower
    })
    .await?;
    let tell = move |event: Option<ReloadEvent>| {
        if let Some(event) = event.filter(is_news) {
            on_reload(event);
        }
    };
    let event = reload(&store).await;
    tell(event);

    let task = tokio::spawn(async move {
        let mut folder_check = tokio::time::interval(FOLDER_CHECK);
        folder_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let first = tokio::select! {
                change = received.recv() => match change {
                    Some(change) => change,
                    None => return,
                },
                _ = folder_check.tick() => match follower.folder_replaced().await {
                    true => Change::Folder,
                    false => continue,
                },
            };
            let Some(seen) = settled(first, &mut received, follower.settle()).await else {
                return;
            };
            let out_of_watches = seen.contains(&Change::OutOfWatches);
            let moved = seen.contains(&Change::Folder) || !follower.following_folder();
            follower = match off_the_workers(move || {
                follower.set_up_again(out_of_watches, moved);
                follower
            })
            .await
            {
                Ok(follower) => follower,
                Err(error) => {
                    tracing::error!(%error, "the content watcher failed; changes need /reload");
                    return;
                }
            };
            let event = reload(&store).await;
            tell(event);
        }
    });
    Ok(ContentWatcher {
        _task: AbortOnDropHandle::new(task),
    })
}

/// `first` and every change after it until the folder has been quiet for `settle` (or
/// [`MAX_DELAY`] has passed); `None` when the watch has ended.
async fn settled(
    first: Change,
    received: &mut mpsc::UnboundedReceiver<Change>,
    settle: Duration,
) -> Option<Vec<Change>> {
    let mut seen = vec![first];
    let started = Instant::now();
    loop {
        let left = MAX_DELAY.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Some(seen);
        }
        match tokio::time::timeout(settle.min(left), received.recv()).await {
            Ok(Some(change)) => seen.push(change),
            Ok(None) => return None,
            Err(_quiet) => return Some(seen),
        }
    }
}

/// Reloads the store off the async workers; `None` when the reload itself failed.
async fn reload(store: &Arc<KnowledgeStore>) -> Option<ReloadEvent> {
    let reloading = store.clone();
    let event = match off_the_workers(move || reloading.reload()).await {
        Ok(Ok(changes)) => ReloadEvent::Reloaded(changes),
        Ok(Err(error)) => {
            tracing::warn!(%error, "content changed on disk but is invalid; the previous content keeps serving");
            ReloadEvent::Rejected(error.problems())
        }
        Err(error) => {
            tracing::error!(%error, "the reload task failed; the previous content keeps serving");
            return None;
        }
    };
    Some(event)
}

/// Whether moderators should hear of a reload: every rejection, and every reload that
/// changed something (fixing a rejected change counts). A reload that changed nothing (a
/// save that left the articles as they were, or the reload after the watch was set up
/// finding no save made during the first load) is no news.
fn is_news(event: &ReloadEvent) -> bool {
    match event {
        ReloadEvent::Reloaded(changes) if changes.is_empty() => {
            tracing::debug!("content reloaded from disk; nothing changed");
            false
        }
        ReloadEvent::Reloaded(changes) => {
            tracing::info!(%changes, "content changed on disk and was reloaded");
            true
        }
        ReloadEvent::Rejected(_) => true,
    }
}

/// How the folder is being followed right now.
enum Following {
    /// The system's file events on the folder, while it exists.
    Events(Box<dyn Watcher + Send>),
    /// Looking at the folder; the poller stops when dropped.
    Polling { _poller: Poller },
}

impl Following {
    /// Polls `dir`, telling each change found to `changes`.
    fn polling(dir: &Path, changes: &mpsc::UnboundedSender<Change>) -> Following {
        let changes = changes.clone();
        let poller = poll::start(dir.to_path_buf(), POLL_INTERVAL, move || {
            let _ = changes.send(Change::Inside);
        });
        Following::Polling { _poller: poller }
    }
}

/// What follows the folder, and what it needs to set itself up again.
struct Follower {
    dir: PathBuf,
    changes: mpsc::UnboundedSender<Change>,
    following: Following,
    /// The folder file events follow, as it was when the watch was set up; `None` while
    /// none is followed.
    followed: Option<FileId>,
}

impl Follower {
    /// Never fails: when file events are unavailable, the folder is polled.
    fn start(dir: PathBuf, mode: WatchMode, changes: mpsc::UnboundedSender<Change>) -> Follower {
        let events = match mode {
            WatchMode::Events => events_watcher(&dir, &changes)
                .inspect_err(|error| {
                    tracing::warn!(%error, "file events are unavailable; polling the content folder instead");
                })
                .ok(),
            WatchMode::Poll => None,
        };
        let following = match events {
            Some(watcher) => Following::Events(watcher),
            None => Following::polling(&dir, &changes),
        };
        Follower {
            dir,
            changes,
            following,
            followed: None,
        }
    }

    /// Follows everything inside the folder, if there is one. When it cannot be followed
    /// just now, the next folder check tries again.
    fn follow_folder(&mut self) {
        let Following::Events(watcher) = &mut self.following else {
            return;
        };
        // Noted before the watch is set up, so a folder replaced in between is noticed.
        self.followed = folder_at(&self.dir).ok().flatten();
        if self.followed.is_none() {
            return;
        }
        match watcher.watch(&self.dir, RecursiveMode::Recursive) {
            Ok(()) => self.poll_if_linked(),
            // A subfolder went while the watch walked the folder (`git gc`, `rsync
            // --delete`): not a reason to give up file events; the next check retries.
            Err(error) if matches!(error.kind, notify::ErrorKind::PathNotFound) => {
                tracing::debug!(%error, "the content folder changed while its watch was set up");
                self.followed = None;
            }
            Err(error) => self.switch_to_polling(&format!(
                "file events cannot follow the content folder ({error}){OUT_OF_WATCHES_HINT}"
            )),
        }
    }

    /// File events follow folders, not links: a file or folder the content reaches through
    /// a link (a shared article, a release folder switched by a link) changes unseen. The
    /// loader reads through links, and so does polling.
    fn poll_if_linked(&mut self) {
        if !matches!(self.following, Following::Events(_)) {
            return;
        }
        if let Some(link) = first_link(&self.dir) {
            self.switch_to_polling(&format!(
                "the content folder reaches files through a link ({}), whose changes file events \
                 cannot follow",
                link.display()
            ));
        }
    }

    /// Whether the folder is followed (polling always follows whatever is at the path).
    fn following_folder(&self) -> bool {
        match self.following {
            Following::Events(_) => self.followed.is_some(),
            Following::Polling { .. } => true,
        }
    }

    /// Whether file events follow a folder that is no longer the one at the path (or none
    /// while there is one, or one while there is none); not when the path cannot be looked
    /// at just now. Polling looks at the path itself.
    /// (`&mut`: the watcher inside is not `Sync`, and this is awaited in a spawned task.)
    async fn folder_replaced(&mut self) -> bool {
        if !matches!(self.following, Following::Events(_)) {
            return false;
        }
        let dir = self.dir.clone();
        match off_the_workers(move || folder_at(&dir)).await {
            Ok(Ok(now)) => now != self.followed,
            _ => false,
        }
    }

    /// Before each reload: after lost watches (`out_of_watches`) or a folder that moved,
    /// was replaced or came back (`moved`), polls, or follows whatever folder is at the
    /// path now; and polls once a link has been added.
    fn set_up_again(&mut self, out_of_watches: bool, moved: bool) {
        if out_of_watches {
            self.switch_to_polling(&format!(
                "file events cannot follow a new subfolder of the content folder{OUT_OF_WATCHES_HINT}"
            ));
        }
        if moved {
            // The old watch followed a folder that is gone; follow the one there now
            // (which looks for links in it).
            self.unfollow_folder();
            self.follow_folder();
        } else {
            self.poll_if_linked();
        }
    }

    fn unfollow_folder(&mut self) {
        if let Following::Events(watcher) = &mut self.following {
            let _ = watcher.unwatch(&self.dir);
        }
    }

    /// Polls from now on, rather than leave edits unseen. File events come back only with
    /// a restart, once their cause is fixed.
    fn switch_to_polling(&mut self, why: &str) {
        if matches!(self.following, Following::Polling { .. }) {
            return;
        }
        tracing::warn!("{why}; polling it instead until the next start");
        self.following = Following::polling(&self.dir, &self.changes);
    }

    /// How long changes must stop before a reload.
    fn settle(&self) -> Duration {
        match self.following {
            Following::Events(_) => SETTLE,
            Following::Polling { .. } => POLL_INTERVAL + SETTLE,
        }
    }
}

/// Why file events usually run out, for the operator.
const OUT_OF_WATCHES_HINT: &str =
    " (on Linux the usual cause is the limit fs.inotify.max_user_watches)";

/// The first symbolic link inside `dir`, not counting what Lantern never reads (`.git`,
/// editors' leftovers). The folder itself may be a link: file events follow its target.
fn first_link(dir: &Path) -> Option<PathBuf> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_entry(|entry| !is_editor_leftover(&entry.file_name().to_string_lossy()))
        .flatten()
        .find(|entry| entry.path_is_symlink())
        .map(walkdir::DirEntry::into_path)
}

/// The folder at `path`: `None` when there is none; an error when it cannot be looked at
/// just now (a share reconnecting), which says nothing about whether it changed.
fn folder_at(path: &Path) -> std::io::Result<Option<FileId>> {
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_dir() => Ok(Some(FileId::of(&metadata))),
        Ok(_) => Ok(None),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// A watcher of the system's file events, following nothing yet.
fn events_watcher(
    dir: &Path,
    changes: &mpsc::UnboundedSender<Change>,
) -> Result<Box<dyn Watcher + Send>, notify::Error> {
    let handler = event_handler(dir.to_path_buf(), changes.clone());
    Ok(Box::new(notify::recommended_watcher(handler)?))
}

/// Turns file events into [`Change`]s for the folder `dir`, ignoring reads, what editors
/// and tools leave beside the content (`.git`, swap and backup files: Lantern never reads
/// them) and everything outside the folder.
fn event_handler(
    dir: PathBuf,
    changes: mpsc::UnboundedSender<Change>,
) -> impl notify::EventHandler {
    move |event: notify::Result<Event>| {
        let event = match event {
            Ok(event) => event,
            Err(error) => {
                if matches!(error.kind, notify::ErrorKind::MaxFilesWatch) {
                    let _ = changes.send(Change::OutOfWatches);
                }
                return;
            }
        };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        // The system dropped events (its queue overflowed): look at everything again.
        let change = if event.need_rescan() || event.paths.iter().any(|p| p == &dir) {
            Change::Folder
        } else if event.paths.iter().any(|p| is_in_content(&dir, p)) {
            Change::Inside
        } else {
            return;
        };
        let _ = changes.send(change);
    }
}

/// The folder a store watches, made absolute; for messages.
pub fn watched_folder(store: &KnowledgeStore) -> PathBuf {
    std::path::absolute(store.dir()).unwrap_or_else(|_| store.dir().to_path_buf())
}

#[cfg(test)]
mod tests {
    use notify::EventHandler;
    use notify::event::{CreateKind, ModifyKind, RemoveKind};

    use super::*;

    /// What the handler makes of one event about each path.
    fn changes_for(dir: &Path, kind: EventKind, paths: &[&str]) -> Vec<Change> {
        let (sender, mut received) = mpsc::unbounded_channel();
        let mut handler = event_handler(dir.to_path_buf(), sender);
        for path in paths {
            handler.handle_event(Ok(Event::new(kind).add_path(dir.join(path))));
        }
        std::iter::from_fn(|| received.try_recv().ok()).collect()
    }

    #[test]
    fn hidden_files_and_places_outside_the_folder_are_not_changes() {
        let dir = Path::new("/srv/kb/content");
        let saved = EventKind::Modify(ModifyKind::Any);
        assert_eq!(
            changes_for(dir, saved, &["articles/aps.md", "synonyms.txt"]),
            [Change::Inside, Change::Inside]
        );
        assert!(
            changes_for(
                dir,
                saved,
                &[
                    ".git/index",
                    "articles/.aps.md.swp",
                    "articles/aps.md~",
                    ".hidden/a.md",
                    "../x.md"
                ]
            )
            .is_empty()
        );
        assert_eq!(
            changes_for(dir, EventKind::Remove(RemoveKind::Folder), &[""]),
            [Change::Folder],
            "the folder itself removed"
        );
        assert!(
            changes_for(
                dir,
                EventKind::Create(CreateKind::File),
                &["../content-old/a.md"]
            )
            .is_empty()
        );
    }
}
