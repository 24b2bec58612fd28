//! Markdown that nothing shown in it can break out of. What a report shows
//! comes from the traced tool and the machine: a file name may hold a
//! newline and `## Limitations`, an `<!--` that hides the rest of the page,
//! backticks or `|`. Paths and commands go in code spans sized to their
//! content, prose is escaped, blocks are fenced longer than anything inside,
//! and no control character is written raw.

/// Control characters as visible escapes (`\n`, `\u{1b}`); newlines stay
/// when `lines` (inside a fenced block).
fn visible(text: &str, lines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && !(lines && c == '\n') {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The longest run of backticks in `text`.
fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// An inline code span that shows `text` exactly (control characters as
/// escapes): fenced by more backticks than any run inside, padded when the
/// text starts or ends with a backtick or a space.
pub fn code(text: &str) -> String {
    let text = visible(text, false);
    if text.is_empty() {
        return "` `".to_string();
    }
    let fence = "`".repeat(longest_backtick_run(&text) + 1);
    let pad = text.starts_with(['`', ' ']) || text.ends_with(['`', ' ']);
    let space = if pad { " " } else { "" };
    format!("{fence}{space}{text}{space}{fence}")
}

/// [`code`] in a table cell, where `|` ends the cell even inside a span.
pub fn code_cell(text: &str) -> String {
    code(text).replace('|', "\\|")
}

/// Prose that may hold code spans made by [`code`]: the spans are kept (a run
/// of backticks up to the next run of the same length, as Markdown reads
/// them), everything else that Markdown would read as markup is escaped.
pub fn inline(text: &str) -> String {
    render_inline(text, false)
}

/// [`inline`] in a table cell.
pub fn inline_cell(text: &str) -> String {
    render_inline(text, true)
}

fn render_inline(text: &str, cell: bool) -> String {
    let text = visible(text, false);
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text.as_str();
    let mut previous: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            let run = rest.len() - rest.trim_start_matches('`').len();
            if let Some(len) = span_len(rest, run) {
                let span = &rest[..len];
                out.push_str(&if cell {
                    span.replace('|', "\\|")
                } else {
                    span.to_string()
                });
                rest = &rest[len..];
                previous = Some('`');
                continue;
            }
            out.push_str(&"\\`".repeat(run));
            rest = &rest[run..];
            previous = Some('`');
            continue;
        }
        let next = rest[c.len_utf8()..].chars().next();
        if needs_escape(c, previous, next) {
            out.push('\\');
        }
        out.push(c);
        previous = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The length of the code span opened by `run` backticks at the start of
/// `text`: up to the next run of exactly as many.
fn span_len(text: &str, run: usize) -> Option<usize> {
    let mut at = run;
    while at < text.len() {
        let next = at + text[at..].find('`')?;
        let len = text[next..].len() - text[next..].trim_start_matches('`').len();
        if len == run {
            return Some(next + len);
        }
        at = next + len;
    }
    None
}

/// Whether `c` would be read as markup: HTML and comments, links, emphasis,
/// headings, quotes, table cells, escapes. An underscore inside a word
/// (`XDG_CONFIG_HOME`) is not.
fn needs_escape(c: char, previous: Option<char>, next: Option<char>) -> bool {
    match c {
        '\\' | '<' | '>' | '[' | ']' | '*' | '|' | '#' | '&' | '!' | '~' => true,
        '_' => {
            let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
            !(word(previous) && word(next))
        }
        _ => false,
    }
}

/// A fenced code block of `lines`, fenced longer than any backtick run in them.
pub fn fenced(info: &str, lines: &[String]) -> String {
    let body: Vec<String> = lines.iter().map(|l| visible(l, true)).collect();
    let longest = body
        .iter()
        .map(|l| longest_backtick_run(l))
        .max()
        .unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let mut out = format!("{fence}{info}\n");
    for line in body {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_anything() {
        assert_eq!(code("/a/b"), "`/a/b`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("x\n## Limitations"), "`x\\n## Limitations`");
        assert_eq!(code_cell("a|b"), "`a\\|b`");
    }

    #[test]
    fn prose_keeps_spans_and_escapes_markup() {
        assert_eq!(inline("write `$HOME/x` here"), "write `$HOME/x` here");
        assert_eq!(
            inline("x\n## Limitations\n<!-- a"),
            "x\\\\n\\#\\# Limitations\\\\n\\<\\!-- a"
        );
        assert_eq!(
            inline("XDG_CONFIG_HOME and _x_"),
            "XDG_CONFIG_HOME and \\_x\\_"
        );
        assert_eq!(inline("a ` b"), "a \\` b");
        assert_eq!(inline_cell("`a|b` | c"), "`a\\|b` \\| c");
    }

    #[test]
    fn fences_outgrow_their_content() {
        let block = fenced("sh", &["echo '```'".to_string()]);
        assert!(block.starts_with("````sh\n"), "{block}");
        assert!(block.ends_with("\n````\n"), "{block}");
    }
}
