//! Hostile content files: each gives either a clear validation error naming the file
//! (and line, where there is one) or a correct index, quickly and without reading
//! absurd amounts into memory.
//!
//! Moderators are not programmers: they paste exports, save in the wrong encoding, drop
//! an image into the articles folder, or generate thousands of topics with a script. The
//! bot reloads on every save, so a bad file must be rejected with a message that says
//! where and why, and a merely large one must still load and answer. Each case builds its
//! own content folder, with the bundled safety texts and synonyms.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use lantern::content::{ContentError, Library, MAX_FILE_BYTES, Problem};
use lantern::knowledge::{DEFAULT_MIN_CONFIDENCE, Knowledge};
use lantern::render;
use lantern::search;
use lantern::text::limits::MESSAGE_CONTENT;

const FRONT_MATTER: &str =
    "---\ntitle: Test article\nsource: The test suite\nlast_reviewed: 2026-01-31\n---\n";

/// A content folder with the bundled safety texts and synonyms and no articles yet.
fn content_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("articles")).unwrap();
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    for name in ["safety.md", "synonyms.txt"] {
        fs::copy(bundled.join(name), dir.path().join(name)).unwrap();
    }
    dir
}

fn article_path(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join("articles").join(name)
}

/// The folder's content must be rejected: its problems, and the errors among them.
fn load_errors(dir: &tempfile::TempDir) -> Vec<Problem> {
    match Library::load(dir.path(), &search::reading) {
        Ok(library) => panic!(
            "the content loaded, with {} topics; it should have been rejected",
            library.topics().count()
        ),
        Err(ContentError { problems }) => problems.into_iter().filter(Problem::is_error).collect(),
    }
}

/// The one error about `file`, checked to name it (in its path and its message line).
fn error_about<'a>(errors: &'a [Problem], file: &Path) -> &'a Problem {
    let about: Vec<&Problem> = errors.iter().filter(|p| p.path == file).collect();
    assert_eq!(
        about.len(),
        1,
        "expected one error about {}, got {errors:#?}",
        file.display()
    );
    let shown = about[0].to_string();
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(shown.contains(name), "{shown:?} does not name {name}");
    about[0]
}

fn load(dir: &tempfile::TempDir) -> Library {
    Library::load(dir.path(), &search::reading).unwrap_or_else(|error| panic!("{error}"))
}

/// Pseudo-words for generated content, unique per number: letters only, without i, o
/// and y so they never spell an advert, and at least six letters so no spelling
/// correction maps one onto another.
fn token(mut n: usize) -> String {
    const LETTERS: &[u8] = b"bcdfghjklmnpqrstvwxz";
    let mut word = String::from("zu");
    for _ in 0..4 {
        word.push(LETTERS[n % LETTERS.len()] as char);
        n /= LETTERS.len();
        word.push(['a', 'e', 'u'][n % 3]);
    }
    word
}

/// A file larger than the cap is refused from its size alone, with a hint to split it.
/// Written in 1 MB chunks of valid article text, so only the size check can reject it.
#[test]
fn a_file_over_the_size_cap_is_refused_with_a_hint_to_split_it() {
    let dir = content_folder();
    let path = article_path(&dir, "huge.md");
    let mut file = File::create(&path).unwrap();
    file.write_all(FRONT_MATTER.as_bytes()).unwrap();
    file.write_all(b"\n## A very large topic\n\n").unwrap();
    let paragraph = format!("{}.\n\n", vec!["Words of a long paragraph"; 40].join(", "));
    let chunk = paragraph.repeat(1024 * 1024 / paragraph.len());
    let mut written = 0u64;
    while written <= 5 * 1024 * 1024 {
        file.write_all(chunk.as_bytes()).unwrap();
        written += chunk.len() as u64;
    }
    drop(file);
    assert!(fs::metadata(&path).unwrap().len() > MAX_FILE_BYTES);

    let errors = load_errors(&dir);
    let problem = error_about(&errors, &path);
    assert!(problem.message.contains("split it"), "{problem}");
}

/// A sparse file of 64 GB: if it were read, the test would run out of memory or time.
/// The size check must come before any read.
#[test]
fn a_huge_sparse_file_is_refused_without_being_read() {
    let dir = content_folder();
    let path = article_path(&dir, "sparse.md");
    let file = File::create(&path).unwrap();
    file.set_len(64 * 1024 * 1024 * 1024).unwrap();
    drop(file);

    let errors = load_errors(&dir);
    let problem = error_about(&errors, &path);
    assert!(problem.message.contains("split it"), "{problem}");
}

/// Random bytes with a NUL among them, named `.md`: a binary file, with its line.
#[test]
fn random_bytes_named_md_are_refused_as_binary() {
    let dir = content_folder();
    let path = article_path(&dir, "noise.md");
    // A fixed xorshift sequence: the same "random" file every run.
    let mut state: u32 = 0x9E37_79B9;
    let mut bytes: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect();
    bytes[4096] = 0;
    fs::write(&path, &bytes).unwrap();

    let errors = load_errors(&dir);
    let problem = error_about(&errors, &path);
    assert!(
        problem.message.contains("binary") || problem.message.contains("not UTF-8"),
        "{problem}"
    );
    assert!(problem.line.is_some(), "{problem}");
}

/// A PNG image renamed `.md` is a binary file. Its signature `\x89PNG\r\n\x1a\n` holds two
/// line feeds, so its first NUL is on line 3.
#[test]
fn a_png_renamed_md_is_refused_as_binary_with_its_line() {
    let dir = content_folder();
    let path = article_path(&dir, "photo.md");
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0".to_vec();
    png.extend(std::iter::repeat_n(0xAB, 4096));
    fs::write(&path, &png).unwrap();

    let errors = load_errors(&dir);
    let problem = error_about(&errors, &path);
    assert!(problem.message.contains("binary"), "{problem}");
    assert_eq!(problem.line, Some(3), "{problem}");
}

/// Latin-1 text (no NUL, invalid UTF-8) is refused as not UTF-8, at the line of the
/// first bad byte, and another valid article does not hide the error.
#[test]
fn latin1_text_is_refused_as_not_utf8_at_its_line() {
    let dir = content_folder();
    fs::write(
        article_path(&dir, "good.md"),
        format!("{FRONT_MATTER}\n## Fine\n\nA fine passage.\n"),
    )
    .unwrap();
    let path = article_path(&dir, "latin1.md");
    let mut bytes = format!("{FRONT_MATTER}\n## Caf").into_bytes();
    bytes.extend(b"\xe9\n\nA passage.\n");
    fs::write(&path, &bytes).unwrap();

    let errors = load_errors(&dir);
    let problem = error_about(&errors, &path);
    assert!(problem.message.contains("not UTF-8"), "{problem}");
    assert_eq!(problem.line, Some(7), "{problem}");
}

/// Files a text editor or a careless copy leaves that are not text Lantern can read are
/// refused, each with what to do: a named pipe (which would never finish reading and
/// hold every later reload), a link to nothing, a file saved as UTF-16, one holding only
/// a byte order mark, and a folder where `synonyms.txt` should be.
#[test]
fn files_that_are_not_readable_text_are_refused_with_the_fix() {
    let dir = content_folder();
    let pipe = article_path(&dir, "pipe.md");
    let made = Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let folder = dir.path().join("synonyms.txt");
    fs::remove_file(&folder).unwrap();
    fs::create_dir(&folder).unwrap();
    let dangling = article_path(&dir, "moved.md");
    std::os::unix::fs::symlink(dir.path().join("nowhere.md"), &dangling).unwrap();
    let utf16 = article_path(&dir, "notepad.md");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(FRONT_MATTER.encode_utf16().flat_map(u16::to_le_bytes));
    fs::write(&utf16, bytes).unwrap();
    let bom_only = article_path(&dir, "bom.md");
    fs::write(&bom_only, "\u{feff}\n").unwrap();
    let looped = article_path(&dir, "self.md");
    std::os::unix::fs::symlink(&looped, &looped).unwrap();

    let errors = load_errors(&dir);
    for (path, says) in [
        (&pipe, "not an ordinary file"),
        (&folder, "this is a folder"),
        (&dangling, "which does not exist"),
        (&utf16, "save it again as UTF-8"),
        (&bom_only, "the file is empty"),
        (&looped, "never reaches a file"),
    ] {
        let problem = error_about(&errors, path);
        assert!(problem.message.contains(says), "{problem}");
    }
}

/// An article saved with old Mac line endings (a lone carriage return) is read line by
/// line: as one line it had no front matter and no headings.
#[test]
fn an_article_with_carriage_returns_alone_is_read() {
    let dir = content_folder();
    let text = format!("{FRONT_MATTER}\n## Fine\n\nA fine passage.\n").replace('\n', "\r");
    fs::write(article_path(&dir, "mac.md"), text).unwrap();
    let library = load(&dir);
    let titles: Vec<&str> = library.topics().map(|t| t.topic.title.as_str()).collect();
    assert!(titles.contains(&"Fine"), "{titles:?}");
}

/// Lines pasted with lone carriage returns into a file of ordinary line ends end where
/// an editor shows them end: read as one line, a heading took the lines below it, its
/// `Also asked` phrases and passage, as its title.
#[test]
fn carriage_returns_pasted_into_an_article_end_their_lines() {
    let dir = content_folder();
    let text = format!(
        "{FRONT_MATTER}\n## Coping\rAlso asked: grief help\r\rGrief text pasted.\r\n\n## Fine\n\nA fine passage.\n"
    );
    fs::write(article_path(&dir, "pasted.md"), text).unwrap();
    let library = load(&dir);
    let titles: Vec<&str> = library.topics().map(|t| t.topic.title.as_str()).collect();
    assert_eq!(titles, ["Coping", "Fine"]);
}

/// A `synonyms.txt` that is a link to nothing is named as broken, not taken for a
/// folder without synonyms (which only warns).
#[test]
fn a_synonyms_link_to_nothing_is_an_error() {
    let dir = content_folder();
    fs::write(
        article_path(&dir, "a.md"),
        format!("{FRONT_MATTER}\n## Fine\n\nA fine passage.\n"),
    )
    .unwrap();
    let synonyms = dir.path().join("synonyms.txt");
    fs::remove_file(&synonyms).unwrap();
    std::os::unix::fs::symlink(dir.path().join("gone.txt"), &synonyms).unwrap();
    let errors = load_errors(&dir);
    let problem = error_about(&errors, &synonyms);
    assert!(
        problem.message.contains("which does not exist"),
        "{problem}"
    );
}

/// Titles are one title whatever their case, in any script, and however many spaces or
/// bold marks they are written with: members pick topics by title.
#[test]
fn titles_differing_only_in_case_spacing_or_bold_are_one_title() {
    let dir = content_folder();
    fs::write(
        article_path(&dir, "a.md"),
        format!("{FRONT_MATTER}\n## Früh erkannt\n\nOne.\n"),
    )
    .unwrap();
    let second = article_path(&dir, "b.md");
    fs::write(
        &second,
        format!("{FRONT_MATTER}\n## **FRÜH  erkannt**\n\nTwo.\n"),
    )
    .unwrap();
    let errors = load_errors(&dir);
    let problem = error_about(&errors, &second);
    assert!(problem.message.contains("already exists"), "{problem}");

    fs::remove_file(&second).unwrap();
    let library = load(&dir);
    let found = library.topic("FRÜH ERKANNT").expect("found ignoring case");
    assert_eq!(found.topic.title, "Früh erkannt");
}

/// A binary `synonyms.txt` is named as the broken file too, not only articles.
#[test]
fn a_binary_synonyms_file_is_refused_and_named() {
    let dir = content_folder();
    fs::write(
        article_path(&dir, "good.md"),
        format!("{FRONT_MATTER}\n## Fine\n\nA fine passage.\n"),
    )
    .unwrap();
    let path = dir.path().join("synonyms.txt");
    fs::write(&path, b"heparin = lovenox\n\0\0\0").unwrap();

    let errors = load_errors(&dir);
    let problem = error_about(&errors, &path);
    assert!(problem.message.contains("binary"), "{problem}");
    assert_eq!(problem.line, Some(2), "{problem}");
}

/// A list indented 1,000 levels deep loads as one passage holding every line's text in
/// order, and its answer still fits one message.
#[test]
fn a_list_nested_a_thousand_levels_deep_loads_verbatim() {
    let dir = content_folder();
    let mut body = String::from("The nested items are:\n");
    for level in 0..1000 {
        body.push_str(&"  ".repeat(level));
        body.push_str(&format!("- item {} at level {level}\n", token(level)));
    }
    let text = format!("{FRONT_MATTER}\n## Nested lists\n\n{body}");
    fs::write(article_path(&dir, "nested.md"), &text).unwrap();

    let library = load(&dir);
    let topic = library.topic("Nested lists").expect("the topic loads");
    assert_eq!(topic.topic.passages.len(), 1);
    let passage = &topic.topic.passages[0].text;
    // Lines may be joined (deep indentation continues an item), never rewritten.
    let written: Vec<&str> = body.split_whitespace().collect();
    let loaded: Vec<&str> = passage.split_whitespace().collect();
    assert_eq!(loaded, written);
    let mut from = 0;
    for line in body.lines().map(str::trim) {
        let at = passage[from..]
            .find(line)
            .unwrap_or_else(|| panic!("{line:?} is not in the passage in order"));
        from += at + line.len();
    }

    let knowledge = Knowledge::from_library(
        library,
        DEFAULT_MIN_CONFIDENCE,
        &lantern::search::Embedder::new(None).expect("the shipped model loads"),
    )
    .unwrap();
    // Not "what is ...": the list names its words without defining any of them.
    let answer = knowledge.ask(&format!("tell me about {}", token(500)));
    let reply = render::render(&answer, &knowledge.library().safety);
    assert!(reply.chars().count() <= MESSAGE_CONTENT);
    assert_eq!(
        answer.quote().map(|q| q.topic.as_str()),
        Some("Nested lists")
    );
}

/// 5,000 topics in one file all load, and a question whose words belong to one of them
/// gets that topic's passage.
#[test]
fn five_thousand_topics_load_and_each_can_be_found() {
    let dir = content_folder();
    let mut text = String::from(FRONT_MATTER);
    for n in 0..5000 {
        text.push_str(&format!(
            "\n## Topic {n} about {}\n\nThe passage of topic {n} explains {} and {}.\n",
            token(n),
            token(n),
            token(n + 5000)
        ));
    }
    fs::write(article_path(&dir, "many.md"), &text).unwrap();

    let library = load(&dir);
    assert_eq!(library.topics().count(), 5000);
    let knowledge = Knowledge::from_library(
        library,
        DEFAULT_MIN_CONFIDENCE,
        &lantern::search::Embedder::new(None).expect("the shipped model loads"),
    )
    .unwrap();
    for n in [0, 1234, 4999] {
        let question = format!("what about {} and {}?", token(n), token(n + 5000));
        let answer = knowledge.ask(&question);
        let quote = answer
            .quote()
            .unwrap_or_else(|| panic!("{question:?} was not answered: {answer:?}"));
        assert_eq!(quote.topic, format!("Topic {n} about {}", token(n)));
        assert!(
            render::render(&answer, &knowledge.library().safety)
                .chars()
                .count()
                <= MESSAGE_CONTENT
        );
    }
}

/// 5,000 topics with the same title (in any letter case): one error per repeat, each at
/// the repeat's own line and pointing back to the first.
#[test]
fn five_thousand_duplicate_titles_give_one_error_each_with_file_and_line() {
    let dir = content_folder();
    let path = article_path(&dir, "duplicates.md");
    let mut text = String::from(FRONT_MATTER);
    let mut heading_lines = Vec::new();
    for n in 0..5000 {
        let title = if n % 2 == 0 {
            "Same title"
        } else {
            "SAME Title"
        };
        // Front matter is 5 lines; each topic adds a blank line, the heading, a blank
        // line and its passage.
        heading_lines.push(5 + 4 * n + 2);
        text.push_str(&format!("\n## {title}\n\nPassage number {n}.\n"));
    }
    fs::write(&path, &text).unwrap();

    let errors = load_errors(&dir);
    assert_eq!(errors.len(), 4999, "one error per repeated title");
    for (problem, line) in errors.iter().zip(&heading_lines[1..]) {
        assert_eq!(problem.path, path);
        assert_eq!(problem.line, Some(*line), "{problem}");
        let shown = problem.to_string();
        assert!(
            shown.starts_with(&format!("{}:{line}: error:", path.display())),
            "{shown}"
        );
        assert!(
            shown.contains(&format!("duplicates.md:{})", heading_lines[0])),
            "{shown}"
        );
    }
}

/// A single line of 1 MB with no newline (no front matter, no heading) is refused with
/// line 1 named.
#[test]
fn a_single_megabyte_line_without_newline_is_refused_at_line_one() {
    let dir = content_folder();
    let path = article_path(&dir, "one-line.md");
    let line: String = (0..1024 * 1024 / 8)
        .map(|n| token(n % 997))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(line.len() >= 1024 * 1024);
    fs::write(&path, &line).unwrap();

    let errors = load_errors(&dir);
    assert!(!errors.is_empty());
    for problem in &errors {
        assert_eq!(problem.path, path, "{problem}");
        assert_eq!(problem.line, Some(1), "{problem}");
    }
    assert!(
        errors
            .iter()
            .any(|p| p.message.contains("must start with front matter")),
        "{errors:#?}"
    );
}

/// The same megabyte line as the only passage of a valid article, with no final
/// newline: it loads verbatim, and its answer is cut to fit one message.
#[test]
fn a_megabyte_passage_without_final_newline_loads_verbatim() {
    let dir = content_folder();
    let passage: String = (0..1024 * 1024 / 8)
        .map(|n| format!("{}.", token(n % 997)))
        .collect::<Vec<_>>()
        .join(" ");
    fs::write(
        article_path(&dir, "long.md"),
        format!("{FRONT_MATTER}\n## One long passage\n\n{passage}"),
    )
    .unwrap();

    let library = load(&dir);
    let topic = library.topic("One long passage").unwrap();
    assert_eq!(topic.topic.passages.len(), 1);
    assert!(
        topic.topic.passages[0].text == passage,
        "the passage changed"
    );

    let knowledge = Knowledge::from_library(
        library,
        DEFAULT_MIN_CONFIDENCE,
        &lantern::search::Embedder::new(None).expect("the shipped model loads"),
    )
    .unwrap();
    let answer = knowledge.ask(&format!("{} {}", token(3), token(4)));
    let reply = render::render(&answer, &knowledge.library().safety);
    assert!(reply.chars().count() <= MESSAGE_CONTENT);
    assert!(answer.quote().is_some(), "{answer:?}");
    assert!(reply.contains("use /topic to read all of it"), "{reply}");
}

/// An article with front matter and nothing else is refused, naming the file.
#[test]
fn an_article_with_only_front_matter_is_refused_and_named() {
    let dir = content_folder();
    let path = article_path(&dir, "empty-body.md");
    fs::write(&path, FRONT_MATTER).unwrap();

    let errors = load_errors(&dir);
    let problem = error_about(&errors, &path);
    assert!(problem.message.contains("no topics"), "{problem}");
}

/// Windows line endings throughout (articles, safety texts, synonyms): everything loads,
/// and no passage, title or safety text keeps a `\r`.
#[test]
fn windows_line_endings_load_without_carriage_returns() {
    let dir = content_folder();
    for name in ["safety.md", "synonyms.txt"] {
        let path = dir.path().join(name);
        let text = fs::read_to_string(&path).unwrap().replace('\n', "\r\n");
        fs::write(&path, text).unwrap();
    }
    let text = format!(
        "{FRONT_MATTER}\n## Heparin dosing\n\nHeparin is injected once a day.\n- It needs no fasting.\n\n\
         ## Wrapped lines\n\nThis paragraph was wrapped\nby a Windows editor.\n"
    )
    .replace('\n', "\r\n");
    fs::write(article_path(&dir, "crlf.md"), text).unwrap();

    let library = load(&dir);
    let loaded: Vec<(&str, &str)> = library
        .topics()
        .map(|t| (t.topic.title.as_str(), t.topic.passages[0].text.as_str()))
        .collect();
    assert_eq!(
        loaded,
        [
            (
                "Heparin dosing",
                "Heparin is injected once a day.\n- It needs no fasting."
            ),
            (
                "Wrapped lines",
                "This paragraph was wrapped by a Windows editor."
            ),
        ]
    );
    let article = &library.articles[0];
    assert_eq!(article.source, "The test suite");
    let safety = &library.safety;
    for text in [&safety.disclaimer, &safety.doctor_advice, &safety.not_found] {
        assert!(!text.contains('\r'), "{text:?}");
    }
    assert!(!library.synonyms.is_empty());

    let knowledge = Knowledge::from_library(
        library,
        DEFAULT_MIN_CONFIDENCE,
        &lantern::search::Embedder::new(None).expect("the shipped model loads"),
    )
    .unwrap();
    let answer = knowledge.ask("is heparin injected once a day?");
    assert_eq!(
        answer.quote().map(|q| q.topic.as_str()),
        Some("Heparin dosing")
    );
    assert!(knowledge.ask("heavy bleeding").urgency.emergency);
    assert!(!render::render(&answer, &knowledge.library().safety).contains('\r'));
}

/// A UTF-8 byte order mark (as Windows Notepad writes) does not hide the front matter of
/// an article or the first heading of the safety texts.
#[test]
fn a_utf8_byte_order_mark_is_ignored() {
    let dir = content_folder();
    let safety = dir.path().join("safety.md");
    let text = fs::read_to_string(&safety).unwrap();
    fs::write(&safety, format!("\u{FEFF}{text}")).unwrap();
    fs::write(
        article_path(&dir, "bom.md"),
        format!("\u{FEFF}{FRONT_MATTER}\n## Marked\n\nA passage after a byte order mark.\n"),
    )
    .unwrap();

    let library = load(&dir);
    let article = &library.articles[0];
    assert_eq!(article.title, "Test article");
    assert_eq!(
        article.topics[0].passages[0].text,
        "A passage after a byte order mark."
    );
    assert!(!library.safety.disclaimer.starts_with('\u{FEFF}'));
}
