//! Retrieval benchmark: how long loading (index build) and answering take, on the
//! bundled content and on a generated corpus of 2,000 passages.
//!
//! Run with `cargo bench --bench retrieval` (a release build). The questions are every
//! `q` of `tests/data/eval/dev.jsonl` and `tests/data/eval/member.jsonl`; each is asked
//! many times and every single latency is kept, so p50, p99 and max are over
//! questions x rounds. The targets (p99 under 10 ms on the bundled content, under 20 ms
//! on the generated corpus, one question at a time on one core) are reported, never
//! enforced. Passage vectors are cached under `target/bench-vectors`, so the first run
//! embeds the generated corpus (minutes) and later ones time loading with a warm cache.

mod corpus;

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use lantern::knowledge::{DEFAULT_MIN_CONFIDENCE, Knowledge, Outcome};

/// Passages in the generated corpus (40 articles x 10 topics x 5 passages).
const GENERATED_PASSAGES: usize = 2_000;
const GENERATED_SEED: u64 = 0x1A57_E8B3_2026;

const QUESTION_FILES: &[&str] = &["tests/data/eval/dev.jsonl", "tests/data/eval/member.jsonl"];

/// Rounds over the whole question set before timing starts.
const WARMUP_ROUNDS: usize = 1;

/// How much work one corpus gets: timed rounds stop at `max_rounds`, or once
/// `time_limit` has passed and at least `min_rounds` are done, so a slow machine still
/// finishes in about a minute.
struct Budget {
    load_runs: usize,
    min_rounds: usize,
    max_rounds: usize,
    time_limit: Duration,
}

const BUNDLED_BUDGET: Budget = Budget {
    load_runs: 11,
    min_rounds: 5,
    max_rounds: 200,
    time_limit: Duration::from_secs(20),
};

const GENERATED_BUDGET: Budget = Budget {
    load_runs: 3,
    min_rounds: 3,
    max_rounds: 200,
    time_limit: Duration::from_secs(30),
};

/// The targets for ask p99.
const BUNDLED_P99_TARGET: Duration = Duration::from_millis(10);
const GENERATED_P99_TARGET: Duration = Duration::from_millis(20);

struct Measurement {
    name: &'static str,
    passages: usize,
    load_median: Duration,
    load_runs: usize,
    rounds: usize,
    answered: usize,
    /// Every timed ask, sorted.
    latencies: Vec<Duration>,
}

impl Measurement {
    /// The nearest-rank percentile `p` (0..=100) of the latencies.
    fn percentile(&self, p: f64) -> Duration {
        let n = self.latencies.len();
        let rank = ((p / 100.0) * n as f64).ceil() as usize;
        self.latencies[rank.clamp(1, n) - 1]
    }

    fn max(&self) -> Duration {
        *self.latencies.last().expect("at least one timed ask")
    }
}

fn main() {
    let started = Instant::now();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let questions = load_questions(root);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "retrieval benchmark: {} questions from {}; {cores} cores",
        questions.len(),
        QUESTION_FILES.join(", ")
    );

    let bundled = measure(
        "bundled",
        &corpus::bundled_content_dir(),
        &questions,
        &BUNDLED_BUDGET,
    );

    let folder = tempfile::tempdir().expect("create a temporary folder for the corpus");
    let writing = Instant::now();
    let stats = corpus::write_corpus(folder.path(), GENERATED_PASSAGES, GENERATED_SEED)
        .expect("write the generated corpus");
    println!(
        "generated corpus: {} articles, {} topics, {} passages, {} sentences ({} from the seed article), {} words, {} KiB; written in {:.1} ms to {}",
        stats.articles,
        stats.topics,
        stats.passages,
        stats.sentences,
        stats.seed_sentences,
        stats.words,
        stats.bytes / 1024,
        ms(writing.elapsed()),
        folder.path().display()
    );
    let generated = measure("generated", folder.path(), &questions, &GENERATED_BUDGET);
    assert_eq!(
        generated.passages, stats.passages,
        "the generated corpus loads with every passage it was written with"
    );

    let results = [bundled, generated];
    println!();
    println!(
        "{:<12} {:>8}  {:>11}  {:>8}  {:>8}  {:>8}  {:>8}  {:>8}",
        "corpus", "passages", "load median", "ask p50", "ask p90", "ask p99", "ask max", "answered"
    );
    for m in &results {
        println!(
            "{:<12} {:>8}  {:>8.1} ms  {:>8}  {:>8}  {:>8}  {:>8}  {:>4}/{:<3}",
            m.name,
            m.passages,
            ms(m.load_median),
            micros(m.percentile(50.0)),
            micros(m.percentile(90.0)),
            micros(m.percentile(99.0)),
            micros(m.max()),
            m.answered,
            questions.len()
        );
    }
    println!(
        "({} cores; load median of {} and {} runs; ask over {} questions x {} and {} rounds, {} and {} timed asks)",
        cores,
        results[0].load_runs,
        results[1].load_runs,
        questions.len(),
        results[0].rounds,
        results[1].rounds,
        results[0].latencies.len(),
        results[1].latencies.len()
    );
    println!();
    report_target(&results[0], BUNDLED_P99_TARGET);
    report_target(&results[1], GENERATED_P99_TARGET);
    report_long_messages(&load(&corpus::bundled_content_dir()));
    println!(
        "peak memory (VmHWM) {}",
        peak_memory().unwrap_or_else(|| "unknown".to_string())
    );
    println!("total time {:.1} s", started.elapsed().as_secs_f64());
}

/// Times the safety patterns on the longest message Discord delivers (4,000 characters)
/// made of one matching phrase again and again: each match once read the whole text again,
/// and such a message took two seconds.
fn report_long_messages(knowledge: &Knowledge) {
    const LONGEST_MESSAGE: usize = 4000;
    const RUNS: usize = 9;
    let texts = &knowledge.library().safety;
    println!();
    for unit in ["112 ", "no fever ", "if i start bleeding heavily, "] {
        let message = unit.repeat(LONGEST_MESSAGE / unit.len());
        let (median, slowest) = median_and_slowest(RUNS, || {
            black_box(lantern::safety::read_patterns(texts, black_box(&message)));
        });
        println!(
            "safety patterns on {} characters of {unit:?} repeated: median {median:.1} ms, slowest {slowest:.1} ms ({RUNS} runs)",
            message.len(),
        );
    }
    // The whole answer path on a long story: the safety net reads every sentence (up to
    // 48), so such a post costs a model pass per sentence.
    let sentences = [
        "We lost our first baby at nine weeks last spring",
        "The second time the scan at eleven weeks showed no heartbeat",
        "My consultant ran the blood tests and one came back positive",
        "I have been reading everything I can find at night",
        "My partner is trying to be strong but I can tell he is scared",
        "Work has been understanding about the appointments so far",
    ];
    let story: String = (0..)
        .map(|i| format!("{} (week {i}). ", sentences[i % sentences.len()]))
        .take_while({
            let mut length = 0;
            move |sentence| {
                length += sentence.len();
                length <= LONGEST_MESSAGE
            }
        })
        .collect();
    let count = story.matches(". ").count();
    let (median, slowest) = median_and_slowest(RUNS, || {
        black_box(knowledge.ask(black_box(&story)));
    });
    println!(
        "whole answer to a {}-character story of {count} sentences: median {median:.1} ms, slowest {slowest:.1} ms ({RUNS} runs)",
        story.len(),
    );
}

/// Runs `work` `runs` times; its median and slowest times, in milliseconds.
fn median_and_slowest(runs: usize, mut work: impl FnMut()) -> (f64, f64) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort_unstable();
    (ms(times[runs / 2]), ms(times[runs - 1]))
}

/// Every `q` of the evaluation files, in file order.
fn load_questions(root: &Path) -> Vec<String> {
    let mut questions = Vec::new();
    for file in QUESTION_FILES {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let value: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: not JSON: {e}", path.display(), number + 1));
            let question = value["q"]
                .as_str()
                .unwrap_or_else(|| panic!("{}:{}: no \"q\" string", path.display(), number + 1));
            questions.push(question.to_string());
        }
    }
    assert!(!questions.is_empty(), "no questions in {QUESTION_FILES:?}");
    questions
}

/// Loads `dir` as Lantern does, panicking with every problem if it is invalid.
fn load(dir: &Path) -> Knowledge {
    match Knowledge::load(dir, DEFAULT_MIN_CONFIDENCE, &embedder()) {
        Ok(knowledge) => knowledge,
        Err(error) => {
            let problems: Vec<String> = error.problems().iter().map(|p| p.to_string()).collect();
            panic!(
                "the content in {} does not load: {error}\n{}",
                dir.display(),
                problems.join("\n")
            );
        }
    }
}

fn measure(name: &'static str, dir: &Path, questions: &[String], budget: &Budget) -> Measurement {
    let phase = Instant::now();
    let knowledge = load(dir);
    let passages = knowledge.library().passage_count();
    for warning in &knowledge.library().warnings {
        eprintln!("{name}: warning: {warning}");
    }

    let mut loads: Vec<Duration> = (0..budget.load_runs)
        .map(|_| {
            let start = Instant::now();
            let knowledge = black_box(load(black_box(dir)));
            let elapsed = start.elapsed();
            drop(knowledge);
            elapsed
        })
        .collect();
    loads.sort();
    let load_median = loads[loads.len() / 2];

    let mut answered = 0;
    for round in 0..WARMUP_ROUNDS {
        for question in questions {
            let answer = knowledge.ask(black_box(question));
            if round == 0 && matches!(answer.outcome, Outcome::Answered(_)) {
                answered += 1;
            }
            black_box(answer);
        }
    }

    let mut latencies = Vec::with_capacity(questions.len() * budget.max_rounds);
    let timing = Instant::now();
    let mut rounds = 0;
    while rounds < budget.max_rounds
        && (rounds < budget.min_rounds || timing.elapsed() < budget.time_limit)
    {
        for question in questions {
            let start = Instant::now();
            let answer = knowledge.ask(black_box(question));
            black_box(&answer);
            latencies.push(start.elapsed());
            drop(answer);
        }
        rounds += 1;
    }
    latencies.sort();
    println!(
        "{name}: {passages} passages; load median {:.1} ms over {} runs; {rounds} rounds of {} questions in {:.1} s ({:.1} s in all)",
        ms(load_median),
        budget.load_runs,
        questions.len(),
        timing.elapsed().as_secs_f64(),
        phase.elapsed().as_secs_f64()
    );
    Measurement {
        name,
        passages,
        load_median,
        load_runs: budget.load_runs,
        rounds,
        answered,
        latencies,
    }
}

fn report_target(m: &Measurement, target: Duration) {
    let p99 = m.percentile(99.0);
    if p99 < target {
        println!(
            "target {}: ask p99 under {} µs: met ({} µs, {:.0}% of the target)",
            m.name,
            target.as_micros(),
            p99.as_micros(),
            100.0 * p99.as_secs_f64() / target.as_secs_f64()
        );
    } else {
        println!(
            "target {}: ask p99 under {} µs: MISSED by {} µs ({} µs, {:.1}x the target)",
            m.name,
            target.as_micros(),
            (p99 - target).as_micros(),
            p99.as_micros(),
            p99.as_secs_f64() / target.as_secs_f64()
        );
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn micros(duration: Duration) -> String {
    format!("{} µs", duration.as_micros())
}

/// This process's peak resident memory, as Linux reports it.
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_string())
}

/// The sentence model, with vectors cached under `target/bench-vectors`: embedding 2,000
/// passages takes minutes, and the benchmarks time answering and reloading, not that.
/// One for the whole process, shared by every load, as `lantern run` shares one across
/// reloads: the cache file is read once.
fn embedder() -> lantern::search::Embedder {
    static EMBEDDER: std::sync::OnceLock<lantern::search::Embedder> = std::sync::OnceLock::new();
    EMBEDDER
        .get_or_init(|| {
            lantern::search::Embedder::new(Some(Path::new("target/bench-vectors")))
                .expect("the shipped model loads")
        })
        .clone()
}
