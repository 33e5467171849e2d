//! The small subset of Markdown that content files use: optional front matter,
//! headed sections, paragraphs and lists.
//!
//! Lantern quotes passages verbatim, so this reader never rewrites text: it only decides
//! where passages start and end. A list stays in the passage of the paragraph that
//! introduces it, because "They are:" means nothing without the list that follows.
//!
//! Topics are `## ` sections, but moderators write Markdown as they always have: a `# `
//! title line at the top, an introduction before the first `## `, `### ` sub-headings.
//! None of those may make an article fail to load (one failing file keeps the whole
//! folder from loading), so the title line names the article, the introduction becomes a
//! topic under the article's title, and a sub-heading starts a topic of its own.

use std::path::Path;

use super::problem::Problem;

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
    /// The heading's level (`## ` is 2); 1 for an introduction under the article's title.
    pub level: usize,
    pub line: usize,
    /// The `Also asked:` lines under the heading: what follows the colon, and the line.
    pub also_asked: Vec<(usize, String)>,
    pub blocks: Vec<Block>,
}

impl Section {
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
    pub text: String,
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

/// Reads `text`; structural problems are pushed to `problems` with `path` and line.
pub fn parse(path: &Path, text: &str, problems: &mut Vec<Problem>) -> Document {
    let lines: Vec<&str> = text.lines().collect();
    let mut document = Document::default();
    let mut index = 0;

    if lines.first().map(|l| l.trim_end()) == Some("---") {
        let (fields, next) = parse_front_matter(path, &lines, problems);
        document.front_matter = Some(fields);
        index = next;
    }

    let front_title = document
        .front_matter
        .iter()
        .flatten()
        .find(|field| field.key == "title")
        .map(|field| field.value.clone());
    // A `# ` line before any other text: the article's title, as Markdown files begin.
    let mut title_line: Option<String> = None;
    let mut seen_text = false;
    let mut in_comment = false;
    // Whether the previous line ended the current paragraph (a blank line or a heading).
    let mut after_break = true;
    while index < lines.len() {
        let line_no = index + 1;
        let raw = lines[index].trim_end();
        index += 1;

        if in_comment {
            in_comment = !raw.contains("-->");
            continue;
        }
        let trimmed = raw.trim_start();
        if trimmed.starts_with("<!--") {
            in_comment = !trimmed.contains("-->");
            continue;
        }
        if trimmed.is_empty() {
            after_break = true;
            continue;
        }
        if let Some((level, title)) = heading(trimmed) {
            let at_top = document.sections.is_empty() && title_line.is_none() && !seen_text;
            if level == 1 && at_top && !title.is_empty() {
                title_line = Some(title.to_string());
            } else {
                start_section(
                    &mut document.sections,
                    path,
                    level,
                    title,
                    line_no,
                    problems,
                );
            }
            after_break = true;
            continue;
        }

        if !seen_text {
            seen_text = true;
            open_introduction(&mut document.sections, &title_line, &front_title, line_no);
        }
        let Some(section) = document.sections.last_mut() else {
            problems.push(Problem::error(
                path,
                Some(line_no),
                "text before the first `## ` heading, in a file with no title: put a `## Topic title` heading above it",
            ));
            // Report the stray paragraph once, not once per line.
            while index < lines.len()
                && !lines[index].trim().is_empty()
                && !lines[index].trim_start().starts_with('#')
            {
                index += 1;
            }
            continue;
        };

        if let Some(rest) = strip_prefix_ignore_case(trimmed, ALSO_ASKED) {
            add_also_asked(section, rest, line_no, path, problems);
            after_break = true;
            continue;
        }

        add_body_line(section, raw, line_no, after_break);
        after_break = false;
    }
    document
}

/// Text before any heading is an introduction: a topic under the article's own title
/// (its `# ` line, else its front matter's), when it has one.
fn open_introduction(
    sections: &mut Vec<Section>,
    title_line: &Option<String>,
    front_title: &Option<String>,
    line_no: usize,
) {
    if sections.is_empty()
        && let Some(title) = title_line.as_ref().or(front_title.as_ref())
    {
        sections.push(Section::new(title.clone(), 1, line_no));
    }
}

/// Adds the phrases of an `Also asked:` line (`rest`, after the colon) to `section`,
/// where they belong only before its first passage.
fn add_also_asked(
    section: &mut Section,
    rest: &str,
    line_no: usize,
    path: &Path,
    problems: &mut Vec<Problem>,
) {
    if section.blocks.is_empty() {
        section.also_asked.push((line_no, rest.trim().to_string()));
    } else {
        problems.push(Problem::error(
            path,
            Some(line_no),
            format!(
                "`{ALSO_ASKED}` lines belong directly under the topic heading (line {}), before its first passage: move this line up",
                section.line
            ),
        ));
    }
}

/// A Markdown heading's level and title, if `trimmed` is one: one to six `#` and then a
/// space or the end of the line ("#1 tip" and "#hashtag" are text).
fn heading(trimmed: &str) -> Option<(usize, &str)> {
    let level = trimmed.chars().take_while(|&c| c == '#').count();
    let rest = &trimmed[level..];
    let is_heading = (1..=6).contains(&level) && (rest.is_empty() || rest.starts_with([' ', '\t']));
    // A closing run of hashes ("## Title ##") is decoration.
    is_heading.then(|| (level, rest.trim().trim_end_matches('#').trim_end()))
}

/// Starts the section of a heading at `level`. A heading with nothing of its own under
/// it before a deeper one ("## Iron" straight above "### Signs of low iron") only groups
/// its sub-headings, so it gives way to them instead of being a topic without a passage.
fn start_section(
    sections: &mut Vec<Section>,
    path: &Path,
    level: usize,
    title: &str,
    line_no: usize,
    problems: &mut Vec<Problem>,
) {
    if title.is_empty() {
        problems.push(Problem::error(
            path,
            Some(line_no),
            "this heading has no title: write the topic title after `## `",
        ));
        return;
    }
    if let Some(parent) = sections.last()
        && parent.level < level
        && parent.blocks.is_empty()
        && parent.also_asked.is_empty()
    {
        sections.pop();
    }
    sections.push(Section::new(title.to_string(), level, line_no));
}

/// Adds one line of passage text (`raw`, trailing space trimmed) to `section`: a new
/// paragraph, a list item, or the continuation of a wrapped line. `after_break`: a blank
/// line or a heading came just before.
fn add_body_line(section: &mut Section, raw: &str, line_no: usize, after_break: bool) {
    let trimmed = raw.trim_start();
    let item = list_item_text(raw);
    let indented = raw.starts_with("  ") || raw.starts_with('\t');
    let new_line = |list_item| BlockLine {
        line: line_no,
        text: trimmed.to_string(),
        list_item,
    };
    let last_block = section.blocks.last_mut();
    match (item, last_block) {
        // A list item joins the block above it, blank line or not: the list belongs
        // to the sentence that introduces it.
        (Some(_), Some(block)) if !block.lines.is_empty() => block.lines.push(new_line(true)),
        (Some(_), _) => section.blocks.push(Block {
            lines: vec![new_line(true)],
        }),
        // A wrapped line continues its paragraph or list item.
        (None, Some(block))
            if block
                .lines
                .last()
                .is_some_and(|last| !after_break || (last.list_item && indented)) =>
        {
            let last = block.lines.last_mut().expect("checked in the guard");
            last.text.push(' ');
            last.text.push_str(trimmed);
        }
        (None, _) => section.blocks.push(Block {
            lines: vec![new_line(false)],
        }),
    }
}

fn parse_front_matter(
    path: &Path,
    lines: &[&str],
    problems: &mut Vec<Problem>,
) -> (Vec<Field>, usize) {
    let mut fields = Vec::new();
    for (offset, raw) in lines.iter().enumerate().skip(1) {
        let line_no = offset + 1;
        let line = raw.trim();
        if line == "---" {
            return (fields, offset + 1);
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // YAML's indented or `- ` continuation of the field above (`tags:` then `  - loss`).
        let continues = raw.starts_with([' ', '\t']) || line.starts_with("- ");
        if continues && let Some(field) = fields.last_mut() {
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
                        .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                fields.push(Field {
                    key: key.trim().to_string(),
                    value: unquote(value.trim()).to_string(),
                    line: line_no,
                });
            }
            _ => problems.push(Problem::error(
                path,
                Some(line_no),
                format!(
                    "front matter lines must look like `key: value`, found `{}`",
                    shorten(line)
                ),
            )),
        }
    }
    problems.push(Problem::error(
        path,
        Some(1),
        "the front matter opened on line 1 is never closed: add a line `---` after the last `key: value` line",
    ));
    (fields, lines.len())
}

/// `line` without `prefix`, if it starts with it in any case ("also asked:").
fn strip_prefix_ignore_case<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let head = line.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &line[prefix.len()..])
}

/// The text after a list marker (`1.`, `2)`, `-`, `*`, `+`), if `line` is a list item.
fn list_item_text(line: &str) -> Option<&str> {
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

fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// A line cut for quoting inside an error message: 60 characters, then "…".
pub(crate) fn shorten(text: &str) -> String {
    crate::text::limits::ellipsize(text, 61)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Document {
        let mut problems = Vec::new();
        let document = parse(Path::new("t.md"), text, &mut problems);
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
        let document =
            parse_ok("## T\nAlso asked: is it safe; when\nalso ASKED: more\nThe passage.\n");
        let section = &document.sections[0];
        assert_eq!(
            section.also_asked,
            [(2, "is it safe; when".to_string()), (3, "more".to_string())]
        );
        assert_eq!(section.blocks.len(), 1);
        assert_eq!(section.blocks[0].text(), "The passage.");

        let mut problems = Vec::new();
        parse(
            Path::new("t.md"),
            "## T\nThe passage.\nAlso asked: late\n",
            &mut problems,
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(3));
        assert!(
            problems[0]
                .message
                .contains("directly under the topic heading (line 1)")
        );
    }

    #[test]
    fn markdown_habits_become_topics_not_errors() {
        let document = parse_ok(
            "---\ntitle: Iron\n---\n# Iron in pregnancy\n\nAn introduction.\n\n## Food\n\nEat greens.\n\n\
             ## Signs\n\n### Low iron\n\nTiredness.\n\n#1 tip: rest. #iron\n\n#### Deeper ##\nMore.\n",
        );
        let headings: Vec<_> = document
            .sections
            .iter()
            .map(|s| s.heading.as_str())
            .collect();
        // "## Signs" only groups its sub-heading, so it is not a topic without a passage.
        assert_eq!(
            headings,
            ["Iron in pregnancy", "Food", "Low iron", "Deeper"]
        );
        assert_eq!(document.sections[0].blocks[0].text(), "An introduction.");
        assert_eq!(document.sections[2].blocks[1].text(), "#1 tip: rest. #iron");
        assert_eq!(document.sections[3].line, 20);
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
        let document =
            parse_ok("---\ntitle: A\ntags:\n  - loss\n- grief\nsource: S\n---\n## T\nx\n");
        let fields = document.front_matter.unwrap();
        let values: Vec<_> = fields
            .iter()
            .map(|f| (f.key.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(
            values,
            [("title", "A"), ("tags", "- loss - grief"), ("source", "S")]
        );
    }

    #[test]
    fn structural_errors_name_their_line() {
        let mut problems = Vec::new();
        parse(
            Path::new("t.md"),
            "---\ntitle A\n---\nstray\n# H1\n##\n",
            &mut problems,
        );
        let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(2), Some(4), Some(6)]);

        problems.clear();
        parse(Path::new("t.md"), "---\ntitle: A\n", &mut problems);
        assert!(problems[0].message.contains("never closed"));
    }
}
