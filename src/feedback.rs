//! What members' questions did, per topic and ISO week, kept so moderators can see which
//! topics need content: answers given, "Helpful" and "Not what I needed" clicks, refusals
//! whose nearest topic it was, urgent notices shown, and topics opened with a "Read"
//! button from a reply that quoted nothing.
//!
//! Only counts are kept: never a question's text, a member's name or id, or a hash of
//! any of them. The key of a count is a topic title (moderators' words) and a week.
//!
//! Counts live in SQLite (`lantern.db` under `LANTERN_DATA_DIR`), in WAL mode with a busy
//! timeout, so several bot processes (shard ranges) can add to one file. Counting must
//! never stop answering: if the file cannot be opened or written, counts are held in
//! memory, one log line says why, and they are written when the file works again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Datelike, Days, Utc};
use rusqlite::{Connection, OpenFlags, params};

/// The database's name inside the data folder.
pub const FILE_NAME: &str = "lantern.db";

/// How long a write waits for another process holding the file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema, one step per migration; `PRAGMA user_version` says how many have run.
/// Append new steps, never edit old ones: existing files run only the steps they lack.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE weekly_counts (
        topic TEXT NOT NULL,
        week TEXT NOT NULL,
        answers INTEGER NOT NULL DEFAULT 0,
        helpful INTEGER NOT NULL DEFAULT 0,
        not_helpful INTEGER NOT NULL DEFAULT 0,
        refusals_nearby INTEGER NOT NULL DEFAULT 0,
        urgent_notices INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (topic, week)
    ) WITHOUT ROWID;",
    "ALTER TABLE weekly_counts ADD COLUMN opened_from_refusals INTEGER NOT NULL DEFAULT 0;",
];

/// What happened, counted against a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// A passage of the topic was quoted.
    Answer,
    /// A member found the topic's answer helpful.
    Helpful,
    /// A member found the topic's answer was not what they needed.
    NotHelpful,
    /// Nothing was quoted, and this topic was the nearest.
    RefusalNearby,
    /// The urgent-care or crisis notice was shown (with this topic nearest).
    UrgentNotice,
    /// A member opened the topic from a reply that quoted nothing (its "Read" button):
    /// the topic may hold what Lantern was unsure of, and an `Also asked:` line in the
    /// members' words would let Lantern quote it next time.
    OpenedFromRefusal,
}

/// The counts of one topic, over one week or several.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub answers: u64,
    pub helpful: u64,
    pub not_helpful: u64,
    pub refusals_nearby: u64,
    pub urgent_notices: u64,
    pub opened_from_refusals: u64,
}

impl Tally {
    fn add(&mut self, count: Count) {
        let field = match count {
            Count::Answer => &mut self.answers,
            Count::Helpful => &mut self.helpful,
            Count::NotHelpful => &mut self.not_helpful,
            Count::RefusalNearby => &mut self.refusals_nearby,
            Count::UrgentNotice => &mut self.urgent_notices,
            Count::OpenedFromRefusal => &mut self.opened_from_refusals,
        };
        *field = field.saturating_add(1);
    }

    // Saturating: the counts come from `lantern.db`, which a person could edit.
    fn merge(&mut self, other: &Tally) {
        self.answers = self.answers.saturating_add(other.answers);
        self.helpful = self.helpful.saturating_add(other.helpful);
        self.not_helpful = self.not_helpful.saturating_add(other.not_helpful);
        self.refusals_nearby = self.refusals_nearby.saturating_add(other.refusals_nearby);
        self.urgent_notices = self.urgent_notices.saturating_add(other.urgent_notices);
        self.opened_from_refusals = self
            .opened_from_refusals
            .saturating_add(other.opened_from_refusals);
    }

    /// Every count together.
    fn total(&self) -> u64 {
        [
            self.answers,
            self.helpful,
            self.not_helpful,
            self.refusals_nearby,
            self.urgent_notices,
            self.opened_from_refusals,
        ]
        .iter()
        .fold(0, |sum, count| sum.saturating_add(*count))
    }

    /// The share of ratings that said "Helpful", if anyone rated.
    pub fn helpful_share(&self) -> Option<f64> {
        let rated = self.helpful.saturating_add(self.not_helpful);
        (rated > 0).then(|| self.helpful as f64 / rated as f64)
    }

    /// How much the topic needs a moderator's attention: members it did not help.
    pub fn need(&self) -> u64 {
        self.not_helpful.saturating_add(self.refusals_nearby)
    }
}

/// One topic's counts over the weeks asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicCounts {
    /// The topic's title; empty when nothing in the content was near.
    pub topic: String,
    pub tally: Tally,
}

/// Why the counts could not be read or kept.
#[derive(Debug, thiserror::Error)]
pub enum CountsError {
    #[error("cannot create the data folder {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    /// SQLite's error is told in the message, not kept as a source: a chain printed whole
    /// would repeat it ("attempt to write a readonly database" three times over).
    #[error("cannot use the counts database {path}: {cause}")]
    Database {
        path: PathBuf,
        cause: rusqlite::Error,
    },
    #[error(
        "the counts database {path} was written by a newer Lantern (schema {found}, this one knows {known}); \
         run the newer version, or move the file away to start counting afresh"
    )]
    Newer {
        path: PathBuf,
        found: i64,
        known: i64,
    },
}

/// The ISO week `at` falls in, as `2026-W49`: weeks start on Monday, as moderators'
/// rotas usually do, and sort as text.
pub fn iso_week(at: DateTime<Utc>) -> String {
    let week = at.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// The `weeks` ISO weeks up to and including the one `now` falls in, newest first.
pub fn recent_weeks(now: DateTime<Utc>, weeks: u32) -> Vec<String> {
    (0..u64::from(weeks))
        .filter_map(|back| now.checked_sub_days(Days::new(7 * back)))
        .map(iso_week)
        .collect()
}

/// The counts database of one data folder, and the counts not yet written to it.
///
/// Counting takes only the `unsaved` lock, which no file access ever holds, and one
/// caller at a time writes: a file that is locked or on a stalled disk keeps one thread
/// waiting, not one per question (those would fill the blocking threads that answering
/// needs too).
pub struct FeedbackCounts {
    path: PathBuf,
    /// Counts not yet in the file, by (topic, week).
    unsaved: Mutex<Unsaved>,
    file: Mutex<File>,
}

type Unsaved = BTreeMap<(String, String), Tally>;

struct File {
    db: Option<Connection>,
    /// Whether the last attempt failed, so the reason is logged once, not per question.
    failing: bool,
}

impl FeedbackCounts {
    /// Opens (creating if needed) `lantern.db` in `data_dir`. Never fails: when the file
    /// cannot be used, counting goes on in memory and one log line says why.
    pub fn open(data_dir: &Path) -> FeedbackCounts {
        let path = data_dir.join(FILE_NAME);
        let db = match open_for_writing(data_dir, &path) {
            Ok(db) => Some(db),
            Err(error) => {
                tracing::error!(%error, "feedback counts are kept in memory only until this is fixed");
                None
            }
        };
        let failing = db.is_none();
        FeedbackCounts {
            path,
            unsaved: Mutex::new(BTreeMap::new()),
            file: Mutex::new(File { db, failing }),
        }
    }

    /// Where the counts are kept.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Counts `count` against `topic` in the week of `at`, and writes what is unsaved.
    pub fn record(&self, topic: &str, count: Count, at: DateTime<Utc>) {
        self.record_all(&[(topic, count)], at);
    }

    /// Counts each of `counts` (topic, what happened) in the week of `at`, all written
    /// in one transaction: one question can be an answer and an urgent notice.
    pub fn record_all(&self, counts: &[(impl AsRef<str>, Count)], at: DateTime<Utc>) {
        let week = iso_week(at);
        {
            let mut unsaved = lock(&self.unsaved);
            for (topic, count) in counts {
                unsaved
                    .entry((topic.as_ref().to_string(), week.clone()))
                    .or_default()
                    .add(*count);
            }
        }
        // Whoever is writing now writes these too, or the next count will.
        if let Ok(mut file) = self.file.try_lock() {
            self.save(&mut file);
        }
    }

    /// Writes every count still unsaved, waiting for the file as long as it takes: at
    /// shutdown, after the last replies. Says in one log line how many could not be.
    pub fn flush(&self) {
        let mut file = lock(&self.file);
        self.save(&mut file);
        let left: u64 = lock(&self.unsaved).values().map(Tally::total).sum();
        if left > 0 {
            tracing::error!(
                path = %self.path.display(),
                counts = left,
                "feedback counts lost at shutdown: the file could not be written"
            );
        }
    }

    /// Every topic's counts over the `weeks` weeks up to `now`: the file's (all
    /// processes') plus this process's unsaved ones.
    pub fn recent(&self, now: DateTime<Utc>, weeks: u32) -> Result<Vec<TopicCounts>, CountsError> {
        let weeks = recent_weeks(now, weeks);
        let mut file = lock(&self.file);
        self.save(&mut file);
        let mut totals = match &file.db {
            Some(db) => read_totals(db, &weeks, MIGRATIONS.len() as i64).map_err(|source| {
                CountsError::Database {
                    path: self.path.clone(),
                    cause: source,
                }
            })?,
            None => BTreeMap::new(),
        };
        for ((topic, week), tally) in lock(&self.unsaved).iter() {
            if weeks.contains(week) {
                totals.entry(topic.clone()).or_default().merge(tally);
            }
        }
        Ok(into_topic_counts(totals))
    }

    /// Writes the unsaved counts, reopening the file if it could not be opened before.
    /// The counts are taken out while the file is written, so counting never waits for
    /// it, and put back if the write fails.
    fn save(&self, file: &mut File) {
        let taken = std::mem::take(&mut *lock(&self.unsaved));
        if taken.is_empty() {
            return;
        }
        if file.db.is_none() {
            let dir = self.path.parent().unwrap_or(Path::new("."));
            file.db = open_for_writing(dir, &self.path).ok();
        }
        let written = match file.db.as_mut() {
            Some(db) => write_counts(db, &taken).map_err(|error| error.to_string()),
            None => Err("the file cannot be opened".to_string()),
        };
        match written {
            Ok(()) => {
                if file.failing {
                    tracing::info!(path = %self.path.display(), "feedback counts are being saved again");
                }
                file.failing = false;
            }
            Err(error) => {
                let mut unsaved = lock(&self.unsaved);
                for (key, tally) in taken {
                    unsaved.entry(key).or_default().merge(&tally);
                }
                if !file.failing {
                    tracing::error!(
                        path = %self.path.display(),
                        %error,
                        "cannot save feedback counts; keeping them in memory and trying again with the next question"
                    );
                }
                file.failing = true;
            }
        }
    }
}

/// Takes `mutex`, through a panic elsewhere: the counts behind it stay consistent, since
/// no code holding it can panic half-way through a change.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Reads the counts of an existing database without creating or changing anything
/// (`lantern stats`). `Ok(None)`: there is no database yet.
pub fn read_recent(
    data_dir: &Path,
    now: DateTime<Utc>,
    weeks: u32,
) -> Result<Option<Vec<TopicCounts>>, CountsError> {
    let path = data_dir.join(FILE_NAME);
    if !path.exists() {
        return Ok(None);
    }
    let database = |source| CountsError::Database {
        path: path.clone(),
        cause: source,
    };
    let (db, version) = match open_to_read(&path, false) {
        Ok(opened) => opened,
        // A database in WAL mode needs its shared-memory file, which a reader who may not
        // write the folder cannot create while the bot is stopped. Read as it lies on
        // disk instead: the bot, stopping, folded its log into the file.
        Err(error) if is_read_only_error(&error) => {
            tracing::warn!(
                "the data folder cannot be written here, so the counts are read as they lie on disk \
                 (the last moments of a bot still running may be missing)"
            );
            open_to_read(&path, true).map_err(database)?
        }
        Err(error) => return Err(database(error)),
    };
    check_version(&path, version)?;
    if version == 0 {
        return Ok(Some(Vec::new()));
    }
    let totals = read_totals(&db, &recent_weeks(now, weeks), version).map_err(database)?;
    Ok(Some(into_topic_counts(totals)))
}

/// Opens the database at `path` to read, and reads its schema version. `as_on_disk`:
/// without the write-ahead log's shared memory (SQLite's `immutable`), for a reader who
/// cannot create it.
fn open_to_read(path: &Path, as_on_disk: bool) -> Result<(Connection, i64), rusqlite::Error> {
    let db = if as_on_disk {
        // Absolute, after "file://": a path of its own starting "//" is no host.
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let uri = format!("file://{}?immutable=1", uri_path(&absolute));
        Connection::open_with_flags(
            uri,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
        )?
    } else {
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?
    };
    db.busy_timeout(BUSY_TIMEOUT)?;
    let version = db.pragma_query_value(None, "user_version", |row| row.get(0))?;
    Ok((db, version))
}

/// Whether SQLite refused because it could not write (the folder, or the shared-memory
/// file beside the database).
fn is_read_only_error(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
    )
}

/// `path` as the path of a `file:` URI: the characters a URI gives a meaning to, and
/// every byte of a letter beyond ASCII, escaped.
fn uri_path(path: &Path) -> String {
    let mut escaped = String::new();
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'%' | b'?' | b'#' | b' ' | 0x80.. => escaped.push_str(&format!("%{byte:02X}")),
            _ => escaped.push(byte as char),
        }
    }
    escaped
}

fn open_for_writing(dir: &Path, path: &Path) -> Result<Connection, CountsError> {
    std::fs::create_dir_all(dir).map_err(|source| CountsError::Folder {
        path: dir.to_path_buf(),
        source,
    })?;
    let database = |source| CountsError::Database {
        path: path.to_path_buf(),
        cause: source,
    };
    let mut db = Connection::open(path).map_err(database)?;
    db.busy_timeout(BUSY_TIMEOUT).map_err(database)?;
    // WAL lets one process write while others read; NORMAL is durable across a crash of
    // the process, which is what counts need.
    db.pragma_update(None, "journal_mode", "WAL")
        .map_err(database)?;
    db.pragma_update(None, "synchronous", "NORMAL")
        .map_err(database)?;
    migrate(&mut db, path)?;
    Ok(db)
}

/// Runs the migrations the file lacks, in one transaction with the version bump, so two
/// processes starting together cannot both run the same step.
fn migrate(db: &mut Connection, path: &Path) -> Result<(), CountsError> {
    let database = |source| CountsError::Database {
        path: path.to_path_buf(),
        cause: source,
    };
    let tx = db
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(database)?;
    let version: i64 = tx
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(database)?;
    check_version(path, version)?;
    for step in &MIGRATIONS[version as usize..] {
        tx.execute_batch(step).map_err(database)?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)
        .map_err(database)?;
    tx.commit().map_err(database)
}

fn check_version(path: &Path, found: i64) -> Result<(), CountsError> {
    let known = MIGRATIONS.len() as i64;
    if !(0..=known).contains(&found) {
        return Err(CountsError::Newer {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    Ok(())
}

fn write_counts(
    db: &mut Connection,
    unsaved: &BTreeMap<(String, String), Tally>,
) -> rusqlite::Result<()> {
    let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut add = tx.prepare_cached(
            "INSERT INTO weekly_counts
                 (topic, week, answers, helpful, not_helpful, refusals_nearby, urgent_notices,
                  opened_from_refusals)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (topic, week) DO UPDATE SET
                 answers = answers + excluded.answers,
                 helpful = helpful + excluded.helpful,
                 not_helpful = not_helpful + excluded.not_helpful,
                 refusals_nearby = refusals_nearby + excluded.refusals_nearby,
                 urgent_notices = urgent_notices + excluded.urgent_notices,
                 opened_from_refusals = opened_from_refusals + excluded.opened_from_refusals",
        )?;
        for ((topic, week), t) in unsaved {
            add.execute(params![
                topic,
                week,
                t.answers as i64,
                t.helpful as i64,
                t.not_helpful as i64,
                t.refusals_nearby as i64,
                t.urgent_notices as i64,
                t.opened_from_refusals as i64,
            ])?;
        }
    }
    tx.commit()
}

/// Every topic's counts over `weeks`, from a database of schema `version`: a file the
/// bot has not migrated yet (`lantern stats` never writes) lacks the later columns,
/// which read as zero.
fn read_totals(
    db: &Connection,
    weeks: &[String],
    version: i64,
) -> rusqlite::Result<BTreeMap<String, Tally>> {
    let mut totals: BTreeMap<String, Tally> = BTreeMap::new();
    let opened = if version >= 2 {
        "opened_from_refusals"
    } else {
        "0"
    };
    let mut rows = db.prepare(&format!(
        "SELECT topic, answers, helpful, not_helpful, refusals_nearby, urgent_notices, {opened}
         FROM weekly_counts WHERE week = ?1"
    ))?;
    for week in weeks {
        let found = rows.query_map([week], |row| {
            let count = |i| row.get::<_, i64>(i).map(|n| n.max(0) as u64);
            Ok((
                row.get::<_, String>(0)?,
                Tally {
                    answers: count(1)?,
                    helpful: count(2)?,
                    not_helpful: count(3)?,
                    refusals_nearby: count(4)?,
                    urgent_notices: count(5)?,
                    opened_from_refusals: count(6)?,
                },
            ))
        })?;
        for row in found {
            let (topic, tally) = row?;
            totals.entry(topic).or_default().merge(&tally);
        }
    }
    Ok(totals)
}

/// Topics sorted by what most needs attention: most members not helped first, then the
/// lowest helpful share, then the most asked.
fn into_topic_counts(totals: BTreeMap<String, Tally>) -> Vec<TopicCounts> {
    let mut topics: Vec<TopicCounts> = totals
        .into_iter()
        .map(|(topic, tally)| TopicCounts { topic, tally })
        .collect();
    topics.sort_by(|a, b| {
        b.tally
            .need()
            .cmp(&a.tally.need())
            .then_with(|| {
                let share = |t: &Tally| t.helpful_share().unwrap_or(1.0);
                share(&a.tally).total_cmp(&share(&b.tally))
            })
            .then_with(|| b.tally.answers.cmp(&a.tally.answers))
            .then_with(|| a.topic.cmp(&b.topic))
    });
    topics
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn weeks_are_iso_weeks_and_cross_the_year() {
        assert_eq!(iso_week(day(2026, 11, 30)), "2026-W49");
        // 1 January 2027 is a Friday: still the last ISO week of 2026.
        assert_eq!(iso_week(day(2027, 1, 1)), "2026-W53");
        assert_eq!(
            recent_weeks(day(2027, 1, 5), 3),
            ["2027-W01", "2026-W53", "2026-W52"]
        );
    }

    #[test]
    fn counts_add_up_per_topic_and_week_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let now = day(2026, 11, 30);
        {
            let counts = FeedbackCounts::open(dir.path());
            counts.record("Heparin", Count::Answer, now);
            counts.record("Heparin", Count::Answer, now);
            counts.record("Heparin", Count::NotHelpful, now);
            counts.record("Grief", Count::RefusalNearby, day(2026, 11, 10));
            // Too old for four weeks.
            counts.record("Grief", Count::RefusalNearby, day(2026, 10, 1));
        }
        let counts = FeedbackCounts::open(dir.path());
        let recent = counts.recent(now, 4).unwrap();
        assert_eq!(recent.len(), 2);
        assert_eq!(recent[0].topic, "Heparin");
        assert_eq!(recent[0].tally.answers, 2);
        assert_eq!(recent[0].tally.not_helpful, 1);
        assert_eq!(recent[1].tally.refusals_nearby, 1);
        // Over ten weeks the older refusal counts too, and puts Grief first.
        let read = read_recent(dir.path(), now, 10).unwrap().unwrap();
        assert_eq!(read[0].topic, "Grief");
        assert_eq!(read[0].tally.refusals_nearby, 2);
    }

    #[test]
    fn an_unusable_folder_keeps_counts_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("a-file");
        std::fs::write(&blocker, "not a folder").unwrap();
        let counts = FeedbackCounts::open(&blocker.join("data"));
        let now = day(2026, 11, 30);
        counts.record("Heparin", Count::Helpful, now);
        let recent = counts.recent(now, 1).unwrap();
        assert_eq!(recent[0].tally.helpful, 1);
        assert!(
            read_recent(&blocker.join("data"), now, 1)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_file_from_before_the_opened_column_keeps_its_counts_and_gains_it() {
        let dir = tempfile::tempdir().unwrap();
        let now = day(2026, 11, 30);
        {
            let db = Connection::open(dir.path().join(FILE_NAME)).unwrap();
            db.execute_batch(MIGRATIONS[0]).unwrap();
            db.pragma_update(None, "user_version", 1).unwrap();
            db.execute(
                "INSERT INTO weekly_counts (topic, week, answers) VALUES ('Heparin', ?1, 3)",
                [iso_week(now)],
            )
            .unwrap();
        }
        // `lantern stats` reads the old file as it is, before the bot migrates it.
        let before = read_recent(dir.path(), now, 1).unwrap().unwrap();
        assert_eq!(before[0].tally.answers, 3);
        assert_eq!(before[0].tally.opened_from_refusals, 0);
        {
            let counts = FeedbackCounts::open(dir.path());
            counts.record("Heparin", Count::OpenedFromRefusal, now);
        }
        let read = read_recent(dir.path(), now, 1).unwrap().unwrap();
        assert_eq!(read[0].tally.answers, 3);
        assert_eq!(read[0].tally.opened_from_refusals, 1);
    }

    /// A file another process holds locked keeps counting in memory: no count waits for
    /// it, and what it missed is written once the file is free, or at the latest by
    /// `flush` at shutdown.
    #[test]
    fn counting_never_waits_for_a_locked_file() {
        let dir = tempfile::tempdir().unwrap();
        let now = day(2026, 11, 30);
        let counts = FeedbackCounts::open(dir.path());
        let other = Connection::open(dir.path().join(FILE_NAME)).unwrap();
        other.execute_batch("BEGIN EXCLUSIVE;").unwrap();
        // One count waits for the file (the busy timeout) on another thread...
        let counts = std::sync::Arc::new(counts);
        let writer = {
            let counts = std::sync::Arc::clone(&counts);
            std::thread::spawn(move || counts.record("Heparin", Count::Answer, now))
        };
        while counts.file.try_lock().is_ok() {
            std::thread::yield_now();
        }
        // ...and the rest do not wait behind it: they are all counted while it still
        // waits (the file stays locked until after them).
        for _ in 0..50 {
            counts.record("Heparin", Count::Helpful, now);
        }
        assert!(!writer.is_finished(), "the counts waited for the file");
        other.execute_batch("COMMIT;").unwrap();
        writer.join().unwrap();
        counts.flush();
        let read = read_recent(dir.path(), now, 1).unwrap().unwrap();
        assert_eq!(read[0].tally.answers, 1);
        assert_eq!(read[0].tally.helpful, 50);
    }

    #[test]
    fn a_newer_schema_is_refused_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let db = Connection::open(dir.path().join(FILE_NAME)).unwrap();
        db.pragma_update(None, "user_version", 99).unwrap();
        drop(db);
        let error = read_recent(dir.path(), day(2026, 11, 30), 4).unwrap_err();
        assert!(error.to_string().contains("newer Lantern"), "{error}");
    }

    #[test]
    fn topics_needing_attention_come_first() {
        let mut totals = BTreeMap::new();
        let tally = |answers, helpful, not_helpful, refusals_nearby| Tally {
            answers,
            helpful,
            not_helpful,
            refusals_nearby,
            urgent_notices: 0,
            opened_from_refusals: 0,
        };
        totals.insert("Well liked".to_string(), tally(50, 20, 0, 0));
        totals.insert("Often missed".to_string(), tally(2, 0, 0, 9));
        totals.insert("Mixed".to_string(), tally(10, 1, 3, 0));
        let order: Vec<String> = into_topic_counts(totals)
            .into_iter()
            .map(|t| t.topic)
            .collect();
        assert_eq!(order, ["Often missed", "Mixed", "Well liked"]);
    }
}
