//! The README's parts as the tests need them: a section, a subsection, and
//! the code blocks in them.

use std::fs;
use std::path::Path;

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn readme() -> String {
    fs::read_to_string(repo().join("README.md")).expect("read README.md")
}

/// The text of the `## ` section whose title starts with `title`.
#[track_caller]
pub fn section(title: &str) -> String {
    part("## ", title, &["\n## "])
}

/// The text of the `### ` subsection whose title starts with `title`.
#[track_caller]
pub fn subsection(title: &str) -> String {
    part("### ", title, &["\n## ", "\n### "])
}

/// From the heading `level title...` to the first of `ends` after it.
#[track_caller]
fn part(level: &str, title: &str, ends: &[&str]) -> String {
    let text = readme();
    let start = text
        .find(&format!("\n{level}{title}"))
        .unwrap_or_else(|| panic!("no section {title:?} in the README"));
    let rest = &text[start + 1..];
    let end = ends
        .iter()
        .filter_map(|e| rest[level.len()..].find(e))
        .min()
        .map_or(rest.len(), |e| e + level.len() + 1);
    rest[..end].to_string()
}

/// The `sh` code blocks of a piece of Markdown, each as its lines.
pub fn sh_blocks(markdown: &str) -> Vec<Vec<String>> {
    blocks(markdown, "sh")
}

/// The code blocks without a language (output samples), each as its lines,
/// those indented in a list included.
pub fn plain_blocks(markdown: &str) -> Vec<Vec<String>> {
    blocks(markdown, "")
}

fn blocks(markdown: &str, language: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    // The block we are in: its language, its fence's indent, its lines.
    let mut current: Option<(String, usize, Vec<String>)> = None;
    for line in markdown.lines() {
        let indent = line.len() - line.trim_start().len();
        let fence = line.trim().strip_prefix("```");
        match (&mut current, fence) {
            (None, Some(lang)) => current = Some((lang.to_string(), indent, Vec::new())),
            (Some(_), Some("")) => {
                let (lang, _, lines) = current.take().unwrap();
                if lang == language {
                    found.push(lines);
                }
            }
            (Some((_, fence_indent, lines)), _) => {
                let cut = indent.min(*fence_indent);
                lines.push(line[cut..].trim_end().to_string());
            }
            (None, None) => {}
        }
    }
    found
}

/// Markdown as one line of words, for finding a phrase however it was wrapped.
pub fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
