//! The small subset of Markdown that content files use: optional front matter,
//! headed sections, paragraphs and lists.
//!
//! Lantern quotes passages verbatim, so this reader never rewrites text: it only decides
//! where passages start and end. A list stays in the passage of the paragraph that
//! introduces it, because "They are:" means nothing without the list that follows.
//!
//! Topics are `## ` sections, but moderators write Markdown as they always have: a `# `
//! title line at the top, an introduction before the first heading, `### ` sub-headings,
//! code blocks. None of those may make an article fail to load (one failing file keeps
//! the whole folder from loading), so the introduction becomes a topic under the title
//! line (or the front matter's title), a sub-heading starts a topic titled after its
//! parent, and a code block is text. `safety.md` is read strictly ([`Headings::Keys`]).

use std::path::Path;

use super::problem::Problem;
use crate::text::limits::{self, char_len};

/// A `key: value` line of front matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub key: String,
    pub value: String,
    pub line: usize,
}

/// A heading and the blocks under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    /// The heading's level (`## ` is 2); [`INTRODUCTION`] for the text before the first
    /// heading, which has no heading of its own and takes the article's title.
    pub level: usize,
    pub line: usize,
    /// The `Also asked:` lines under the heading: what follows the colon, and the line.
    pub also_asked: Vec<(usize, String)>,
    pub blocks: Vec<Block>,
}

/// The [`Section::level`] of an introduction.
pub const INTRODUCTION: usize = 0;

impl Section {
    /// Neither a passage nor an `Also asked:` line under the heading (yet).
    fn is_bare(&self) -> bool {
        self.blocks.is_empty() && self.also_asked.is_empty()
    }

    fn new(heading: String, level: usize, line: usize) -> Section {
        Section {
            heading,
            level,
            line,
            also_asked: Vec::new(),
            blocks: Vec::new(),
        }
    }
}

/// Starts a line of other ways members ask what a topic answers; see [`Section`].
pub const ALSO_ASKED: &str = "Also asked:";

/// A paragraph, possibly followed by the list it introduces, or a list on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub lines: Vec<BlockLine>,
}

/// One logical line of a block: a paragraph (its source lines joined) or a list item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockLine {
    pub line: usize,
    /// The last line of the file it takes in: later than `line` when wrapped.
    pub last_line: usize,
    pub text: String,
    /// Where in `text` the first line of the file it takes in ends: a wrapped paragraph's
    /// lines are joined with spaces, and what stood alone on the first one (a bold line
    /// used as a heading) is then known only by this.
    pub first_line_end: usize,
    pub list_item: bool,
}

impl Block {
    pub fn line(&self) -> usize {
        self.lines.first().map_or(0, |l| l.line)
    }

    /// The block as it is quoted: paragraph lines joined with spaces, each list item
    /// on a line of its own.
    pub fn text(&self) -> String {
        let parts: Vec<&str> = self.lines.iter().map(|l| l.text.as_str()).collect();
        parts.join("\n")
    }
}

/// A parsed file: its front matter (when it has one) and its sections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub front_matter: Option<Vec<Field>>,
    pub sections: Vec<Section>,
}

/// How a file's headings are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headings {
    /// Articles, written as moderators write Markdown (see the module documentation).
    Topics,
    /// A file of `## key` sections and nothing else (`safety.md`): any other heading, or
    /// text before the first, is an error, since a misplaced line there would change
    /// what every member is told.
    Keys,
}

/// Reads `text`; structural problems are pushed to `problems` with `path` and line.
pub fn parse(path: &Path, text: &str, headings: Headings, problems: &mut Vec<Problem>) -> Document {
    let lines: Vec<&str> = text.lines().collect();
    let mut front_matter = None;
    let mut first_body_line = 0;
    // Blank lines above the opening `---` are a slip, not a reason to miss it.
    let opening = lines.iter().position(|l| !l.trim().is_empty());
    if let Some(opening) = opening
        && lines[opening].trim_end() == "---"
    {
        let (fields, next) = parse_front_matter(path, &lines, opening, problems);
        front_matter = Some(fields);
        first_body_line = next;
    }
    let title = front_matter
        .iter()
        .flatten()
        .find(|field| field.key == "title")
        .map(|field| field.value.clone());
    let mut reader = Reader::new(path, headings, title, problems);
    for (index, raw) in lines.iter().enumerate().skip(first_body_line) {
        let next = lines.get(index + 1).copied();
        reader.line(index + 1, raw.trim_end(), next);
    }
    reader.finish();
    Document {
        front_matter,
        sections: reader.sections,
    }
}

/// The body of a file, read line by line into sections.
struct Reader<'a> {
    path: &'a Path,
    headings: Headings,
    problems: &'a mut Vec<Problem>,
    sections: Vec<Section>,
    /// The title an introduction takes: the `# ` line at the top, else the front matter's.
    title: Option<String>,
    /// The headings above the current line, by level: a sub-heading's topic is titled
    /// after its parent ("Metformin: Side effects"), so it keeps its subject.
    open: Vec<(usize, String)>,
    /// A `# ` title line has been read (only the first line of text may be one).
    title_line: bool,
    /// Some text has been read: a `# ` line after it is a heading, not the title.
    seen_text: bool,
    /// The line of the `<!--` whose comment is still open (comments may span lines).
    comment: Option<usize>,
    /// The fence (```` ``` ```` or `~~~`) and opening line of the code block the line is
    /// in: its lines are text, whatever they start with.
    fence: Option<(&'static str, usize)>,
    /// Whether the previous line ended the current paragraph (a blank line or a heading).
    after_break: bool,
    /// Text before any heading has been reported; the rest of its paragraph is skipped.
    skipping_stray: bool,
    /// The line is the `===` or `---` under a heading just read (a setext heading).
    underline: bool,
    /// The line and text of the last topic made from an underlined line.
    underlined: Option<(usize, String)>,
}

impl<'a> Reader<'a> {
    fn new(
        path: &'a Path,
        headings: Headings,
        title: Option<String>,
        problems: &'a mut Vec<Problem>,
    ) -> Self {
        Reader {
            path,
            headings,
            problems,
            sections: Vec::new(),
            title,
            open: Vec::new(),
            title_line: false,
            seen_text: false,
            comment: None,
            fence: None,
            after_break: true,
            skipping_stray: false,
            underline: false,
            underlined: None,
        }
    }

    /// Reads line `line_no`, `raw`; `next` is the line after it, which can make this one
    /// a heading (`Title` over `=====` or `-----`).
    fn line(&mut self, line_no: usize, raw: &str, next: Option<&str>) {
        if std::mem::take(&mut self.underline) {
            return;
        }
        if self.fence.is_some()
            || (self.comment.is_none() && code_fence(raw.trim_start()).is_some())
        {
            return self.fenced_line(line_no, raw);
        }
        let had_comment = self.comment.is_some() || raw.contains("<!--");
        let visible = self.without_comments(line_no, raw);
        let raw = visible.trim_end();
        if raw.trim().is_empty() {
            // A line that was only a comment neither ends nor continues a paragraph.
            if !had_comment {
                self.after_break = true;
                self.skipping_stray = false;
            }
            return;
        }
        if is_thematic_break(raw) {
            self.after_break = true;
            return;
        }
        if let Some((level, title)) = heading(raw) {
            return self.heading(line_no, level, title);
        }
        if let Some(hashes) = looks_like_a_heading(raw) {
            self.problems.push(Problem::warning(
                self.path,
                Some(line_no),
                format!(
                    "this line starts with `{hashes}` but no plain space follows, so it is read as text: \
                     write `{hashes} Title` to make it a heading"
                ),
            ));
        } else if unindented(raw).is_none() && heading(raw.trim_start()).is_some() {
            // Four spaces or a tab make it text, yet quoted it would show as a heading.
            self.problems.push(Problem::warning(
                self.path,
                Some(line_no),
                "this heading is indented by a tab or four spaces, so it is read as passage text: \
                 remove the indent to make it a heading",
            ));
        }
        if let Some(level) = self.setext_level(raw, next) {
            self.underline = true;
            self.heading(line_no, level, raw.trim());
            if self.sections.last().is_some_and(|s| s.line == line_no) {
                self.underlined = Some((line_no, raw.trim().to_string()));
            }
            return;
        }
        if !self.skipping_stray {
            self.text(line_no, raw);
        }
    }

    /// The level of the heading `raw` is when `next` underlines it: `=` makes a `# `
    /// heading and `-` a `## ` one, as Markdown previews show a one-line title over such
    /// a line. Only a line that starts a paragraph and reads as a title counts: a line
    /// ending like a sentence (".", ":", ",", ";") or longer than a topic title may be, over
    /// `---`, is a paragraph followed by a separator, as Lantern always read it, so an
    /// article written that way does not change its topics (or fail to load).
    /// `safety.md` keeps to `## key`.
    fn setext_level(&self, raw: &str, next: Option<&str>) -> Option<usize> {
        let starts_paragraph = self.after_break && self.comment.is_none();
        if self.headings != Headings::Topics || !starts_paragraph {
            return None;
        }
        let level = setext_underline(next?)?;
        let title = raw.trim();
        let reads_as_title = list_item_text(raw).is_none()
            && after_also_asked(title).is_none()
            && unindented(raw).is_some()
            && !title.ends_with(['.', ':', ',', ';'])
            && char_len(title) <= limits::CHOICE_NAME;
        reads_as_title.then_some(level)
    }

    /// An underlined line with nothing under it before the next heading of its level or
    /// the end of the file ("Sources: NHS" over `---` at the end of an article) was a
    /// paragraph over a separator after all: it goes back to the topic above as a
    /// paragraph, so an article that loaded before the underline was read as a heading
    /// still loads. A topic with nothing under it would stop the whole folder loading.
    fn restore_empty_underlined(&mut self, next_level: Option<usize>) {
        let Some((line, text)) = self.underlined.take() else {
            return;
        };
        let Some(underlined) = self.sections.last() else {
            return;
        };
        let groups_the_next = next_level.is_some_and(|next| next > underlined.level);
        if underlined.line != line
            || !underlined.is_bare()
            || groups_the_next
            || self.sections.len() < 2
        {
            return;
        }
        self.sections.pop();
        self.open.pop();
        let above = self.sections.last_mut().expect("checked above");
        above.blocks.push(Block {
            lines: vec![BlockLine {
                line,
                last_line: line,
                first_line_end: text.len(),
                text,
                list_item: false,
            }],
        });
    }

    /// `raw` (line `line_no`) without its `<!-- … -->` comments, which may open or close
    /// on other lines.
    fn without_comments(&mut self, line_no: usize, raw: &str) -> String {
        let mut visible = String::new();
        let mut rest = raw;
        loop {
            if self.comment.is_some() {
                match rest.find("-->") {
                    Some(end) => {
                        rest = &rest[end + 3..];
                        self.comment = None;
                        // "Keep <!-- note --> this" quotes as "Keep this", not with two
                        // spaces, and "a <!-- note -->, b" as "a, b".
                        if visible.ends_with([' ', '\t']) {
                            rest = rest.trim_start_matches([' ', '\t']);
                            if rest.starts_with([',', '.', ';', ':', '!', '?', ')']) {
                                visible.truncate(visible.trim_end().len());
                            }
                        }
                    }
                    None => return visible,
                }
            } else {
                match rest.find("<!--") {
                    Some(start) => {
                        visible.push_str(&rest[..start]);
                        rest = &rest[start + 4..];
                        self.comment = Some(line_no);
                    }
                    None => {
                        visible.push_str(rest);
                        return visible;
                    }
                }
            }
        }
    }

    fn heading(&mut self, line_no: usize, level: usize, title: &str) {
        self.after_break = true;
        self.skipping_stray = false;
        if self.headings == Headings::Keys {
            return self.key_heading(line_no, level, title);
        }
        self.restore_empty_underlined(Some(level));
        let title = &plain_title(title);
        let at_top = self.sections.is_empty() && !self.seen_text && !self.title_line;
        if level == 1 && at_top && !title.is_empty() {
            self.title = Some(title.to_string());
            self.title_line = true;
            return;
        }
        if title.is_empty() {
            let hashes = "#".repeat(level);
            return self.error(
                line_no,
                format!("this heading has no title: write the topic title after `{hashes} `"),
            );
        }
        self.open.retain(|(open_level, _)| *open_level < level);
        let topic = match self.open.last() {
            Some((_, parent)) if char_len(parent) + 2 + char_len(title) <= limits::CHOICE_NAME => {
                format!("{parent}: {title}")
            }
            _ => title.to_string(),
        };
        // A heading with nothing of its own under it before a deeper one ("## Iron"
        // straight above "### Signs of low iron") only groups its sub-headings.
        if let Some(grouping) = self.sections.last()
            && grouping.level < level
            && grouping.level != INTRODUCTION
            && grouping.is_bare()
        {
            self.sections.pop();
        }
        self.open.push((level, title.to_string()));
        self.sections.push(Section::new(topic, level, line_no));
    }

    fn key_heading(&mut self, line_no: usize, level: usize, title: &str) {
        if level != 2 || title.is_empty() {
            return self.error(
                line_no,
                "not a `## key` heading: this file holds `## key` sections only (see content/README.md)",
            );
        }
        self.sections
            .push(Section::new(title.to_string(), level, line_no));
    }

    fn text(&mut self, line_no: usize, raw: &str) {
        if !self.ensure_section(line_no) {
            // The rest of this stray paragraph is skipped, none of it a heading.
            self.after_break = false;
            return;
        }
        let also_asked = match self.headings {
            Headings::Topics => after_also_asked(raw),
            Headings::Keys => None,
        };
        let after_break = self.after_break;
        let section = self.sections.last_mut().expect("ensured above");
        self.after_break = also_asked.is_some();
        match also_asked {
            Some(rest) if section.blocks.is_empty() => {
                section.also_asked.push((line_no, rest.trim().to_string()));
            }
            Some(_) => {
                let heading_line = section.line;
                self.error(
                    line_no,
                    format!(
                        "`{ALSO_ASKED}` lines belong directly under the topic heading (line {heading_line}), before its first passage: move this line up"
                    ),
                );
            }
            None => {
                add_body_line(section, raw, line_no, after_break);
                if self.headings == Headings::Topics && misspells_also_asked(raw) {
                    self.problems.push(Problem::warning(
                        self.path,
                        Some(line_no),
                        format!(
                            "this line looks like an `{ALSO_ASKED}` label spelt another way, so it is read as a passage and would be quoted to members as the answer: write it exactly `{ALSO_ASKED} phrase; phrase`"
                        ),
                    ));
                }
            }
        }
    }

    /// Whether there is a section for text at `line_no`. Text before any heading is an
    /// introduction, a topic under the article's own title, when it has one; otherwise
    /// it is reported once, and the rest of its paragraph skipped.
    fn ensure_section(&mut self, line_no: usize) -> bool {
        if !self.seen_text {
            self.seen_text = true;
            if self.headings == Headings::Topics
                && self.sections.is_empty()
                && let Some(title) = &self.title
            {
                self.sections
                    .push(Section::new(plain_title(title), INTRODUCTION, line_no));
            }
        }
        if self.sections.is_empty() {
            let message = match self.headings {
                Headings::Topics => {
                    "text before the first heading, in a file with no title: put a `## Topic title` heading above it"
                }
                Headings::Keys => {
                    "text before the first `## key` heading: move it under the heading it belongs to"
                }
            };
            self.error(line_no, message);
            self.skipping_stray = true;
            return false;
        }
        true
    }

    /// A line of a fenced code block, kept as it is: a `#` in it is not a heading. The
    /// block stays with the paragraph that introduces it, as a list does.
    fn fenced_line(&mut self, line_no: usize, raw: &str) {
        let trimmed = raw.trim_start();
        let opening = self.fence.is_none();
        let closing = self
            .fence
            .is_some_and(|(fence, _)| trimmed.starts_with(fence));
        if let Some(fence) = code_fence(trimmed).filter(|_| opening) {
            self.fence = Some((fence, line_no));
        }
        if closing {
            self.fence = None;
        }
        self.after_break = closing;
        if self.skipping_stray {
            return;
        }
        if !self.ensure_section(line_no) {
            return;
        }
        let section = self.sections.last_mut().expect("ensured above");
        let line = BlockLine {
            line: line_no,
            last_line: line_no,
            first_line_end: raw.len(),
            text: raw.to_string(),
            list_item: false,
        };
        match section.blocks.last_mut() {
            Some(block) => block.lines.push(line),
            None => section.blocks.push(Block { lines: vec![line] }),
        }
    }

    /// Reports what the end of the file left open.
    fn finish(&mut self) {
        self.restore_empty_underlined(None);
        // Everything after an unclosed comment is hidden: topics, or safety patterns,
        // would vanish without a word.
        if let Some(line) = self.comment {
            self.error(
                line,
                "the comment opened here with `<!--` is never closed, so everything after it is hidden: \
                 add `-->` where the comment ends",
            );
        }
        if let Some((fence, line)) = self.fence {
            self.error(
                line,
                format!(
                    "the code block opened here is never closed: add a line `{fence}` where it ends"
                ),
            );
        }
    }

    fn error(&mut self, line_no: usize, message: impl Into<String>) {
        self.problems
            .push(Problem::error(self.path, Some(line_no), message));
    }
}

/// A Markdown heading's level and title, if the line `raw` is one: at most three spaces
/// of indent (four make code), one to six `#`, then a space or the end of the line
/// ("#1 tip" and "#hashtag" are text).
fn heading(raw: &str) -> Option<(usize, &str)> {
    let (hashes, rest) = heading_marks(raw)?;
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let level = hashes.len();
    let rest = rest.trim();
    // A closing run of hashes after a space ("## Title ##") is decoration; "C#" is not.
    let without_closing = rest.trim_end_matches('#');
    let title = if without_closing.is_empty() || without_closing.ends_with([' ', '\t']) {
        without_closing.trim_end()
    } else {
        rest
    };
    Some((level, title))
}

/// The one to six `#` opening `raw` (at most three spaces in), and the rest of the line:
/// what a heading starts with, or a line meant as one.
fn heading_marks(raw: &str) -> Option<(&str, &str)> {
    let trimmed = unindented(raw)?;
    let level = trimmed.chars().take_while(|&c| c == '#').count();
    (1..=6).contains(&level).then(|| trimmed.split_at(level))
}

/// `raw` without its indent, if it has at most three spaces of it: in Markdown four
/// spaces or a tab make code, which is never a heading.
fn unindented(raw: &str) -> Option<&str> {
    let trimmed = raw.trim_start_matches(' ');
    (raw.len() - trimmed.len() <= 3 && !trimmed.starts_with('\t')).then_some(trimmed)
}

/// The level of the heading a line of `=` (1) or of two or more `-` (2) makes of the
/// line above it (see `Reader::setext_level`), if `line` is one.
fn setext_underline(line: &str) -> Option<usize> {
    let marks = unindented(line.trim_end())?;
    match marks.chars().next()? {
        '=' if marks.chars().all(|c| c == '=') => Some(1),
        '-' if marks.len() >= 2 && marks.chars().all(|c| c == '-') => Some(2),
        _ => None,
    }
}

/// A line of three or more `-`, `*` or `_` (spaces allowed) that only separates parts,
/// or of `=` that underlines no heading: quoted, it would only be noise in a passage.
fn is_thematic_break(line: &str) -> bool {
    let marks: Vec<char> = line.chars().filter(|c| !c.is_whitespace()).collect();
    marks.len() >= 3
        && matches!(marks[0], '-' | '*' | '_' | '=')
        && marks.iter().all(|&c| c == marks[0])
}

/// The fence that opens a code block, if `trimmed` starts one.
fn code_fence(trimmed: &str) -> Option<&'static str> {
    ["```", "~~~"]
        .into_iter()
        .find(|fence| trimmed.starts_with(fence))
}

/// Adds one line of passage text (`raw`, trailing space trimmed) to `section`: a new
/// paragraph, a list item, or the continuation of a wrapped line. `after_break`: a blank
/// line or a heading came just before.
fn add_body_line(section: &mut Section, raw: &str, line_no: usize, after_break: bool) {
    let trimmed = raw.trim_start();
    let indented = raw.starts_with("  ") || raw.starts_with('\t');
    // A list item, or one nested deeper than a top-level marker may stand ("    - twice a
    // day" under "- By injection:"), which keeps its indentation: read as a wrapped
    // line, a dosing schedule would run into one line.
    let item = list_item_text(raw).is_some() || (indented && list_item_text(trimmed).is_some());
    // A table row or a quoted line is a line of its own, never a wrapped one.
    let own_line = trimmed.starts_with('|') || trimmed.starts_with('>');
    let new_line = |list_item| {
        let text = if list_item && indented { raw } else { trimmed }.to_string();
        BlockLine {
            line: line_no,
            last_line: line_no,
            first_line_end: text.len(),
            text,
            list_item,
        }
    };
    let last_block = section.blocks.last_mut();
    match (item, last_block) {
        // A list item joins the block above it, blank line or not: the list belongs
        // to the sentence that introduces it.
        (true, Some(block)) if !block.lines.is_empty() => block.lines.push(new_line(true)),
        (true, _) => section.blocks.push(Block {
            lines: vec![new_line(true)],
        }),
        (false, Some(block)) if own_line && !after_break && !block.lines.is_empty() => {
            block.lines.push(new_line(false))
        }
        // A wrapped line continues its paragraph or list item.
        (false, Some(block))
            if !own_line
                && block
                    .lines
                    .last()
                    .is_some_and(|last| !after_break || (last.list_item && indented)) =>
        {
            let last = block.lines.last_mut().expect("checked in the guard");
            last.text.push(' ');
            last.text.push_str(trimmed);
            last.last_line = line_no;
        }
        (false, _) => section.blocks.push(Block {
            lines: vec![new_line(false)],
        }),
    }
}

/// The `key: value` fields between the `---` at index `opening` of `lines` and the next
/// `---`, and the index of the line after it.
fn parse_front_matter(
    path: &Path,
    lines: &[&str],
    opening: usize,
    problems: &mut Vec<Problem>,
) -> (Vec<Field>, usize) {
    let mut fields: Vec<Field> = Vec::new();
    for (offset, raw) in lines.iter().enumerate().skip(opening + 1) {
        let line_no = offset + 1;
        let line = raw.trim();
        if line == "---" {
            for field in &mut fields {
                field.value = unquote(&field.value);
            }
            return (fields, offset + 1);
        }
        // A topic heading: the closing `---` was forgotten, and without this every
        // heading and passage down to the next `---` (a rule in the body) would vanish
        // into the front matter as comments and unknown keys.
        if line.starts_with("##") {
            problems.push(Problem::error(
                path,
                Some(opening + 1),
                format!(
                    "the front matter opened on line {} is never closed before the heading on line {line_no}: add a line `---` after line {}",
                    opening + 1,
                    fields.last().map_or(opening + 1, |field| field.line)
                ),
            ));
            return (fields, offset);
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // YAML's indented or `- ` continuation of the field above (`tags:` then `  - loss`,
        // or a long `title: >` folded over lines).
        let continues = raw.starts_with([' ', '\t']) || line.starts_with("- ");
        if continues && let Some(field) = fields.last_mut() {
            if [">", "|", ">-", "|-", ">+", "|+"].contains(&field.value.as_str()) {
                field.value.clear();
            }
            if !field.value.is_empty() {
                field.value.push(' ');
            }
            field.value.push_str(line);
            continue;
        }
        match line.split_once(':') {
            Some((key, value))
                if !key.trim().is_empty()
                    && key
                        .trim()
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
            {
                fields.push(Field {
                    key: key.trim().to_string(),
                    value: value.trim().to_string(),
                    line: line_no,
                });
            }
            _ => problems.push(Problem::error(
                path,
                Some(line_no),
                format!(
                    "front matter lines must look like `key: value`, found `{}` (if the front matter should end above this line, add a line `---` there)",
                    shorten(line)
                ),
            )),
        }
    }
    problems.push(Problem::error(
        path,
        Some(opening + 1),
        format!(
            "the front matter opened on line {} is never closed: add a line `---` after the last `key: value` line",
            opening + 1
        ),
    ));
    (fields, lines.len())
}

/// `line` without `prefix`, if it starts with it in any case ("also asked:").
fn strip_prefix_ignore_case<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let head = line.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &line[prefix.len()..])
}

/// A heading's title as members should see it: a title all in bold or italics
/// (`## **Signs**`, which Lantern would show in bold twice over) loses the marks, and runs
/// of spaces are one, so two spellings of one title are one topic. Characters that render
/// as nothing go (a zero-width space would make a second "Signs of a miscarriage"), and a
/// title with no letter or digit left (`## **`, `## \u{200b}`) is no title.
fn plain_title(title: &str) -> String {
    let visible: String = title
        .chars()
        .filter(|c| !crate::text::is_invisible(*c))
        .collect();
    if !visible.chars().any(char::is_alphanumeric) {
        return String::new();
    }
    let spaced = visible.split_whitespace().collect::<Vec<_>>().join(" ");
    for mark in ["**", "__", "*", "_"] {
        if let Some(inner) = spaced
            .strip_prefix(mark)
            .and_then(|t| t.strip_suffix(mark))
            .filter(|inner| !inner.is_empty() && !inner.contains(mark))
        {
            return inner.trim().to_string();
        }
    }
    spaced
}

/// The run of hashes starting `raw` when it was meant as a heading but is not one:
/// `##Title`, or hashes followed by a no-break space (as pasted from a word processor).
/// One `#` before a word is a hashtag or "#1", and is left alone.
fn looks_like_a_heading(raw: &str) -> Option<&str> {
    let (hashes, rest) = heading_marks(raw)?;
    let after = rest.chars().next();
    let meant =
        after == Some('\u{a0}') || (hashes.len() >= 2 && after.is_some_and(char::is_alphabetic));
    meant.then_some(hashes)
}

/// What follows the `Also asked:` label starting `line`, written in any of the ways a
/// preview shows alike: any case, in bold or italics (`**Also asked:**`, `_Also
/// asked_:`), with any spaces between the words or before the colon (a no-break space
/// pasted from a word processor), or with a semicolon for the colon. Read otherwise, the
/// label would be quoted to members as the topic's answer.
fn after_also_asked(line: &str) -> Option<&str> {
    let emphasis = ['*', '_'];
    let (first, second) = ALSO_ASKED.trim_end_matches(':').split_once(' ')?;
    let rest = strip_prefix_ignore_case(line.trim_start().trim_start_matches(emphasis), first)?;
    let spaced = rest.trim_start();
    if spaced.len() == rest.len() {
        return None;
    }
    let colon = strip_prefix_ignore_case(spaced, second)?
        .trim_start_matches(emphasis)
        .trim_start();
    let phrases = colon
        .strip_prefix(':')
        .or_else(|| colon.strip_prefix(';'))?;
    Some(phrases.trim_start_matches(emphasis))
}

/// Whether `line` is an `Also asked:` label [`after_also_asked`] does not take: "Also
/// ask:", "Also-asked:", "AlsoAsked:", "Also asked -", "Also asked =". Only with a mark
/// after the label, so a sentence such as "Also ask your midwife about iron" is text.
fn misspells_also_asked(line: &str) -> bool {
    if after_also_asked(line).is_some() {
        return false;
    }
    let line = line.trim_start().trim_start_matches(['*', '_']);
    let Some(rest) = strip_prefix_ignore_case(line, "also") else {
        return false;
    };
    let rest = rest.trim_start_matches([' ', '-', '_', '\u{a0}']);
    let Some(rest) = strip_prefix_ignore_case(rest, "ask") else {
        return false;
    };
    let rest = ["ed", "s"]
        .iter()
        .find_map(|ending| strip_prefix_ignore_case(rest, ending))
        .unwrap_or(rest);
    rest.trim_start_matches(['*', '_', ' ', '\u{a0}'])
        .starts_with([':', ';', '-', '=', '\u{2013}', '\u{2014}'])
}

/// The text after a list marker (`1.`, `2)`, `-`, `*`, `+`), if `line` is a list item.
pub(crate) fn list_item_text(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let digits = trimmed.chars().take_while(|c| c.is_ascii_digit()).count();
    let rest = if (1..=3).contains(&digits) {
        trimmed[digits..].strip_prefix(['.', ')'])?
    } else {
        trimmed.strip_prefix(['-', '*', '+'])?
    };
    rest.strip_prefix([' ', '\t']).map(str::trim)
}

/// A YAML scalar without its quotes: `'It''s'` is "It's", `"say \"hi\""` is `say "hi"`.
/// A value that only starts and ends with a quote (`'a' and 'b'`) is left as written.
fn unquote(value: &str) -> String {
    let inside = |quote: char| {
        value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
    };
    if let Some(single) = inside('\'').filter(|v| !v.replace("''", "").contains('\'')) {
        single.replace("''", "'")
    } else if let Some(unescaped) = inside('"').and_then(unescape_double_quoted) {
        unescaped
    } else {
        value.to_string()
    }
}

/// The text of a double-quoted YAML scalar, or `None` when a bare `"` inside shows the
/// quotes were not around the whole value. Read in one pass, so `\\"` is a backslash
/// then a quote. Front matter values are one-line labels, so `\n` and `\t` read as a
/// space rather than breaking the line they are shown on. Only the escapes people type
/// by hand are read (`\"`, `\\`, `\/`, `\n`, `\t`, `\r`, `\uXXXX`); any other stays as
/// typed.
fn unescape_double_quoted(inside: &str) -> Option<String> {
    let mut text = String::with_capacity(inside.len());
    let mut chars = inside.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => match chars.next() {
                Some(escaped @ ('"' | '\\' | '/')) => text.push(escaped),
                Some('n' | 't' | 'r') => text.push(' '),
                Some('u') => match unicode_escape(&mut chars) {
                    Some(decoded) => text.push(decoded),
                    None => text.push_str("\\u"),
                },
                Some(other) => {
                    text.push('\\');
                    text.push(other);
                }
                None => text.push('\\'),
            },
            _ => text.push(c),
        }
    }
    Some(text)
}

/// The character of a `\uXXXX` escape whose `\u` has been read; `chars` is left where it
/// was when the four hex digits are not there or name no character.
fn unicode_escape(chars: &mut std::str::Chars) -> Option<char> {
    let digits = chars
        .as_str()
        .get(..4)
        .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))?;
    let decoded = u32::from_str_radix(digits, 16)
        .ok()
        .and_then(char::from_u32)?;
    *chars = chars.as_str()[4..].chars();
    Some(decoded)
}

/// A line cut for quoting inside an error message: 60 characters, then "…".
pub(crate) fn shorten(text: &str) -> String {
    crate::text::limits::ellipsize(text, 61)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document and every problem, for tests that expect some.
    fn parse_all(text: &str, headings: Headings) -> (Document, Vec<Problem>) {
        let mut problems = Vec::new();
        let document = parse(Path::new("t.md"), text, headings, &mut problems);
        (document, problems)
    }

    fn parse_ok(text: &str) -> Document {
        parse_ok_as(text, Headings::Topics)
    }

    fn parse_ok_as(text: &str, headings: Headings) -> Document {
        let (document, problems) = parse_all(text, headings);
        assert!(problems.is_empty(), "{problems:?}");
        document
    }

    #[test]
    fn list_stays_with_its_introduction_even_after_a_blank_line() {
        let document = parse_ok("## Causes\n\nThey are:\n\n1. one\n2. two\n\nNext paragraph.\n");
        let blocks = &document.sections[0].blocks;
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].text(), "They are:\n1. one\n2. two");
        assert_eq!(blocks[1].text(), "Next paragraph.");
        assert_eq!(blocks[1].line(), 8);
    }

    #[test]
    fn wrapped_lines_join_with_a_space() {
        let document = parse_ok("## T\nfirst half\nsecond half\n\n- item\n  continued\n");
        assert_eq!(
            document.sections[0].blocks[0].text(),
            "first half second half\n- item continued"
        );
    }

    #[test]
    fn blank_lines_above_the_front_matter_are_skipped() {
        let document = parse_ok("\n  \n---\ntitle: A\n---\n## T\ntext\n");
        assert_eq!(document.front_matter.unwrap()[0].line, 4);
        assert_eq!(document.sections[0].heading, "T");
    }

    #[test]
    fn front_matter_and_comments() {
        let document = parse_ok(
            "---\ntitle: \"A\"\nsource: b: c\n---\n<!-- note\nstill note -->\n## T\ntext\n",
        );
        let fields = document.front_matter.unwrap();
        assert_eq!(fields[0].value, "A");
        assert_eq!(fields[1].value, "b: c");
        assert_eq!(document.sections[0].line, 7);
    }

    #[test]
    fn also_asked_lines_sit_under_the_heading() {
        let document = parse_ok(
            "## T\nAlso asked: is it safe; when\nalso ASKED: more\n**Also asked:** bold\nAlso asked : spaced\n_Also asked_: italic\n\
             Also\u{a0}asked: pasted\nAlso  asked; slipped\nThe passage.\n",
        );
        let section = &document.sections[0];
        assert_eq!(
            section.also_asked,
            [
                (2, "is it safe; when".to_string()),
                (3, "more".to_string()),
                (4, "bold".to_string()),
                (5, "spaced".to_string()),
                (6, "italic".to_string()),
                (7, "pasted".to_string()),
                (8, "slipped".to_string())
            ]
        );
        assert_eq!(section.blocks.len(), 1);
        assert_eq!(section.blocks[0].text(), "The passage.");

        let (_, problems) = parse_all("## T\nThe passage.\nAlso asked: late\n", Headings::Topics);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(3));
        assert!(
            problems[0]
                .message
                .contains("directly under the topic heading (line 1)")
        );
    }

    /// A nested list, a table and a quote keep their lines: joined into one, a dosing
    /// schedule would read as a run-on sentence.
    #[test]
    fn nested_lists_tables_and_quotes_keep_their_lines() {
        let document = parse_ok(
            "## Doses\n\nIt is given in two ways:\n- By injection:\n    - once a day before 12 weeks\n  \
             - twice a day after\n- By mouth.\n\n| Week | Dose |\n|---|---|\n| 12 | 40 mg |\n\n\
             > A quoted note\n> over two lines\n",
        );
        let blocks = &document.sections[0].blocks;
        assert_eq!(
            blocks[0].text(),
            "It is given in two ways:\n- By injection:\n    - once a day before 12 weeks\n  \
             - twice a day after\n- By mouth."
        );
        assert_eq!(
            blocks[1].text(),
            "| Week | Dose |\n|---|---|\n| 12 | 40 mg |"
        );
        assert_eq!(blocks[2].text(), "> A quoted note\n> over two lines");
    }

    #[test]
    fn an_indented_heading_is_named() {
        for indented in ["\t## Dosage", "    ## Dosage"] {
            let (_, problems) = parse_all(
                &format!("## Iron\n\nText.\n{indented}\nMore.\n"),
                Headings::Topics,
            );
            assert!(
                problems
                    .iter()
                    .any(|p| p.line == Some(4) && p.message.contains("heading is indented")),
                "{indented:?}: {problems:?}"
            );
        }
    }

    #[test]
    fn a_title_is_what_shows() {
        let document = parse_ok("## Signs of a miscarriage\u{200b}\n\nText.\n");
        assert_eq!(document.sections[0].heading, "Signs of a miscarriage");
        for unseen in ["## \u{200b}\n\nText.\n", "## **\n\nText.\n"] {
            let (_, problems) = parse_all(unseen, Headings::Topics);
            assert!(
                problems
                    .iter()
                    .any(|p| p.line == Some(1) && p.message.contains("has no title")),
                "{unseen:?}: {problems:?}"
            );
        }
    }

    #[test]
    fn markdown_habits_become_topics_not_errors() {
        let document = parse_ok(
            "---\ntitle: Iron\n---\n# Iron in pregnancy\n\nAn introduction.\n\n## Food\n\nEat greens.\n\n\
             ## Signs\n\n### Low iron\n\nTiredness.\n\n#1 tip: rest. #iron\n\n#### Deeper ##\nMore.\n\n\
             ## Vitamin C#\n\nHelps.\n",
        );
        let headings: Vec<_> = document
            .sections
            .iter()
            .map(|s| s.heading.as_str())
            .collect();
        // "## Signs" only groups its sub-heading, which keeps its subject in its title.
        assert_eq!(
            headings,
            [
                "Iron in pregnancy",
                "Food",
                "Signs: Low iron",
                "Low iron: Deeper",
                "Vitamin C#"
            ]
        );
        assert_eq!(document.sections[0].level, INTRODUCTION);
        assert_eq!(document.sections[0].blocks[0].text(), "An introduction.");
        assert_eq!(document.sections[2].blocks[1].text(), "#1 tip: rest. #iron");
        assert_eq!(document.sections[3].line, 20);
    }

    #[test]
    fn code_is_text_even_where_it_starts_with_a_hash() {
        let (document, problems) = parse_all(
            "## Keeping a log\n\nKeep a log:\n```\n# date  site\n2026-11-01 thigh\n```\nBring it.\n\n    # indented\n",
            Headings::Topics,
        );
        // Read as text, and named: quoted, it would show as a heading.
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("heading is indented"));
        let section = &document.sections[0];
        assert_eq!(document.sections.len(), 1);
        assert_eq!(
            section.blocks[0].text(),
            "Keep a log:\n```\n# date  site\n2026-11-01 thigh\n```"
        );
        assert_eq!(section.blocks[1].text(), "Bring it.");
        assert_eq!(section.blocks[2].text(), "# indented");
    }

    #[test]
    fn a_code_block_left_open_is_an_error_not_a_swallowed_article() {
        let (document, problems) = parse_all(
            "## A\n\nLog:\n```\n# date\n\n## B\n\nText.\n",
            Headings::Topics,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(4));
        assert!(problems[0].message.contains("never closed"));
        assert_eq!(document.sections.len(), 1);
    }

    #[test]
    fn code_before_any_heading_is_the_introduction_or_one_error() {
        let document = parse_ok("---\ntitle: Iron\n---\n```\n# log\n```\n## A\nx\n");
        assert_eq!(document.sections[0].heading, "Iron");
        assert_eq!(document.sections[0].blocks[0].text(), "```\n# log\n```");

        let (_, problems) = parse_all("```\n# log\nmore\n```\n## A\nx\n", Headings::Topics);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(1));
    }

    #[test]
    fn comments_and_separators_are_not_quoted() {
        let document = parse_ok(
            "## A\nKeep <!-- a note --> this.\n<!-- a note\nover lines -->\nand this.\n\n---\n\n<!-- ``` -->\nNext.\n",
        );
        let blocks: Vec<_> = document.sections[0]
            .blocks
            .iter()
            .map(Block::text)
            .collect();
        assert_eq!(blocks, ["Keep this. and this.", "Next."]);
        let document = parse_ok("## A\nFirst <!-- a note -->, then second.\n====\nThird.\n");
        let blocks: Vec<_> = document.sections[0]
            .blocks
            .iter()
            .map(Block::text)
            .collect();
        assert_eq!(blocks, ["First, then second.", "Third."]);
    }

    #[test]
    fn a_heading_without_its_space_is_text_with_a_warning() {
        let (document, problems) = parse_all(
            "## A\nText.\n\n##Cramps\nMore.\n\n#\u{a0}Pasted\n\n#hashtag and #1 tip\n",
            Headings::Topics,
        );
        assert_eq!(document.sections.len(), 1);
        let lines: Vec<_> = problems.iter().map(|p| (p.line, p.is_error())).collect();
        assert_eq!(lines, [(Some(4), false), (Some(7), false)], "{problems:?}");
        assert!(problems[0].message.contains("write `## Title`"));
        assert!(problems[1].message.contains("write `# Title`"));
    }

    #[test]
    fn a_title_in_bold_or_with_doubled_spaces_reads_plain() {
        let document =
            parse_ok("## **Signs of a miscarriage**\nA.\n## _When_  to worry\nB.\n## *Why*\nC.\n");
        let titles: Vec<_> = document
            .sections
            .iter()
            .map(|s| s.heading.as_str())
            .collect();
        assert_eq!(titles, ["Signs of a miscarriage", "_When_ to worry", "Why"]);
    }

    #[test]
    fn a_comment_never_closed_is_an_error_at_its_line() {
        let (document, problems) = parse_all(
            "## A\nKept.\n\n<!-- TODO\n## B\nHidden.\n",
            Headings::Topics,
        );
        assert_eq!(document.sections.len(), 1);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(4));
        assert!(problems[0].is_error());
        assert!(problems[0].to_string().contains("never closed"));
    }

    #[test]
    fn underlined_lines_are_headings_as_markdown_previews_show_them() {
        let document = parse_ok(
            "Iron in pregnancy\n=================\nWhy it matters.\n\nSigns of low iron\n---\nTiredness and\nmore\n---\nLast.\n",
        );
        let sections: Vec<_> = document
            .sections
            .iter()
            .map(|s| (s.heading.as_str(), s.level, s.blocks.len()))
            .collect();
        // The `=` line titles the article (and so its introduction); a `---` under a
        // paragraph's later line only separates.
        assert_eq!(
            sections,
            [
                ("Iron in pregnancy", INTRODUCTION, 1),
                ("Signs of low iron", 2, 2)
            ]
        );
        assert_eq!(document.sections[0].blocks[0].text(), "Why it matters.");
        assert_eq!(document.sections[1].line, 5);
        assert_eq!(document.sections[1].blocks[0].text(), "Tiredness and more");

        // A list item, a sentence or a line too long for a title over dashes, and
        // `safety.md`, keep their plain reading: the dashes only separate.
        let long = "word ".repeat(30);
        let document = parse_ok(&format!(
            "## A\n- item\n---\nx\n\nA whole sentence.\n---\ny\n\nthen;\n---\n\n{long}\n---\n"
        ));
        assert_eq!(document.sections.len(), 1);
        assert_eq!(document.sections[0].blocks.len(), 6);
        // An underlined line with nothing under it goes back to being a paragraph, unless
        // it groups the sub-headings below it.
        let document =
            parse_ok("## A\nx\n\nSources: NHS and RCOG\n---\n## B\ny\n\nWith love\n---\n");
        let blocks: Vec<_> = document.sections.iter().map(|s| s.blocks.len()).collect();
        assert_eq!(blocks, [2, 2]);
        assert_eq!(document.sections[1].blocks[1].text(), "With love");
        let document = parse_ok("## A\nx\n\nIron\n---\n### Foods\ny\n");
        assert_eq!(document.sections[1].heading, "Iron: Foods");
        // Nor does a stray paragraph's second line become a heading.
        let (document, problems) = parse_all("Stray\nmore\n---\n## A\nx\n", Headings::Topics);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(document.sections.len(), 1);
        let document = parse_ok_as("## disclaimer\n\nkey\n---\nx\n", Headings::Keys);
        assert_eq!(document.sections.len(), 1);
    }

    #[test]
    fn front_matter_values_lose_either_kind_of_quotes() {
        let document = parse_ok(
            "---\ntitle: 'It''s not your fault'\nsource: \"The \\\"Tommy's\\\" guide\"\nx: '\ny: 'a' and 'b'\n\
             z: \"one\\ntwo \\u00e9 \\\\\\\" \\q \\u+0e9 \\u12\"\nw: \"a\" and \"b\"\n---\n## T\nx\n",
        );
        let values: Vec<_> = document
            .front_matter
            .unwrap()
            .into_iter()
            .map(|f| f.value)
            .collect();
        assert_eq!(
            values,
            [
                "It's not your fault",
                "The \"Tommy's\" guide",
                "'",
                "'a' and 'b'",
                "one two é \\\" \\q \\u+0e9 \\u12",
                "\"a\" and \"b\""
            ]
        );
    }

    #[test]
    fn a_keyed_file_holds_key_sections_only() {
        let (document, problems) = parse_all(
            "# Safety texts\nRead me.\n#1 rule\n\n## disclaimer\nText.\n### sub\nmore\n",
            Headings::Keys,
        );
        let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(1), Some(2), Some(7)], "{problems:?}");
        assert_eq!(document.sections.len(), 1);
        assert_eq!(document.sections[0].heading, "disclaimer");

        // `Also asked:` means nothing there: it is the section's text like any other.
        let document = parse_ok_as("## disclaimer\nAlso asked: x\n", Headings::Keys);
        assert_eq!(document.sections[0].blocks[0].text(), "Also asked: x");
    }

    #[test]
    fn an_introduction_without_a_title_line_takes_the_front_matter_title() {
        let document = parse_ok("---\ntitle: Iron\n---\nIntro.\n## A\nx\n");
        let headings: Vec<_> = document
            .sections
            .iter()
            .map(|s| s.heading.as_str())
            .collect();
        assert_eq!(headings, ["Iron", "A"]);
        assert_eq!(document.sections[0].line, 4);
    }

    #[test]
    fn yaml_continuation_lines_belong_to_the_field_above() {
        let document = parse_ok(
            "---\ntitle: >\n  Iron and anaemia\n  in pregnancy\ndate-created: 2026\ntags:\n  - loss\n- grief\n\
             source: \"NHS,\n  RCOG\"\n---\n## T\nx\n",
        );
        let fields = document.front_matter.unwrap();
        let values: Vec<_> = fields
            .iter()
            .map(|f| (f.key.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(
            values,
            [
                ("title", "Iron and anaemia in pregnancy"),
                ("date-created", "2026"),
                ("tags", "- loss - grief"),
                ("source", "NHS, RCOG"),
            ]
        );
    }

    #[test]
    fn structural_errors_name_their_line() {
        let (_, problems) = parse_all("---\ntitle A\n---\nstray\n# H1\n##\n", Headings::Topics);
        let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(2), Some(4), Some(6)]);

        let (_, problems) = parse_all("---\ntitle: A\n", Headings::Topics);
        assert!(problems[0].message.contains("never closed"));
    }

    #[test]
    fn an_also_asked_label_spelt_another_way_is_named() {
        for label in [
            "Also ask: how much iron",
            "Also-asked: how much iron",
            "AlsoAsked: how much iron",
            "Also asked - how much iron",
            "Also asked = how much iron",
        ] {
            assert!(misspells_also_asked(label), "{label}");
        }
        for text in [
            "Also ask your midwife about iron.",
            "Also, asking early helps.",
            "Also asked: how much iron",
        ] {
            assert!(!misspells_also_asked(text), "{text}");
        }
    }

    #[test]
    fn a_heading_inside_the_front_matter_means_it_was_never_closed() {
        let source = "---\ntitle: A\nsource: S\n\n## Dose\nTake one.\n";
        let (document, problems) = parse_all(source, Headings::Topics);
        assert_eq!(problems[0].line, Some(1));
        assert!(
            problems[0].message.contains(
                "never closed before the heading on line 5: add a line `---` after line 3"
            ),
            "{}",
            problems[0].message
        );
        assert_eq!(document.sections[0].heading, "Dose");
    }
}
