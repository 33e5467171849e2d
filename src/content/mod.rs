//! The content folder: articles, safety texts and synonyms, read and validated.
//!
//! Loading is all or nothing: a [`Library`] exists only when every file is valid, so the
//! bot never serves half an edit. Every problem is collected before giving up, so a
//! moderator sees the whole list at once.
//!
//! ```text
//! content/
//!   articles/**.md   one article per file, in subfolders too
//!   safety.md        disclaimer, doctor advice, urgent and crisis notices, patterns
//!   synonyms.txt     lay words members use
//!   README.md        the moderators' guide (not content)
//! ```

mod article;
mod changes;
mod markdown;
mod problem;
mod promo;
mod safety_texts;
mod synonyms;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

pub use article::{ALSO_ASKED_MAX_CHARS, Article, FRONT_MATTER_KEYS, Passage, Topic};
pub use changes::{Changes, ReloadEvent};
pub use markdown::ALSO_ASKED;
pub use problem::{ContentError, Problem, Severity};
pub use promo::promotional_reason;
#[cfg(test)]
pub(crate) use safety_texts::parse as parse_safety_texts;
pub use safety_texts::{SAFETY_KEYS, SafetyTexts};
pub use synonyms::SynonymGroup;

/// Where each kind of file lives inside the content folder.
pub const ARTICLES_DIR: &str = "articles";
pub const SAFETY_FILE: &str = "safety.md";
pub const SYNONYMS_FILE: &str = "synonyms.txt";
/// The moderators' guide: expected in the folder, never read as content.
pub const GUIDE_FILE: &str = "README.md";

/// The largest content file Lantern reads. An article is prose for members; a file
/// beyond this is a mistake (a pasted export, a binary), and reading it would cost every
/// reload memory and time.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Articles older than this without a `next_review` date are reported as due.
pub const REVIEW_INTERVAL_DAYS: i64 = 365;

/// How search reads a phrase a moderator wrote to be matched against questions (a
/// synonym, an `Also asked` phrasing, a safety pattern's words): the terms its words
/// become once common words are dropped and endings taken off. Search sits above
/// content, so the caller passes its reading in, and validation rejects the phrases that
/// could never match (no term) and synonyms that another group would take (the same
/// terms).
pub type Reading<'a> = &'a dyn Fn(&str) -> Vec<String>;

/// Everything Lantern may say, loaded and valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    pub dir: PathBuf,
    pub articles: Vec<Article>,
    pub safety: SafetyTexts,
    pub synonyms: Vec<SynonymGroup>,
    /// Problems that do not stop serving, such as a review date that has passed.
    pub warnings: Vec<Problem>,
    /// Files in the content folder or among the articles that Lantern does not read (also
    /// among `warnings`), named in every reload report so a misplaced article is never
    /// invisible.
    pub unread: Vec<PathBuf>,
}

/// A topic with the article it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct TopicRef<'a> {
    pub article: &'a Article,
    pub topic: &'a Topic,
}

impl Library {
    /// Loads and validates `dir` as of today, judging phrases with `reading`.
    pub fn load(dir: &Path, reading: Reading<'_>) -> Result<Library, ContentError> {
        Library::load_as_of(dir, chrono::Local::now().date_naive(), reading)
    }

    /// Loads and validates `dir`, judging review dates against `today`.
    pub fn load_as_of(
        dir: &Path,
        today: NaiveDate,
        reading: Reading<'_>,
    ) -> Result<Library, ContentError> {
        let mut problems = Vec::new();
        if !dir.is_dir() {
            // Said for a reload too: there the folder was there before, and putting it
            // back is the fix.
            let what = if dir.exists() {
                "is not a folder"
            } else {
                "does not exist"
            };
            problems.push(Problem::error(
                dir,
                None,
                format!(
                    "the content folder {what}: if it was moved, renamed or deleted while Lantern \
                     runs, put it back; otherwise pass --content DIR or set LANTERN_CONTENT_DIR"
                ),
            ));
            return Err(ContentError { problems });
        }

        // Files Lantern does not read, in the folder or among the articles, are named in
        // every reload report while they stay, so a misplaced article is never invisible.
        let mut unread = Vec::new();
        let articles = load_articles(dir, reading, &mut unread, &mut problems);
        let safety_path = dir.join(SAFETY_FILE);
        let safety = read_text(&safety_path, &mut problems)
            .and_then(|text| safety_texts::parse(&safety_path, &text, reading, &mut problems));
        let synonyms_path = dir.join(SYNONYMS_FILE);
        // A link to nothing is there, and read_text says so; only no file at all is none.
        let synonyms = if fs::symlink_metadata(&synonyms_path).is_ok() {
            read_text(&synonyms_path, &mut problems)
                .map(|text| synonyms::parse(&synonyms_path, &text, reading, &mut problems))
                .unwrap_or_default()
        } else {
            problems.push(Problem::warning(
                &synonyms_path,
                None,
                "there is no synonyms file: members' lay words (\"blood thinner\", \"APS\") will not be understood",
            ));
            Vec::new()
        };

        unread.extend(check_unread_files(dir, &mut problems));
        unread.sort();
        check_duplicate_topics(dir, &articles, &mut problems);
        check_also_asked(dir, &articles, &mut problems);
        check_synonym_heads(&synonyms_path, &articles, &synonyms, reading, &mut problems);
        check_review_dates(dir, &articles, today, &mut problems);

        match safety {
            Some(safety) if !problems.iter().any(Problem::is_error) => Ok(Library {
                dir: dir.to_path_buf(),
                articles,
                safety,
                synonyms,
                warnings: problems,
                unread,
            }),
            _ => Err(ContentError { problems }),
        }
    }

    /// Every topic, in file order.
    pub fn topics(&self) -> impl Iterator<Item = TopicRef<'_>> {
        self.articles.iter().flat_map(|article| {
            article
                .topics
                .iter()
                .map(move |topic| TopicRef { article, topic })
        })
    }

    /// The topic whose title is `title`, ignoring case.
    pub fn topic(&self, title: &str) -> Option<TopicRef<'_>> {
        let wanted = title_key(title.trim());
        self.topics().find(|t| title_key(&t.topic.title) == wanted)
    }

    /// How many passages Lantern can quote.
    pub fn passage_count(&self) -> usize {
        self.topics().map(|t| t.topic.passages.len()).sum()
    }
}

/// Names every file in the content folder that Lantern does not read, so an article
/// saved in the wrong place is never silently invisible to members.
fn check_unread_files(dir: &Path, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut unread: Vec<PathBuf> = entries
        .flatten()
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let read =
                [ARTICLES_DIR, SAFETY_FILE, SYNONYMS_FILE, GUIDE_FILE].contains(&name.as_str());
            !read && !is_editor_leftover(&name)
        })
        .map(|entry| entry.path())
        .collect();
    unread.sort();
    for path in &unread {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let meant = [ARTICLES_DIR, SAFETY_FILE, SYNONYMS_FILE, GUIDE_FILE]
            .into_iter()
            .find(|known| known.eq_ignore_ascii_case(&name))
            .or_else(|| misnamed(dir, &name));
        let hint = if let Some(known) = meant {
            // "Safety.md" is not read on a case-sensitive disk: moving it into the articles
            // would make things worse.
            format!("not read: the name must be exactly `{known}`; rename it")
        } else if is_markdown(path) {
            format!(
                "not read: articles must be in {ARTICLES_DIR}/; move it there to publish it, or delete it"
            )
        } else {
            format!(
                "not read: Lantern reads only the articles in {ARTICLES_DIR}/ (.md files, subfolders too), {SAFETY_FILE} and {SYNONYMS_FILE}; move or delete this"
            )
        };
        problems.push(Problem::warning(path, None, hint));
    }
    unread
}

/// The file Lantern reads, missing from `dir`, that `name` was most likely meant to be:
/// `synonyms.txt.txt` (an editor that adds its own extension), `Synonyms.md`,
/// `safety.txt`. Beside the real file such a name is a copy, not a slip.
fn misnamed(dir: &Path, name: &str) -> Option<&'static str> {
    let name = name.to_lowercase();
    let stem = |file: &str| file.split('.').next().unwrap_or_default().to_string();
    [SAFETY_FILE, SYNONYMS_FILE].into_iter().find(|known| {
        !dir.join(known).exists()
            && (name.starts_with(&format!("{known}.")) || stem(&name) == stem(known))
    })
}

/// Editors leave swap and backup files beside the one being edited, and tools keep their
/// own hidden folders (`.git`): Lantern never reads them, so saving them is no change.
pub fn is_editor_leftover(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || name.starts_with('#')
}

/// Whether `path` is `dir` or inside it with no editor's or tool's leftover on the way
/// there: a place Lantern reads as content.
pub fn is_in_content(dir: &Path, path: &Path) -> bool {
    path.strip_prefix(dir).is_ok_and(|inside| {
        !inside
            .components()
            .any(|part| is_editor_leftover(&part.as_os_str().to_string_lossy()))
    })
}

/// The articles under `dir`; files there that are not articles go to `ignored`.
fn load_articles(
    dir: &Path,
    reading: Reading<'_>,
    ignored: &mut Vec<PathBuf>,
    problems: &mut Vec<Problem>,
) -> Vec<Article> {
    let articles_dir = dir.join(ARTICLES_DIR);
    if let Err(error) = fs::read_dir(&articles_dir) {
        problems.push(Problem::error(
            &articles_dir,
            None,
            format!(
                "cannot read the articles folder ({error}): it must exist and hold the .md articles"
            ),
        ));
        return Vec::new();
    }
    let files = article_files(&articles_dir, ignored, problems);

    let mut articles = Vec::new();
    for path in files {
        let Some(text) = read_text(&path, problems) else {
            continue;
        };
        let relative = path.strip_prefix(dir).unwrap_or(&path);
        if let Some(article) = article::parse(&path, relative, &text, reading, problems) {
            articles.push(article);
        }
    }
    if articles.is_empty() && !problems.iter().any(Problem::is_error) {
        problems.push(Problem::error(
            &articles_dir,
            None,
            "there are no articles: add at least one .md article (see content/README.md)",
        ));
    }
    articles
}

/// The Markdown files under `articles_dir`, subfolders included (moderators group
/// articles by subject), in a stable order. Anything else there is named as ignored, and
/// drafts (a `drafts` folder, a file or folder starting with `_`) as not published. A
/// folder that cannot be read is an error: its articles would silently go missing.
fn article_files(
    articles_dir: &Path,
    ignored: &mut Vec<PathBuf>,
    problems: &mut Vec<Problem>,
) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut drafts = Vec::new();
    let walk = walkdir::WalkDir::new(articles_dir)
        .min_depth(1)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            if is_draft(&name, entry.file_type().is_dir()) {
                drafts.push(entry.path().to_path_buf());
                return false;
            }
            !is_editor_leftover(&name)
        });
    for entry in walk {
        match entry {
            Ok(entry) if entry.file_type().is_dir() => {}
            Ok(entry) if is_markdown(entry.path()) => files.push(entry.into_path()),
            Ok(entry) => {
                problems.push(Problem::warning(
                    entry.path(),
                    None,
                    "ignored: articles are Markdown files ending in .md (or .markdown)",
                ));
                ignored.push(entry.into_path());
            }
            Err(error) => problems.extend(walk_problem(articles_dir, &error, &mut files)),
        }
    }
    for folder in drafts {
        problems.push(Problem::warning(
            &folder,
            None,
            "not published: a folder named `drafts`, or a file or folder starting with `_`, holds drafts; move or rename an article to publish it",
        ));
    }
    files
}

fn is_draft(name: &str, is_folder: bool) -> bool {
    name.starts_with('_') || (is_folder && name.eq_ignore_ascii_case("drafts"))
}

/// What to say of an entry under `articles/` that could not be walked. An article that
/// cannot be opened (a dangling link, say) goes to `files`, for `read_text` to report as
/// it reports every unreadable article; other files are only ignored.
fn walk_problem(
    articles_dir: &Path,
    error: &walkdir::Error,
    files: &mut Vec<PathBuf>,
) -> Option<Problem> {
    let path = error.path().unwrap_or(articles_dir);
    if let Some(ancestor) = error.loop_ancestor() {
        return Some(Problem::error(
            path,
            None,
            format!("this link leads back to {}: remove it", ancestor.display()),
        ));
    }
    if is_markdown(path) {
        files.push(path.to_path_buf());
        return None;
    }
    Some(if path.is_dir() {
        Problem::error(
            path,
            None,
            format!("this folder cannot be read ({error}): fix its permissions or remove it"),
        )
    } else {
        Problem::warning(path, None, format!("ignored: cannot be read ({error})"))
    })
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

/// Why the link at `path` reaches no file, if it is a link: its target is missing, or is
/// itself a link that never reaches one (a link to itself, a loop of links).
fn broken_link(path: &Path) -> Option<String> {
    let link = fs::symlink_metadata(path).ok()?;
    if !link.file_type().is_symlink() {
        return None;
    }
    let target = fs::read_link(path).ok();
    let target_is_a_link = target.as_ref().is_some_and(|target| {
        fs::symlink_metadata(path.parent().unwrap_or(Path::new(".")).join(target)).is_ok()
    });
    let fix = "point it at an existing file, or put the file here";
    Some(match target {
        Some(_) if target_is_a_link => format!(
            "this is a link that never reaches a file (it leads back to itself, or round a loop of links): {fix}"
        ),
        Some(target) => format!(
            "this is a link to {}, which does not exist: {fix}",
            target.display()
        ),
        None => format!("this is a link to a missing file: {fix}"),
    })
}

/// What keeps the file at `path` from being read, when it is there: a link to nothing, a
/// folder, a pipe or device (which would never finish reading, and hold every later
/// reload with it), or a size past the cap. A missing file is left to the read.
fn unreadable(path: &Path) -> Option<String> {
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(_) => return broken_link(path),
    };
    if metadata.is_dir() {
        Some(
            "this is a folder, not a file: move what is in it elsewhere and put the file here"
                .to_string(),
        )
    } else if !metadata.is_file() {
        Some(
            "this is not an ordinary file (a pipe, socket or device): replace it with a text file"
                .to_string(),
        )
    } else if metadata.len() > MAX_FILE_BYTES {
        let fix = if is_markdown(path) && path.file_name() != Some(SAFETY_FILE.as_ref()) {
            "split it into several articles"
        } else {
            "shorten it"
        };
        Some(format!(
            "the file is {:.1} MB; content files must be under {} MB: {fix}",
            metadata.len() as f64 / 1_048_576.0,
            MAX_FILE_BYTES / 1_048_576
        ))
    } else {
        None
    }
}

/// Reads a content file as UTF-8, reporting unreadable, oversized, binary, non-UTF-8 and
/// empty files.
fn read_text(path: &Path, problems: &mut Vec<Problem>) -> Option<String> {
    if let Some(problem) = unreadable(path) {
        problems.push(Problem::error(path, None, problem));
        return None;
    }
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            let hint = if error.kind() == std::io::ErrorKind::NotFound {
                "the file is missing; restore it from the repository".to_string()
            } else {
                format!("cannot read it ({error}); check its permissions")
            };
            problems.push(Problem::error(path, None, hint));
            return None;
        }
    };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        problems.push(Problem::error(
            path,
            None,
            "the file is saved as UTF-16 (\"Unicode\" in Notepad): save it again as UTF-8",
        ));
        return None;
    }
    if let Some(position) = bytes.iter().position(|&b| b == 0) {
        let line = bytes[..position].iter().filter(|&&b| b == b'\n').count() + 1;
        problems.push(Problem::error(
            path,
            Some(line),
            "this looks like a binary file, not text: content files are Markdown or plain text",
        ));
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) if text.trim_start_matches('\u{feff}').trim().is_empty() => {
            problems.push(Problem::error(
                path,
                None,
                "the file is empty: write its content or delete the file",
            ));
            None
        }
        Ok(text) => {
            let text = text
                .strip_prefix('\u{FEFF}')
                .map(str::to_string)
                .unwrap_or(text);
            // A lone carriage return (old Mac line endings, or text pasted from one into
            // a file of another kind) ends a line as editors show it; read as part of a
            // line, it would join a heading to the lines below it into one title.
            Some(if text.contains('\r') {
                text.replace("\r\n", "\n").replace('\r', "\n")
            } else {
                text
            })
        }
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let line = error.as_bytes()[..valid]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            problems.push(Problem::error(
                path,
                Some(line),
                "this file is not UTF-8 text: save it as UTF-8 in your editor",
            ));
            None
        }
    }
}

/// Titles are matched ignoring case, in any script ("Früh" and "FRÜH", "Straße" and
/// "STRASSE" are one title), and however their letters are encoded (an accent typed as its
/// own mark, or a ligature, looks the same), as `/topic` finds them and reloads compare
/// them.
pub fn title_key(title: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let composed: String = title.nfkc().collect();
    unicase::UniCase::new(composed)
        .to_folded_case()
        .nfkc()
        .collect()
}

fn check_duplicate_topics(dir: &Path, articles: &[Article], problems: &mut Vec<Problem>) {
    let mut seen: HashMap<String, (&Article, usize)> = HashMap::new();
    for article in articles {
        for topic in &article.topics {
            if let Some((first_article, first_line)) = seen.get(&title_key(&topic.title)) {
                let fix = if topic.introduction {
                    "the text here, before the first heading, takes its title from the file's `# ` line (or its front matter title without one): put a `## Topic title` heading above it"
                } else {
                    "members pick topics by title, so give this one a different title"
                };
                problems.push(Problem::error(
                    &dir.join(&article.file),
                    Some(topic.line),
                    format!(
                        "the topic \"{}\" already exists ({}:{first_line}): {fix}",
                        topic.title,
                        dir.join(&first_article.file).display()
                    ),
                ));
            } else {
                seen.insert(title_key(&topic.title), (article, topic.line));
            }
        }
    }
}

/// Names a synonym group whose first phrase (the articles' word) has a word no article
/// uses but one very like it ("heparn" beside "heparin"): members' words are read as that
/// first phrase, so a slip there silently turns the whole group off. A first phrase far
/// from every article word may be for an article still to come, and is left alone.
fn check_synonym_heads(
    path: &Path,
    articles: &[Article],
    groups: &[SynonymGroup],
    reading: Reading<'_>,
    problems: &mut Vec<Problem>,
) {
    // Plain lowercase words, each distinct one read once, not search's reading of every
    // passage: this runs on every reload, and reading 2,000 passages cost a tenth of a
    // second.
    let texts: Vec<String> = articles
        .iter()
        .flat_map(|article| {
            article.topics.iter().flat_map(|topic| {
                std::iter::once(topic.title.as_str())
                    .chain(topic.also_asked.iter().map(String::as_str))
                    .chain(topic.passages.iter().map(|passage| passage.text.as_str()))
            })
        })
        .map(str::to_lowercase)
        .collect();
    let used: std::collections::BTreeSet<&str> = texts
        .iter()
        .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
        .filter(|word| !word.is_empty())
        .collect();
    // Each distinct word read once, as search reads it: a head word whose reading is
    // among them ("lose" beside "losing") is used, whatever its ending.
    let used_terms: std::collections::HashSet<String> =
        used.iter().flat_map(|word| reading(word)).collect();
    for group in groups {
        let Some(head) = group.phrases.first() else {
            continue;
        };
        for word in crate::text::words(head) {
            let word = word.text;
            let length = word.chars().count();
            let terms = reading(&word);
            if length < 4
                || used.contains(word.as_str())
                || terms.iter().all(|term| used_terms.contains(term))
            {
                continue;
            }
            let slips = if length >= 9 { 2 } else { 1 };
            let near = |candidate: &&&str| {
                let count = candidate.chars().count();
                count >= 4
                    && count.abs_diff(length) <= slips
                    && strsim::damerau_levenshtein(&word, candidate) <= slips
            };
            let Some(meant) = used.iter().find(near) else {
                continue;
            };
            problems.push(Problem::warning(
                path,
                Some(group.line),
                format!(
                    "\"{word}\" is in no article, but \"{meant}\" is: members' words in this group are read as \
                     \"{head}\", so as written the group matches nothing. Did you mean \"{meant}\"?"
                ),
            ));
        }
    }
}

/// One warning per article whose topics lack `Also asked:` lines. Members ask in their
/// own words, which a new article seldom uses: on five sets of new articles, lines a
/// moderator wrote without seeing members' questions turned 65 right answers into 87
/// (README, "Evaluation"). A warning, not an error: an article without them still works.
fn check_also_asked(dir: &Path, articles: &[Article], problems: &mut Vec<Problem>) {
    for article in articles {
        let mut without = article.topics.iter().filter(|t| t.also_asked.is_empty());
        let Some(first) = without.next() else {
            continue;
        };
        let count = 1 + without.count();
        problems.push(Problem::warning(
            &dir.join(&article.file),
            Some(first.line),
            format!(
                "{count} of {} topics have no `Also asked:` line (the first: \"{}\"): add one under each heading with two to four ways members ask it, so their questions find it (content/README.md)",
                article.topics.len(),
                first.title
            ),
        ));
    }
}

fn check_review_dates(
    dir: &Path,
    articles: &[Article],
    today: NaiveDate,
    problems: &mut Vec<Problem>,
) {
    for article in articles {
        let reviewed = article.last_reviewed;
        // A day's grace: a moderator ahead of the server's time zone may be on tomorrow.
        if today.succ_opt().is_some_and(|tomorrow| reviewed > tomorrow) {
            problems.push(Problem::warning(
                &dir.join(&article.file),
                None,
                format!(
                    "last_reviewed {reviewed} is in the future: members see it under every answer as the date the article was checked; correct it to the day of the review"
                ),
            ));
        }
        if let Some(next) = article.next_review.filter(|next| *next < reviewed) {
            problems.push(Problem::warning(
                &dir.join(&article.file),
                None,
                format!(
                    "next_review {next} is before last_reviewed {reviewed}: set it to a date after the review"
                ),
            ));
        }
        if let Some(due) = review_due(article, today) {
            problems.push(Problem::warning(
                &dir.join(&article.file),
                None,
                format!(
                    "review is due since {due}: re-read the article against current guidance, then update last_reviewed (and next_review)"
                ),
            ));
        }
    }
}

/// When `article` fell due for review, if it has by `today`.
pub fn review_due(article: &Article, today: NaiveDate) -> Option<NaiveDate> {
    // Checked: a date near the end of chrono's range ("+262142-12-31") has no date a
    // year later, and such an article is simply never due.
    let due = article.next_review.or_else(|| {
        article
            .last_reviewed
            .checked_add_signed(chrono::Duration::days(REVIEW_INTERVAL_DAYS))
    })?;
    (due < today).then_some(due)
}

#[cfg(test)]
mod tests {
    use crate::content::title_key;

    #[test]
    fn titles_that_look_alike_have_one_key() {
        for (one, other) in [
            ("Caf\u{e9} visits", "CAFE\u{301} VISITS"),
            ("Stra\u{df}e walking", "STRASSE WALKING"),
            ("\u{fb01}rst signs", "First signs"),
        ] {
            assert_eq!(title_key(one), title_key(other), "{one} / {other}");
        }
        assert_ne!(title_key("Cafe visits"), title_key("Caf\u{e9} visits"));
    }
}
