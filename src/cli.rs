//! The `lantern` command line: ask, topics, check, chat, run.
//!
//! Needs no token and no network, so it is what a newcomer runs first and what
//! moderators use to try a change before members see it. It lives on the binary side,
//! so clap is no part of the library's API.

use std::io::{self, BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};

use lantern::config::{self, BotConfig, Config};
use lantern::content::Severity;
use lantern::discord::Signals;
use lantern::feedback::{self, FeedbackCounts};
use lantern::knowledge::evaluation;
use lantern::knowledge::{
    Answer, AnswerRecord, Explanation, Knowledge, LoadError, Outcome, Refusal, Searched,
};
use lantern::live::KnowledgeStore;
use lantern::render;
use lantern::search::Embedder;
use lantern::text::limits;

/// Exit code for bad input or usage: nothing was wrong with Lantern or its content.
const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "lantern",
    version,
    about = "Answers health questions by quoting vetted articles, and says so when it does not know.",
    after_help = "Try: lantern ask \"why would I need heparin?\""
)]
pub struct Cli {
    /// The content folder [default: LANTERN_CONTENT_DIR, or content/]
    #[arg(long, global = true, value_name = "DIR")]
    pub content: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the reply to a question exactly as Discord would show it.
    Ask {
        /// Print one JSON object; with no QUESTION, answer each line of stdin.
        #[arg(long)]
        json: bool,
        /// Also show how the question was read and why the answer was chosen.
        #[arg(long)]
        explain: bool,
        /// The question (quotes optional).
        question: Vec<String>,
    },
    /// List the topics.
    Topics,
    /// Validate the content folder; exits non-zero with file:line errors.
    Check,
    /// Run an evaluation set ({"q", "expect", "urgent"} lines) and print the figures.
    Eval {
        /// The set, one JSON object per line.
        file: PathBuf,
        /// Print the figures and misses as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Print the feedback counts per topic that /gaps shows (from LANTERN_DATA_DIR).
    Stats {
        /// How many weeks back, this one included.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=520))]
        weeks: u32,
    },
    /// Try questions interactively (for moderators).
    Chat,
    /// Start the Discord bot (needs DISCORD_TOKEN).
    Run,
}

impl Cli {
    /// Whether this invocation starts the Discord bot.
    pub fn runs_bot(&self, token_set: bool) -> bool {
        matches!(self.command, Some(Command::Run)) || (self.command.is_none() && token_set)
    }
}

/// Runs the parsed command line. Errors are printed here; the exit code says what kind.
pub fn run(cli: Cli, config: Config) -> ExitCode {
    // The bot's errors can hold a socket's broken pipe too; only a command's output has
    // a reader that may stop early.
    let prints_for_a_reader = !matches!(cli.command, Some(Command::Run) | None);
    let result = match cli.command {
        Some(Command::Ask {
            json,
            explain,
            question,
        }) => ask(&config, json, explain, &question),
        Some(Command::Topics) => topics(&config),
        Some(Command::Check) => check(&config),
        Some(Command::Eval { file, json }) => eval(&config, &file, json),
        Some(Command::Stats { weeks }) => stats(&config, weeks),
        Some(Command::Chat) => chat(&config),
        Some(Command::Run) => run_bot(&config),
        None if config::token_is_set(&config::process_env) => run_bot(&config),
        None => {
            eprintln!(
                "Lantern answers questions from the articles in {}.\n\n\
                 Try:    lantern ask \"why would I need heparin?\"\n\
                 Help:   lantern --help\n\
                 Bot:    set DISCORD_TOKEN (see .env.example), then run `lantern run`",
                config.content_dir.display()
            );
            Ok(ExitCode::from(EXIT_USAGE))
        }
    };
    result.unwrap_or_else(|error| {
        // A reader that stopped early (`lantern topics | head`) is not a failure.
        if prints_for_a_reader && is_broken_pipe(&error) {
            return ExitCode::SUCCESS;
        }
        eprintln!("error: {error:#}");
        ExitCode::FAILURE
    })
}

/// The counts the bot kept, as the table `/gaps` shows. Reads only: never creates the
/// database, so a mistyped data folder is said plainly, not filled with an empty one.
fn stats(config: &Config, weeks: u32) -> anyhow::Result<ExitCode> {
    let recent = feedback::read_recent(&config.data_dir, chrono::Utc::now(), weeks)?;
    let mut out = io::stdout().lock();
    let Some(topics) = recent else {
        writeln!(
            out,
            "No feedback counts yet: {} does not exist. The bot creates it when it first answers on Discord \
             (set LANTERN_DATA_DIR to the folder the bot uses).",
            config.data_dir.join(feedback::FILE_NAME).display()
        )?;
        return Ok(ExitCode::SUCCESS);
    };
    for page in render::render_gaps(&topics, weeks) {
        writeln!(out, "{page}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The sentence model, with vectors cached under `LANTERN_DATA_DIR`: the one place the
/// command line builds it.
fn embedder(config: &Config) -> Result<Embedder, LoadError> {
    Embedder::new(Some(&config.data_dir)).map_err(LoadError::Model)
}

/// Loads the content, printing every problem when it is invalid.
fn load(config: &Config) -> Result<Knowledge, ExitCode> {
    embedder(config)
        .and_then(|embedder| Knowledge::load(&config.content_dir, config.min_confidence, &embedder))
        .map_err(|error| {
            print_load_error(&error);
            ExitCode::FAILURE
        })
}

fn print_load_error(error: &LoadError) {
    eprintln!("error: {error}");
    if matches!(error, LoadError::Content(_)) {
        eprintln!("Fix the files above, then run `lantern check` again.");
    }
}

fn ask(config: &Config, json: bool, explain: bool, words: &[String]) -> anyhow::Result<ExitCode> {
    let question = words.join(" ");
    if words.is_empty() {
        if json {
            let knowledge = match load(config) {
                Ok(knowledge) => knowledge,
                Err(code) => return Ok(code),
            };
            return ask_batch(&knowledge, explain);
        }
        eprintln!(
            "error: give a question, e.g. lantern ask \"why would I need heparin?\" (or --json to answer each line of stdin)"
        );
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let knowledge = match load(config) {
        Ok(knowledge) => knowledge,
        Err(code) => return Ok(code),
    };
    let (answer, search) = knowledge.ask_explained(&question);
    match answer.outcome {
        Outcome::Refused(Refusal::Empty) => {
            eprintln!(
                "error: the question is empty: type a question, e.g. lantern ask \"why would I need heparin?\""
            );
            return Ok(ExitCode::from(EXIT_USAGE));
        }
        Outcome::Refused(Refusal::TooLong { chars }) if !answer.urgency.is_urgent() => {
            eprintln!("{}", too_long(chars));
            return Ok(ExitCode::from(EXIT_USAGE));
        }
        _ => {}
    }
    // Too long to answer is not too long to read for an emergency: the reply with its
    // notice is printed (as text or JSON), as the bot sends it, and then the error.
    let reply = render::render(&answer, &knowledge.library().safety);
    let mut out = io::stdout().lock();
    if json {
        writeln!(
            out,
            "{}",
            json_line(
                &knowledge,
                &question,
                &answer,
                reply,
                explain,
                search.as_ref()
            )?
        )?;
    } else {
        writeln!(out, "{reply}")?;
        if explain && let Some(search) = &search {
            writeln!(
                out,
                "\n{}",
                knowledge.explain(&question, search, EXPLAINED_CANDIDATES)
            )?;
        }
    }
    if let Outcome::Refused(Refusal::TooLong { chars }) = answer.outcome {
        eprintln!("{}", too_long(chars));
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    Ok(ExitCode::SUCCESS)
}

/// The error for a question of `chars` characters, over the limit.
fn too_long(chars: usize) -> String {
    format!(
        "error: the question is {chars} characters long; Lantern reads questions of up to {} characters",
        limits::QUESTION
    )
}

/// How many candidates `--explain` shows a reader.
const EXPLAINED_CANDIDATES: usize = 3;

/// How many `--explain --json` lists: enough for a program fitting the ranking
/// (`benches/fit_confidence.py`) to see where the right passage ranked.
const EXPLAINED_CANDIDATES_JSON: usize = 100;

/// One JSON object per line of stdin, one line out for every line in, so results line
/// up with questions. Lines that are not UTF-8 are answered as far as they can be read,
/// reported on stderr, and make the exit code non-zero.
fn ask_batch(knowledge: &Knowledge, explain: bool) -> anyhow::Result<ExitCode> {
    let stdin = io::stdin().lock();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut bad_lines = 0usize;
    for (index, line) in stdin.split(b'\n').enumerate() {
        let mut bytes = line.context("reading stdin")?;
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        let question = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                bad_lines += 1;
                eprintln!(
                    "error: stdin line {} is not valid UTF-8; answered with the unreadable bytes replaced",
                    index + 1
                );
                String::from_utf8_lossy(error.as_bytes()).into_owned()
            }
        };
        let (answer, search) = knowledge.ask_explained(&question);
        let reply = render::render(&answer, &knowledge.library().safety);
        writeln!(
            out,
            "{}",
            json_line(
                knowledge,
                &question,
                &answer,
                reply,
                explain,
                search.as_ref()
            )?
        )?;
    }
    out.flush()?;
    Ok(if bad_lines == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The JSON of one answer: the documented object (README, "Command line"), keys in its order, plus `explain` when
/// asked for.
fn json_line(
    knowledge: &Knowledge,
    question: &str,
    answer: &Answer,
    reply: String,
    explain: bool,
    search: Option<&Searched>,
) -> serde_json::Result<String> {
    #[derive(serde::Serialize)]
    struct Line {
        #[serde(flatten)]
        record: AnswerRecord,
        #[serde(skip_serializing_if = "Option::is_none")]
        explain: Option<Explanation>,
    }
    serde_json::to_string(&Line {
        record: AnswerRecord::new(answer, reply),
        explain: search
            .filter(|_| explain)
            .map(|s| knowledge.explain(question, s, EXPLAINED_CANDIDATES_JSON)),
    })
}

fn topics(config: &Config) -> anyhow::Result<ExitCode> {
    let knowledge = match load(config) {
        Ok(knowledge) => knowledge,
        Err(code) => return Ok(code),
    };
    let mut out = io::stdout().lock();
    for topic in knowledge.library().topics() {
        writeln!(out, "{}", topic.topic.title)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `lantern eval`: exit 0 with the figures whatever they are (they are information, not a
/// verdict), 1 when the content is invalid, 2 when the set cannot be read.
fn eval(config: &Config, file: &std::path::Path, json: bool) -> anyhow::Result<ExitCode> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", file.display());
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let cases = match evaluation::parse_cases(&text) {
        Ok(cases) => cases,
        Err(errors) => {
            for error in &errors {
                eprintln!("error: {}: {error}", file.display());
            }
            eprintln!("{}", evaluation::CASE_SHAPE);
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    // An empty set would pass CI while measuring nothing.
    if cases.is_empty() {
        eprintln!(
            "error: {} holds no questions; {}",
            file.display(),
            evaluation::CASE_SHAPE
        );
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    for warning in evaluation::unread_keys_warnings(&cases) {
        eprintln!("warning: {}: {warning}", file.display());
    }
    let knowledge = match load(config) {
        Ok(knowledge) => knowledge,
        Err(code) => return Ok(code),
    };
    for warning in evaluation::expectation_warnings(&knowledge, &cases) {
        eprintln!("warning: {}: {warning}", file.display());
    }
    let report = evaluation::evaluate(&knowledge, &cases);
    let mut out = io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string(&report)?)?;
    } else {
        write!(out, "{}: {report}", file.display())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn check(config: &Config) -> anyhow::Result<ExitCode> {
    let dir = config.content_dir.display();
    let embedder = match embedder(config) {
        Ok(embedder) => embedder,
        Err(error) => {
            print_load_error(&error);
            return Ok(ExitCode::FAILURE);
        }
    };
    match Knowledge::load(&config.content_dir, config.min_confidence, &embedder) {
        Ok(knowledge) => {
            let library = knowledge.library();
            let cut = render::passages_cut_in_answers(library, &config.content_dir);
            for warning in library.warnings.iter().chain(&cut) {
                eprintln!("{warning}");
            }
            writeln!(
                io::stdout().lock(),
                "{dir} is valid: {} article(s), {} topics, {} passages, {} synonym groups, {} warning(s)",
                library.articles.len(),
                library.topics().count(),
                library.passage_count(),
                library.synonyms.len(),
                library.warnings.len() + cut.len()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            let problems = error.problems();
            for problem in &problems {
                eprintln!("{problem}");
            }
            let errors = problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .count();
            if problems.is_empty() {
                eprintln!("error: {error}");
            }
            eprintln!(
                "{dir} is not valid: {errors} error(s); the bot keeps serving its previous content until they are fixed"
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The content as a store that reloads, for `chat` and the bot.
fn open_store(config: &Config) -> Result<KnowledgeStore, LoadError> {
    KnowledgeStore::open(
        &config.content_dir,
        config.min_confidence,
        embedder(config)?,
    )
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn chat(config: &Config) -> anyhow::Result<ExitCode> {
    // A store, not a bare `Knowledge`: `:reload` then goes through the bot's own reload.
    let store = match open_store(config) {
        Ok(store) => store,
        Err(error) => {
            print_load_error(&error);
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "Lantern chat: type a question and press Enter. `:reload` re-reads {}, `:quit` leaves.",
        config.content_dir.display()
    )?;
    let mut lines = io::stdin().lock().lines();
    loop {
        write!(out, "\nyou> ")?;
        out.flush()?;
        let Some(line) = lines.next() else { break };
        let line = match line {
            Ok(line) => line,
            // Only a line that is not UTF-8 can be skipped: any other error would come
            // back on every read.
            Err(error) if error.kind() == io::ErrorKind::InvalidData => {
                writeln!(out, "(could not read that line: {error})")?;
                continue;
            }
            Err(error) => return Err(anyhow::Error::new(error).context("cannot read the input")),
        };
        match line.trim() {
            "" => continue,
            ":quit" | ":q" | "quit" | "exit" => break,
            ":reload" => {
                match store.reload() {
                    Ok(changes) => {
                        writeln!(out, "(reloaded: {} passages)", changes.passages)?;
                    }
                    Err(error) => {
                        writeln!(out, "(reload failed; still using the previous content)")?;
                        print_load_error(&error);
                    }
                }
                continue;
            }
            _ => {}
        }
        let knowledge = store.current();
        let answer = knowledge.ask(&line);
        writeln!(
            out,
            "\n{}",
            render::render(&answer, &knowledge.library().safety)
        )?;
        let score = answer
            .score
            .map_or("none".to_string(), |s| format!("{s:.2}"));
        let topic = answer
            .quote()
            .map_or("no answer".to_string(), |q| q.topic.clone());
        writeln!(
            out,
            "\n[{topic} · confidence {score} · threshold {:.2}{}]",
            knowledge.min_confidence(),
            if answer.urgency.is_urgent() {
                " · urgent"
            } else {
                ""
            }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn run_bot(config: &Config) -> anyhow::Result<ExitCode> {
    let bot_config = match BotConfig::load(&config::process_env) {
        Ok(bot_config) => bot_config,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let counts = Arc::new(FeedbackCounts::open(&config.data_dir));
    let stopped = runtime.block_on(async {
        // Listening before the content loads: a first start embeds every passage, which
        // takes minutes for a large library, and a service manager's SIGTERM then must
        // still end the process cleanly.
        let mut signals = Signals::listen();
        let store = match open_store_unless_stopped(config, &mut signals).await {
            Loading::Loaded(store) => Arc::new(store),
            Loading::Failed(error) => {
                print_load_error(&error);
                return Ok(ExitCode::FAILURE);
            }
            Loading::Stopped => {
                tracing::info!("stopped while loading the content");
                return Ok(ExitCode::SUCCESS);
            }
        };
        lantern::discord::run(bot_config, store, Arc::clone(&counts), signals)
            .await
            .map(|()| ExitCode::SUCCESS)
    });
    // What is still running (serenity retrying an unreachable Discord, a DNS lookup on a
    // blocking thread) must not hold the exit: the bot has already said it stopped.
    runtime.shutdown_timeout(Duration::from_secs(1));
    // Counts a write still waiting for the file did not take are written now; a count
    // whose task the shutdown cancelled is lost, as the reply it counted was sent.
    counts.flush();
    stopped
}

/// How loading the content for the bot ended.
enum Loading {
    Loaded(KnowledgeStore),
    Failed(LoadError),
    Stopped,
}

/// Opens the store off the async workers, unless a signal comes first.
async fn open_store_unless_stopped(config: &Config, signals: &mut Signals) -> Loading {
    tracing::info!(folder = %config.content_dir.display(), "loading the content and the sentence model");
    let config = config.clone();
    let opening = tokio::task::spawn_blocking(move || open_store(&config));
    tokio::select! {
        opened = opening => match opened {
            Ok(Ok(store)) => Loading::Loaded(store),
            Ok(Err(error)) => Loading::Failed(error),
            Err(panicked) => std::panic::resume_unwind(panicked.into_panic()),
        },
        () = signals.next() => Loading::Stopped,
    }
}
