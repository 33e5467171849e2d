//! What is wrong with the content, said so a moderator can find and fix it.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// Whether a problem stops the content from loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The content is served anyway; a moderator should look.
    Warning,
    /// The content cannot be served: the previous content keeps serving.
    Error,
}

/// One finding of the content validator, with the file and line it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub path: PathBuf,
    pub line: Option<usize>,
    /// What is wrong and how to fix it, in plain words.
    pub message: String,
}

impl Problem {
    pub fn error(path: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    pub fn warning(path: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(path, line, message)
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match self.line {
            Some(line) => write!(
                f,
                "{}:{line}: {severity}: {}",
                self.path.display(),
                self.message
            ),
            None => write!(f, "{}: {severity}: {}", self.path.display(), self.message),
        }
    }
}

/// How many of `problems` are errors: a reader compares the count before and after its
/// file to know whether the file failed, since warnings do not fail it.
pub fn error_count(problems: &[Problem]) -> usize {
    problems.iter().filter(|p| p.is_error()).count()
}

/// The content could not be loaded; every problem found is listed, not just the first,
/// so one round of fixes is enough.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ContentError {
    pub problems: Vec<Problem>,
}

impl ContentError {
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_error())
    }
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.errors().count();
        let noun = if count == 1 { "error" } else { "errors" };
        write!(
            f,
            "the content has {count} {noun}; nothing was loaded from it"
        )?;
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}
