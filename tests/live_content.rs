//! Content changed on disk while Lantern runs: the watcher reloads once the writes
//! settle, a bad change never replaces good content, and every change is reported.

mod common;

use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lantern::content::{Changes, ReloadEvent};
use lantern::knowledge::DEFAULT_MIN_CONFIDENCE;
use lantern::live::KnowledgeStore;
use lantern::live::watch;

use common::{article_path, content_copy, edit};

const PATIENCE: Duration = Duration::from_secs(15);

/// A store on a copy of the bundled content, watched, with every reload event recorded.
struct Watched {
    _root: tempfile::TempDir,
    dir: std::path::PathBuf,
    store: Arc<KnowledgeStore>,
    events: Arc<Mutex<Vec<ReloadEvent>>>,
    _watcher: watch::ContentWatcher,
}

impl Watched {
    async fn start() -> Watched {
        Watched::start_with(watch::WatchMode::Events).await
    }

    async fn start_with(mode: watch::WatchMode) -> Watched {
        let content = content_copy();
        let dir = content.path().to_path_buf();
        let store = open(&dir);
        Watched::watch(content, dir, store, mode).await
    }

    /// Watches `store`, loaded from `dir` (inside `root`).
    async fn watch(
        root: tempfile::TempDir,
        dir: std::path::PathBuf,
        store: KnowledgeStore,
        mode: watch::WatchMode,
    ) -> Watched {
        let store = Arc::new(store);
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let watcher = watch::watch(store.clone(), mode, move |event| {
            sink.lock().unwrap().push(event)
        })
        .await
        .unwrap();
        Watched {
            _root: root,
            dir,
            store,
            events,
            _watcher: watcher,
        }
    }

    fn dir(&self) -> &Path {
        &self.dir
    }

    fn event_count(&self) -> usize {
        self.events.lock().unwrap().len()
    }

    /// Waits for the reload event after the first `seen` ones.
    async fn next_event(&self, seen: usize) -> ReloadEvent {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(event) = self.events.lock().unwrap().get(seen) {
                return event.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no reload event within {PATIENCE:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits for a successful reload after the first `seen` events. Rejections before it
    /// are expected when several files change one after another.
    async fn next_reload(&self, seen: usize) -> Changes {
        let mut index = seen;
        loop {
            match self.next_event(index).await {
                ReloadEvent::Reloaded(changes) => return changes,
                ReloadEvent::Rejected(_) => index += 1,
            }
        }
    }

    fn answer(&self, question: &str) -> Option<String> {
        let knowledge = self.store.current();
        knowledge.ask(question).quote().map(|q| q.passage.clone())
    }
}

/// The content in `dir`, loaded as the bot loads it at start.
fn open(dir: &Path) -> KnowledgeStore {
    KnowledgeStore::open(dir, DEFAULT_MIN_CONFIDENCE, common::embedder()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_edit_is_served_after_one_reload() {
    a_saved_edit_is_served(watch::WatchMode::Events).await;
}

/// A folder whose changes raise no file events (a network share) is polled instead.
#[tokio::test(flavor = "multi_thread")]
async fn a_saved_edit_is_served_when_the_folder_is_polled() {
    a_saved_edit_is_served(watch::WatchMode::Poll).await;
}

async fn a_saved_edit_is_served(mode: watch::WatchMode) {
    let watched = Watched::start_with(mode).await;
    // The watch is set up before the edit, so the edit cannot be missed.
    edit(
        &article_path(watched.dir()),
        "Heparin is an injectable blood thinner.",
        "Heparin is an injectable blood thinner (edited).",
    );
    match watched.next_event(0).await {
        ReloadEvent::Reloaded(changes) => {
            assert_eq!(
                changes.topics_edited,
                ["Heparin, an injectable blood thinner"]
            );
        }
        other => panic!("expected a reload, got {other:?}"),
    }
    let passage = watched.answer("is heparin a blood thinner").unwrap();
    assert!(passage.contains("(edited)"), "{passage}");
}

/// The content is loaded before the watch begins: a save made in between (the first load
/// of a large folder takes a while) is served all the same.
#[tokio::test(flavor = "multi_thread")]
async fn an_edit_saved_during_the_first_load_is_served() {
    let content = content_copy();
    let dir = content.path().to_path_buf();
    let store = open(&dir);
    edit(
        &article_path(&dir),
        "Heparin is an injectable blood thinner.",
        "Heparin is an injectable blood thinner (saved while loading).",
    );
    let watched = Watched::watch(content, dir, store, watch::WatchMode::Events).await;
    let changes = watched.next_reload(0).await;
    assert_eq!(
        changes.topics_edited,
        ["Heparin, an injectable blood thinner"]
    );
    let passage = watched.answer("is heparin a blood thinner").unwrap();
    assert!(passage.contains("(saved while loading)"), "{passage}");
}

/// A content repository moved aside and cloned afresh: the folder at the content path is
/// a new one, inside a new parent, and it is the one followed from then on.
#[tokio::test(flavor = "multi_thread")]
async fn a_content_repository_cloned_afresh_is_followed() {
    let root = tempfile::tempdir().unwrap();
    let repository = root.path().join("kb");
    let dir = repository.join("content");
    common::copy_dir(&common::bundled_content(), &dir);
    let store = open(&dir);
    let watched = Watched::watch(root, dir.clone(), store, watch::WatchMode::Events).await;

    let old_repository = repository.with_file_name("kb-old");
    fs::rename(&repository, &old_repository).unwrap();
    common::copy_dir(&old_repository, &repository);
    edit(
        &article_path(&dir),
        "injectable blood thinner.",
        "injectable blood thinner (cloned).",
    );
    wait_for_answer(&watched, "(cloned)").await;

    // The new folder is followed: a later edit arrives too.
    edit(&article_path(&dir), "(cloned).", "(cloned, then edited).");
    wait_for_answer(&watched, "(cloned, then edited)").await;
}

/// Waits until the heparin question is answered with a passage holding `marker`.
async fn wait_for_answer(watched: &Watched, marker: &str) {
    wait_for_answer_to(watched, "is heparin a blood thinner", marker).await;
}

/// Waits until `question` is answered with a passage holding `marker`.
async fn wait_for_answer_to(watched: &Watched, question: &str, marker: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let passage = watched.answer(question).unwrap_or_default();
        if passage.contains(marker) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no passage with {marker:?} within {PATIENCE:?}: {passage}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An article kept elsewhere and linked into the folder (shared between servers, say):
/// file events follow folders, not links, so the watcher polls such a folder, and an
/// edit of the linked file is served. The same once a link is added while running.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn edits_to_linked_articles_are_served() {
    let elsewhere = tempfile::tempdir().unwrap();
    let shared = elsewhere.path().join("shared.md");
    let article = |passage: &str| {
        format!(
            "---\ntitle: Shared\nsource: Lantern tests\nlast_reviewed: 2026-11-30\n---\n\n\
             ## Iron tablets in pregnancy\n\n{passage}\n"
        )
    };
    fs::write(
        &shared,
        article("Iron tablets are often advised when ferritin is low."),
    )
    .unwrap();
    let content = content_copy();
    std::os::unix::fs::symlink(&shared, content.path().join("articles/shared.md")).unwrap();
    let dir = content.path().to_path_buf();
    let store = open(&dir);
    let watched = Watched::watch(content, dir, store, watch::WatchMode::Events).await;
    let iron = "when are iron tablets advised";
    let served = watched.answer(iron).unwrap_or_default();
    assert!(served.contains("ferritin is low"), "{served}");

    fs::write(
        &shared,
        article("Iron tablets are often advised when ferritin is low (edited)."),
    )
    .unwrap();
    wait_for_answer_to(&watched, iron, "(edited)").await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_link_added_while_running_is_followed() {
    let elsewhere = tempfile::tempdir().unwrap();
    let linked = elsewhere.path().join("article.md");
    fs::copy(article_path(&common::bundled_content()), &linked).unwrap();
    edit(
        &linked,
        "Heparin is an injectable blood thinner.",
        "Heparin is an injectable blood thinner (kept elsewhere).",
    );
    let watched = Watched::start().await;
    // The bundled article replaced by a link to a copy of it kept elsewhere.
    let article = article_path(watched.dir());
    fs::remove_file(&article).unwrap();
    std::os::unix::fs::symlink(&linked, &article).unwrap();
    wait_for_answer(&watched, "(kept elsewhere)").await;
    edit(&linked, "(kept elsewhere)", "(edited through the link)");
    wait_for_answer(&watched, "(edited through the link)").await;
}

/// Moderators group articles in subfolders: one created while the bot runs is watched
/// like the rest, and an article saved into it is served.
#[tokio::test(flavor = "multi_thread")]
async fn an_article_saved_in_a_new_subfolder_is_served() {
    let watched = Watched::start().await;
    let folder = watched.dir().join("articles").join("diet");
    fs::create_dir(&folder).unwrap();
    let mut seen = 0;
    fs::write(
        folder.join("iron.md"),
        "---\ntitle: Iron\nsource: Lantern tests\nlast_reviewed: 2026-11-30\n---\n\n\
         ## Foods rich in iron\n\n\
         Red meat, lentils, beans and dark green vegetables such as spinach are rich in iron.\n",
    )
    .unwrap();
    loop {
        let changes = watched.next_reload(seen).await;
        seen = watched.event_count();
        if changes.topics_added == ["Foods rich in iron"] {
            break;
        }
    }
    let passage = watched.answer("which foods are rich in iron?").unwrap();
    assert!(passage.starts_with("Red meat, lentils"), "{passage}");

    // The new folder is watched itself: a later save inside it, which only a watch on
    // that folder reports, is served too.
    edit(
        &folder.join("iron.md"),
        "Red meat, lentils",
        "Red meat, chickpeas, lentils",
    );
    loop {
        let changes = watched.next_reload(seen).await;
        seen = watched.event_count();
        if changes.topics_edited == ["Foods rich in iron"] {
            break;
        }
    }

    // A folder and its article arriving together, as from a `git pull`.
    let seen = watched.event_count();
    let folder = watched.dir().join("articles").join("sleep");
    fs::create_dir(&folder).unwrap();
    fs::write(
        folder.join("rest.md"),
        "---\ntitle: Sleep\nsource: Lantern tests\nlast_reviewed: 2026-11-30\n---\n\n\
         ## Sleeping on your side\n\n\
         From about 28 weeks, going to sleep on your side is safer for the baby than on your back.\n",
    )
    .unwrap();
    let mut seen = seen;
    loop {
        let changes = watched.next_reload(seen).await;
        seen = watched.event_count();
        if changes.topics_added == ["Sleeping on your side"] {
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_fifty_saves_reloads_once_or_twice() {
    let watched = Watched::start().await;
    let article = article_path(watched.dir());
    let original = fs::read_to_string(&article).unwrap();
    for i in 0..50 {
        let text = original.replace(
            "Heparin is an injectable blood thinner.",
            &format!("Heparin is an injectable blood thinner, save {i}."),
        );
        fs::write(&article, text).unwrap();
        std::thread::sleep(Duration::from_millis(3));
    }
    // The last save is what serves, once the burst has been read.
    wait_for_answer(&watched, "save 49.").await;
    // A new article after the burst, as a marker: the watcher reloads and reports in
    // order, so every reload the burst caused is reported before the marker's.
    fs::write(
        watched.dir().join("articles/marker.md"),
        "---\ntitle: Marker\nsource: Lantern tests\nlast_reviewed: 2026-11-30\n---\n\n\
         ## Marker topic\n\nThis article only marks the end of the burst.\n",
    )
    .unwrap();
    let mut reloads = 0;
    loop {
        match watched.next_event(reloads).await {
            ReloadEvent::Reloaded(changes) if changes.topics_added == ["Marker topic"] => break,
            _ => reloads += 1,
        }
    }
    assert!(
        (1..=2).contains(&reloads),
        "{reloads} reloads for one burst of saves"
    );
}

/// One way a moderator's change can go wrong, and how it is put right.
struct Breakage {
    name: &'static str,
    break_it: fn(&Path),
    message: &'static str,
}

fn article(dir: &Path) -> std::path::PathBuf {
    article_path(dir)
}

const BREAKAGES: &[Breakage] = &[
    Breakage {
        name: "half-written file",
        break_it: |dir| {
            fs::write(
                article(dir),
                "---\ntitle: Lupus anticoagulant, heparin and miscarr",
            )
            .unwrap()
        },
        message: "never closed",
    },
    Breakage {
        name: "emptied file",
        break_it: |dir| fs::write(article(dir), "").unwrap(),
        message: "the file is empty",
    },
    Breakage {
        name: "file deleted",
        break_it: |dir| fs::remove_file(article(dir)).unwrap(),
        message: "there are no articles",
    },
    Breakage {
        name: "file renamed away from .md",
        break_it: |dir| fs::rename(article(dir), dir.join("articles/draft.txt")).unwrap(),
        message: "there are no articles",
    },
    Breakage {
        name: "file made unreadable",
        break_it: |dir| {
            // A dangling link cannot be read whoever runs the tests (root reads any mode).
            fs::remove_file(article(dir)).unwrap();
            std::os::unix::fs::symlink(dir.join("nowhere.md"), article(dir)).unwrap();
        },
        message: "which does not exist",
    },
    Breakage {
        name: "file saved in another encoding",
        break_it: |dir| {
            let mut bytes = fs::read(article(dir)).unwrap();
            bytes.extend([b'\n', 0xFF, 0xFE, b'\n']);
            fs::write(article(dir), bytes).unwrap();
        },
        message: "not UTF-8",
    },
    Breakage {
        name: "safety texts broken",
        break_it: |dir| fs::write(dir.join("safety.md"), "## disclaimer\nOnly this.\n").unwrap(),
        message: "is missing",
    },
];

#[tokio::test(flavor = "multi_thread")]
async fn each_kind_of_bad_change_is_rejected_reported_and_harmless() {
    for breakage in BREAKAGES {
        let watched = Watched::start().await;
        let good = fs::read_to_string(article(watched.dir())).unwrap();
        let good_safety = fs::read_to_string(watched.dir().join("safety.md")).unwrap();
        let before = watched.answer("is heparin a blood thinner").unwrap();

        (breakage.break_it)(watched.dir());
        match watched.next_event(0).await {
            ReloadEvent::Rejected(problems) => {
                let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
                assert!(
                    text.iter().any(|t| t.contains(breakage.message)),
                    "{}: {text:#?}",
                    breakage.name
                );
            }
            other => panic!("{}: expected a rejection, got {other:?}", breakage.name),
        }
        assert_eq!(
            watched.answer("is heparin a blood thinner").as_deref(),
            Some(before.as_str()),
            "{}: the previous content keeps serving",
            breakage.name
        );

        // Put it right: restore the files as they were.
        let _ = fs::remove_file(watched.dir().join("articles/draft.txt"));
        let _ = fs::remove_file(article(watched.dir()));
        fs::write(article(watched.dir()), &good).unwrap();
        fs::write(watched.dir().join("safety.md"), &good_safety).unwrap();
        let changes = watched.next_reload(1).await;
        assert!(
            changes.valid_again && changes.topics_edited.is_empty(),
            "{}: the content as before, valid again: {changes:?}",
            breakage.name
        );
        assert_eq!(
            watched.answer("is heparin a blood thinner").as_deref(),
            Some(before.as_str())
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_folder_removed_and_restored() {
    the_folder_removed_and_restored_in(watch::WatchMode::Events).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_folder_removed_and_restored_while_polled() {
    the_folder_removed_and_restored_in(watch::WatchMode::Poll).await;
}

async fn the_folder_removed_and_restored_in(mode: watch::WatchMode) {
    let watched = Watched::start_with(mode).await;
    let backup = tempfile::tempdir().unwrap();
    common::copy_dir(watched.dir(), backup.path());

    fs::remove_dir_all(watched.dir()).unwrap();
    match watched.next_event(0).await {
        ReloadEvent::Rejected(problems) => {
            assert!(
                problems[0].message.contains("does not exist"),
                "{problems:?}"
            );
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert!(
        watched.answer("is heparin a blood thinner").is_some(),
        "still answering"
    );

    common::copy_dir(backup.path(), watched.dir());
    watched.next_reload(1).await;

    // The new folder is watched too: a later edit still arrives.
    edit(
        &article_path(watched.dir()),
        "injectable blood thinner.",
        "injectable blood thinner (restored).",
    );
    wait_for_answer(&watched, "(restored)").await;
}

/// Members see an article's title beside its passages (and in `/about`): an edit of the
/// title alone is a change, reported like any other.
#[tokio::test(flavor = "multi_thread")]
async fn an_edit_of_an_article_title_alone_is_reported() {
    let watched = Watched::start().await;
    edit(
        &article_path(watched.dir()),
        "title: Lupus anticoagulant, heparin and miscarriage",
        "title: Lupus anticoagulant, heparin and pregnancy loss",
    );
    let changes = watched.next_reload(0).await;
    assert!(
        changes
            .topics_edited
            .contains(&"Heparin, an injectable blood thinner".to_string()),
        "{changes:?}"
    );
}
