//! Live-content benchmark: how long a saved file takes to reach answers, and what a
//! reload costs.
//!
//! Run with `cargo bench --bench reload` (a release build). Two figures:
//!
//! - **save to answer**: a passage is edited on disk while the watcher runs; the clock
//!   stops at the first answer that quotes the new text. It includes the settle delay the
//!   watcher waits for editors to finish saving. Target: under one second.
//! - **reload**: `KnowledgeStore::reload` (read, validate, index, swap) on the bundled
//!   content and on a generated corpus of 2,000 passages.
//!
//! Figures are medians (and the slowest run) over several runs; nothing is enforced.

mod corpus;

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lantern::knowledge::DEFAULT_MIN_CONFIDENCE;
use lantern::live::KnowledgeStore;
use lantern::live::watch;

const SAVE_RUNS: usize = 15;
const RELOAD_RUNS: usize = 9;
const TARGET: Duration = Duration::from_secs(1);

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");

    let bundled = tempfile::tempdir().expect("temporary folder");
    common::copy_dir(&corpus::bundled_content_dir(), bundled.path());
    let generated = tempfile::tempdir().expect("temporary folder");
    let stats =
        corpus::write_corpus(generated.path(), 2_000, 0x1A57_E8B3_2026).expect("generated corpus");

    println!("content    passages  save→answer median  slowest   reload median  slowest");
    for (name, dir) in [("bundled", bundled.path()), ("generated", generated.path())] {
        let store = Arc::new(
            KnowledgeStore::open(dir, DEFAULT_MIN_CONFIDENCE, embedder()).expect("valid content"),
        );
        let passages = store.current().library().passage_count();
        let reloads = time_reloads(&store);
        let saves = runtime.block_on(time_saves(store.clone(), dir));
        println!(
            "{name:<10} {passages:>8}  {:>18}  {:>7}   {:>13}  {:>7}",
            format_ms(median(&saves)),
            format_ms(*saves.iter().max().unwrap()),
            format_ms(median(&reloads)),
            format_ms(*reloads.iter().max().unwrap()),
        );
        let met = if median(&saves) < TARGET && *saves.iter().max().unwrap() < TARGET {
            "met"
        } else {
            "MISSED"
        };
        println!(
            "           target save→answer under 1 s including the {} ms settle delay: {met}",
            watch::SETTLE.as_millis()
        );
    }
    println!(
        "(generated: {} articles, {} topics, {} passages; {SAVE_RUNS} saves, {RELOAD_RUNS} reloads each; {} cores)",
        stats.articles,
        stats.topics,
        stats.passages,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
}

/// Times `reload` on unchanged files: the cost of reading, validating, indexing, swapping.
fn time_reloads(store: &KnowledgeStore) -> Vec<Duration> {
    (0..RELOAD_RUNS)
        .map(|_| {
            let started = Instant::now();
            store.reload().expect("the content stays valid");
            started.elapsed()
        })
        .collect()
}

/// Edits the first passage of the first article and waits until the served content has it.
async fn time_saves(store: Arc<KnowledgeStore>, dir: &Path) -> Vec<Duration> {
    let _watcher = watch::watch(store.clone(), watch::WatchMode::Events, |_| {})
        .await
        .expect("watching the folder");
    let article = first_article(dir);
    let original = std::fs::read_to_string(&article).expect("the article");
    let (_topic, passage) = first_passage(&original);
    let mut times = Vec::new();
    for run in 0..SAVE_RUNS {
        // Let the previous reload settle before the next save.
        tokio::time::sleep(watch::SETTLE * 2).await;
        let marker = format!("edition{run}x");
        let edited_passage = format!("{passage} {marker}");
        let edited = original.replacen(&passage, &edited_passage, 1);
        let started = Instant::now();
        std::fs::write(&article, edited).expect("saving the article");
        loop {
            // Served: the passage members would be quoted now holds the edit. (Whether a
            // given question quotes it depends on retrieval, which is not timed here.)
            let knowledge = store.current();
            if knowledge
                .library()
                .topics()
                .flat_map(|topic| &topic.topic.passages)
                .any(|p| p.text.contains(&marker))
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the edit never arrived"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        times.push(started.elapsed());
    }
    std::fs::write(&article, original).expect("restoring the article");
    times
}

fn first_article(dir: &Path) -> std::path::PathBuf {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("articles"))
        .expect("articles folder")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files.remove(0)
}

/// The first topic's title and its first passage line.
fn first_passage(article: &str) -> (String, String) {
    let mut lines = article.lines().skip_while(|l| !l.starts_with("## "));
    let title = lines
        .next()
        .expect("a topic")
        .trim_start_matches("## ")
        .to_string();
    let passage = lines
        .find(|l| {
            let line = l.trim();
            !line.is_empty()
                && !line.starts_with("<!--")
                && !line.starts_with(lantern::content::ALSO_ASKED)
        })
        .expect("a passage")
        .to_string();
    (title, passage)
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn format_ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// The sentence model, with vectors cached under `target/bench-vectors`: embedding 2,000
/// passages takes minutes, and the benchmarks time answering and reloading, not that.
fn embedder() -> lantern::search::Embedder {
    lantern::search::Embedder::new(Some(Path::new("target/bench-vectors")))
        .expect("the shipped model loads")
}
