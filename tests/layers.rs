//! The library's modules form one-way layers: each uses only modules below it.
//!
//! This test reads every file under `src/`, places it in a layer by its path, and fails
//! on any `crate::NAME` reference (in `use crate::…`, grouped `use crate::{a, b::c}`,
//! inline paths, or `super::` climbing out of a module) whose module sits higher than
//! the file, or beside it in another module of the same layer (safety and search are
//! peers and must not use each other). Comments are not read: a doc link is no import.
//! The self-tests at the bottom prove the checker would catch an upward import.

use std::fs;
use std::path::{Path, PathBuf};

/// Bottom to top. A module may use modules of lower layers, and itself.
const LAYERS: &[(&str, u8)] = &[
    ("text", 0),
    ("content", 1),
    ("safety", 2),
    ("search", 2),
    ("knowledge", 3),
    ("feedback", 3),
    ("render", 4),
    ("live", 5),
    ("config", 6),
    ("discord", 7),
    // The binary side: `src/main.rs` and the command line it declares.
    ("cli", 7),
];

const LAYER_NAMES: &[&str] = &[
    "text",
    "content",
    "safety/search",
    "knowledge/feedback",
    "render",
    "live",
    "config",
    "discord/cli",
];

fn layer_of(module: &str) -> Option<u8> {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, layer)| *layer)
}

fn describe(layer: u8) -> String {
    format!("layer {layer} ({})", LAYER_NAMES[usize::from(layer)])
}

/// The module path of a file under `src/`: `src/discord/commands/topics.rs` is
/// `["discord", "commands", "topics"]`, `src/live/mod.rs` is `["live"]`. `src/main.rs`
/// belongs with the command line it declares.
fn module_path(relative: &str) -> Vec<String> {
    let path = relative.strip_prefix("src/").unwrap_or(relative);
    let path = path.strip_suffix(".rs").unwrap_or(path);
    let mut parts: Vec<String> = path.split('/').map(str::to_string).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["main"] {
        return vec!["cli".to_string()];
    }
    parts
}

/// `source` with `//` comments (doc comments included) blanked out, keeping line breaks
/// and byte offsets, so prose naming a module is not taken for an import.
fn without_comments(source: &str) -> String {
    source
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => format!("{}{}", &line[..at], " ".repeat(line.len() - at)),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The identifier starting at `at` (after spaces and line breaks), and where it starts.
fn ident_at(code: &str, at: usize) -> Option<(usize, &str)> {
    let rest = &code[at..];
    let start = at + (rest.len() - rest.trim_start().len());
    let len = code[start..]
        .find(|c: char| !is_ident_char(c))
        .unwrap_or(code.len() - start);
    (len > 0).then(|| (start, &code[start..start + len]))
}

/// The first segment of each path in the `{…}` group opening at `open`.
fn group_heads(code: &str, open: usize) -> Vec<(usize, &str)> {
    let mut heads = Vec::new();
    let mut depth = 0usize;
    let mut item_start = open + 1;
    for (offset, c) in code[open..].char_indices() {
        let at = open + offset;
        match c {
            '{' => depth += 1,
            '}' | ',' if depth == 1 => {
                if let Some((start, name)) = ident_at(code, item_start)
                    && start < at
                {
                    heads.push((start, name));
                }
                item_start = at + 1;
                if c == '}' {
                    break;
                }
            }
            '}' => depth -= 1,
            _ => {}
        }
    }
    heads
}

/// Every top-level module the code refers to through `crate::` or `super::`, with the
/// byte offset of the reference.
fn references(code: &str, module: &[String]) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| is_ident_char(c) || c == '$') {
            continue;
        }
        let after = at + "crate::".len();
        let rest = &code[after..];
        let open = after + (rest.len() - rest.trim_start().len());
        if code[open..].starts_with('{') {
            found.extend(
                group_heads(code, open)
                    .into_iter()
                    .filter(|(_, name)| *name != "self")
                    .map(|(start, name)| (start, name.to_string())),
            );
        } else if let Some((_, name)) = ident_at(code, after) {
            found.push((at, name.to_string()));
        }
    }
    // `super::super::x` climbing to the crate root names the top-level module `x`.
    for (at, _) in code.match_indices("super::") {
        if code[..at].chars().next_back().is_some_and(is_ident_char)
            || code[..at].ends_with("super::")
        {
            continue;
        }
        let mut cursor = at;
        let mut climbs = 0;
        while code[cursor..].starts_with("super::") {
            climbs += 1;
            cursor += "super::".len();
        }
        if climbs < module.len() {
            continue; // still inside the file's own top-level module
        }
        if code[cursor..].starts_with('{') {
            found.extend(
                group_heads(code, cursor)
                    .into_iter()
                    .map(|(start, name)| (start, name.to_string())),
            );
        } else if let Some((_, name)) = ident_at(code, cursor) {
            found.push((at, name.to_string()));
        }
    }
    found
}

fn line_of(code: &str, offset: usize) -> usize {
    code[..offset].matches('\n').count() + 1
}

/// Every layering violation in one file, as `file:line: …` messages.
fn violations(relative: &str, source: &str) -> Vec<String> {
    if relative == "src/lib.rs" {
        let declares_cli = without_comments(source).lines().any(|line| {
            let words: Vec<&str> = line
                .split(|c: char| !is_ident_char(c))
                .filter(|w| !w.is_empty())
                .collect();
            words.windows(2).any(|w| w == ["mod", "cli"])
        });
        return if declares_cli {
            vec![format!(
                "{relative}: the library must not declare `cli`: the command line is binary-side (src/main.rs)"
            )]
        } else {
            Vec::new()
        };
    }
    let module = module_path(relative);
    let own = module[0].as_str();
    let Some(file_layer) = layer_of(own) else {
        return vec![format!(
            "{relative}: module `{own}` has no layer: add it to LAYERS in tests/layers.rs and to the README's layout"
        )];
    };
    let code = without_comments(source);
    let mut problems = Vec::new();
    for (offset, name) in references(&code, &module) {
        if name == own {
            continue;
        }
        let line = line_of(&code, offset);
        match layer_of(&name) {
            None => problems.push(format!(
                "{relative}:{line}: uses `crate::{name}`, which has no layer in tests/layers.rs"
            )),
            Some(used) if used > file_layer => problems.push(format!(
                "{relative}:{line}: `{own}` ({}) uses `{name}` ({}), which is above it",
                describe(file_layer),
                describe(used)
            )),
            Some(used) if used == file_layer => problems.push(format!(
                "{relative}:{line}: `{own}` ({}) uses its peer `{name}` ({}): peers must not use each other",
                describe(file_layer),
                describe(used)
            )),
            Some(_) => {}
        }
    }
    problems
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_uses_one_above_it_or_a_peer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(
        files.len() > 10,
        "found only {} files under src/",
        files.len()
    );
    let mut problems = Vec::new();
    for file in &files {
        let relative = file
            .strip_prefix(root)
            .expect("under the crate root")
            .to_string_lossy()
            .replace('\\', "/");
        let source = fs::read_to_string(file).unwrap_or_else(|e| panic!("{relative}: {e}"));
        problems.extend(violations(&relative, &source));
    }
    assert!(
        problems.is_empty(),
        "imports that break the layers (see README, Project layout):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_checker_catches_an_upward_import() {
    let source = "use std::fmt;\nuse crate::search::analysis::analyze;\n";
    let problems = violations("src/content/synonyms.rs", source);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("src/content/synonyms.rs:2:")
            && problems[0].contains("layer 1 (content)")
            && problems[0].contains("layer 2 (safety/search)"),
        "{}",
        problems[0]
    );
}

#[test]
fn the_checker_reads_groups_inline_paths_and_super() {
    let source = "use crate::{\n    text::words,\n    render::{self, render},\n};\n\
                  fn f() {\n    let _ = crate::live::watch::SETTLE;\n}\n\
                  use super::super::discord::rest;\n";
    let problems = violations("src/knowledge/outcome.rs", source);
    let lines: Vec<&str> = problems
        .iter()
        .map(|p| p.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "src/knowledge/outcome.rs:3",
            "src/knowledge/outcome.rs:6",
            "src/knowledge/outcome.rs:8"
        ],
        "{problems:?}"
    );
}

#[test]
fn the_checker_catches_peers_but_not_comments_or_own_module() {
    let peer = violations("src/safety.rs", "use crate::search::SearchIndex;\n");
    assert_eq!(peer.len(), 1, "{peer:?}");
    assert!(peer[0].contains("peer"), "{}", peer[0]);

    let fine = "//! See [`crate::render`].\nuse crate::search::analysis::term;\n\
                use super::wordlists::STOP_WORDS;\npub(crate) fn f() {}\n";
    assert!(violations("src/search/synonyms.rs", fine).is_empty());

    let lib = "pub mod config;\npub mod cli;\n";
    assert_eq!(violations("src/lib.rs", lib).len(), 1);
    assert!(violations("src/lib.rs", "pub mod config;\n").is_empty());
    assert!(violations("src/main.rs", "mod cli;\nuse crate::cli::Cli;\n").is_empty());
}
