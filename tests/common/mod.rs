//! Helpers shared by the integration tests: a `lantern` process isolated from the
//! developer's machine, and throwaway copies of the bundled content to break on purpose.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use lantern::content::{Library, SafetyTexts};

/// Replaces the first `from` in the file at `path` with `to`, as a moderator's save.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The bundled content folder.
pub fn bundled_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

/// Where every test process caches passage vectors, so the suite embeds each content
/// version once rather than once per process.
pub fn vector_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("vector-cache")
}

/// The sentence model, caching into [`vector_cache`].
pub fn embedder() -> lantern::search::Embedder {
    lantern::search::Embedder::new(Some(&vector_cache())).expect("the shipped model loads")
}

/// A test data file under `tests/data`.
pub fn data_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The bundled safety texts, to check replies against what moderators wrote.
pub fn bundled_safety() -> SafetyTexts {
    Library::load(&bundled_content(), &lantern::search::reading)
        .expect("bundled content is valid")
        .safety
}

/// Runs `lantern` in an empty working directory (so no `.env` is picked up) with an
/// empty environment (so no token or setting of the developer's leaks in).
pub struct Lantern {
    workdir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Lantern {
    pub fn new() -> Self {
        Lantern {
            workdir: tempfile::tempdir().expect("temporary directory"),
            env: vec![
                (
                    "LANTERN_DATA_DIR".to_string(),
                    vector_cache().display().to_string(),
                ),
                // Never discord.com: a regression that let `lantern run` past its
                // configuration checks finds a closed port on this machine instead.
                (
                    "DISCORD_API_URL".to_string(),
                    "http://127.0.0.1:9".to_string(),
                ),
            ],
        }
    }

    /// Sets an environment variable for every run.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// The working directory the process runs in.
    pub fn workdir(&self) -> &Path {
        self.workdir.path()
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lantern"));
        command.current_dir(self.workdir.path()).env_clear();
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, b"")
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Run {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("lantern starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin)
            .expect("write stdin");
        Run::from(child.wait_with_output().expect("lantern finishes"))
    }
}

/// What a finished `lantern` process printed.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        let run = Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        assert!(
            !run.stderr.contains("panicked"),
            "lantern panicked:\n{}",
            run.stderr
        );
        run
    }
}

impl Run {
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
            })
            .collect()
    }
}

/// A member's long story of `sentences` calm sentences of loss, each numbered: read whole
/// for an emergency, it keeps Lantern's readers busy for a while.
pub fn long_story(sentences: usize) -> String {
    let told = [
        "We lost our first baby at nine weeks last spring",
        "The scan at eleven weeks showed no heartbeat",
        "My consultant ran the blood tests and one came back positive",
    ];
    (0..sentences)
        .map(|i| format!("{} (week {i}). ", told[i % told.len()]))
        .collect()
}

/// A copy of the bundled content in a temporary folder.
pub fn content_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    copy_dir(&bundled_content(), dir.path());
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// The one bundled article's path inside a content folder.
pub fn article_path(content: &Path) -> PathBuf {
    content.join("articles/lupus-anticoagulant-and-miscarriage.md")
}
