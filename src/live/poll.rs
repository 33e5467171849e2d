//! Polling the content folder, for folders whose changes raise no file events (a network
//! share, some container volumes) or that the system's file events cannot follow.
//!
//! notify's own poller compares modification times in whole seconds, so an edit saved
//! within the second it last looked goes unseen; its remedy reads and hashes every file on
//! every look, a content repository's `.git` included. A file's length and its
//! modification time at full precision are enough to see a save, for one `stat` a file.
//! Not everywhere, though: a share may keep times to the second or two, and tools can put
//! an old time back (`cp -p`, `touch -d`). So the status-change time, which no tool can
//! set, is compared too, and a file changed within [`RACY`] of a look is also read and
//! hashed: two same-length saves within one tick of a coarse clock differ in content (as
//! git treats its "racily clean" files).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tokio_util::task::AbortOnDropHandle;

use super::off_the_workers;
use crate::content::is_editor_leftover;

/// What one look at the folder saw, by path.
type Snapshot = BTreeMap<PathBuf, Seen>;

/// How recently a file must have changed for its content to be hashed: longer than the
/// coarsest modification times of common filesystems (FAT's two seconds).
const RACY: Duration = Duration::from_secs(3);

/// What one look saw of one file; compared by [`Seen::same_as`].
#[derive(Debug, Clone)]
struct Seen {
    length: u64,
    modified: Option<SystemTime>,
    /// When the file's data or metadata last changed (`ctime`): set by the system alone.
    status_changed: Option<(i64, i64)>,
    /// Its identity: a save that writes a new file and renames it over the old one changes
    /// it even when the time's tick does not.
    id: FileId,
    /// A hash of its content, when it changed within [`RACY`] of the look.
    content: Option<u64>,
}

impl Seen {
    /// The same file, unchanged: a content hash counts only when both looks took one (a
    /// file growing older than [`RACY`] is not a change).
    fn same_as(&self, other: &Seen) -> bool {
        let content = match (self.content, other.content) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        (self.length, self.modified, self.status_changed, self.id)
            == (other.length, other.modified, other.status_changed, other.id)
            && content
    }
}

/// Whether two looks saw the same files, unchanged.
fn unchanged(before: &Snapshot, now: &Snapshot) -> bool {
    before.len() == now.len()
        && before
            .iter()
            .zip(now)
            .all(|((path_a, a), (path_b, b))| path_a == path_b && a.same_as(b))
}

/// Looks at the folder until dropped.
pub(super) type Poller = AbortOnDropHandle<()>;

/// Looks at `dir` every `interval` and calls `on_change` after each look that differs
/// from the one before (a file saved, added or removed, the folder gone or back).
/// The first look is taken before this returns, so a save made right after is seen.
/// Must be called inside a tokio runtime.
pub(super) fn start(
    dir: PathBuf,
    interval: Duration,
    on_change: impl Fn() + Send + 'static,
) -> Poller {
    let mut last = snapshot(&dir).unwrap_or_default();
    AbortOnDropHandle::new(tokio::spawn(async move {
        loop {
            tokio::time::sleep(interval).await;
            // A folder that cannot be read just now (a share reconnecting) has not
            // changed: taken as empty, it would read as every file deleted.
            let Some(now) = look(&dir).await else {
                continue;
            };
            if !unchanged(&last, &now) {
                on_change();
            }
            last = now;
        }
    }))
}

/// A snapshot taken off the async workers: a slow share must not hold them up.
async fn look(dir: &Path) -> Option<Snapshot> {
    let dir = dir.to_path_buf();
    off_the_workers(move || snapshot(&dir)).await.ok().flatten()
}

/// Every file under `dir`, through links as the loader reads them (a folder reached
/// again through a link is not walked twice), except hidden ones (`.git`, editors' swap
/// files, backups), which Lantern never reads. A missing folder is an empty snapshot; `None` when
/// the folder is there but cannot be read.
fn snapshot(dir: &Path) -> Option<Snapshot> {
    match std::fs::read_dir(dir) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Some(Snapshot::new()),
        Err(_) => return None,
        Ok(_) => {}
    }
    let files = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0 || !is_editor_leftover(&entry.file_name().to_string_lossy())
        })
        .flatten()
        .filter_map(|entry| {
            let metadata = entry.metadata().ok().filter(|m| !m.is_dir())?;
            let modified = metadata.modified().ok();
            // Only while recent: a time in the future (a share whose clock runs ahead) or
            // none at all would have the file read on every look for ever.
            let racy = modified.is_some_and(|time| {
                SystemTime::now()
                    .duration_since(time)
                    .is_ok_and(|age| age < RACY)
            });
            let seen = Seen {
                length: metadata.len(),
                modified,
                status_changed: status_changed(&metadata),
                id: FileId::of(&metadata),
                content: racy.then(|| content_hash(entry.path())).flatten(),
            };
            Some((entry.into_path(), seen))
        })
        .collect();
    Some(files)
}

/// A hash of the file's bytes; `None` when it cannot be read just now.
fn content_hash(path: &Path) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let bytes = std::fs::read(path).ok()?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    Some(hasher.finish())
}

#[cfg(unix)]
fn status_changed(metadata: &std::fs::Metadata) -> Option<(i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    Some((metadata.ctime(), metadata.ctime_nsec()))
}

#[cfg(not(unix))]
fn status_changed(_: &std::fs::Metadata) -> Option<(i64, i64)> {
    None
}

/// Which file (or folder) a path leads to: its device and file number, the same while it
/// is the same file, whatever is written in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FileId {
    device: u64,
    number: u64,
}

impl FileId {
    #[cfg(unix)]
    pub(super) fn of(metadata: &std::fs::Metadata) -> FileId {
        use std::os::unix::fs::MetadataExt;
        FileId {
            device: metadata.dev(),
            number: metadata.ino(),
        }
    }

    /// Elsewhere the identity is not at hand: only lengths, times and presence count.
    #[cfg(not(unix))]
    pub(super) fn of(_: &std::fs::Metadata) -> FileId {
        FileId {
            device: 0,
            number: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recent_file_is_compared_by_content_and_an_old_one_by_its_times() {
        let recent = |content| Seen {
            length: 3,
            modified: None,
            status_changed: None,
            id: FileId::of(&std::fs::metadata(".").unwrap()),
            content,
        };
        assert!(!recent(Some(1)).same_as(&recent(Some(2))));
        assert!(
            recent(Some(1)).same_as(&recent(None)),
            "grown older: no change"
        );
    }

    #[test]
    fn a_save_an_addition_and_a_removal_each_change_the_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let article = dir.path().join("articles").join("a.md");
        std::fs::create_dir_all(article.parent().unwrap()).unwrap();
        std::fs::write(&article, "one").unwrap();
        let first = snapshot(dir.path()).unwrap();
        assert_eq!(first.len(), 1);

        // Same length, and the modification time put back as it was (as `cp -p` or a
        // share with coarse times leaves it): still a change.
        let modified = std::fs::metadata(&article).unwrap().modified().unwrap();
        std::fs::write(&article, "two").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&article)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        let saved = snapshot(dir.path()).unwrap();
        assert!(!unchanged(&first, &saved), "{first:?} {saved:?}");

        std::fs::write(dir.path().join(".article.md.swp"), "x").unwrap();
        std::fs::write(dir.path().join("articles/a.md~"), "x").unwrap();
        assert!(
            unchanged(&saved, &snapshot(dir.path()).unwrap()),
            "hidden and backup files are not looked at"
        );

        // Articles behind a link are read, so they are looked at; a link to a folder
        // above is walked once.
        #[cfg(unix)]
        {
            let elsewhere = tempfile::tempdir().unwrap();
            std::fs::write(elsewhere.path().join("b.md"), "linked").unwrap();
            let link = dir.path().join("articles").join("shared");
            std::os::unix::fs::symlink(elsewhere.path(), &link).unwrap();
            std::os::unix::fs::symlink(dir.path(), dir.path().join("articles/loop")).unwrap();
            let linked = snapshot(dir.path()).unwrap();
            assert!(linked.contains_key(&link.join("b.md")), "{linked:?}");
            std::fs::remove_file(&link).unwrap();
            std::fs::remove_file(dir.path().join("articles/loop")).unwrap();
        }

        std::fs::remove_file(&article).unwrap();
        assert!(snapshot(dir.path()).unwrap().is_empty());
        assert!(snapshot(&dir.path().join("gone")).unwrap().is_empty());
    }
}
