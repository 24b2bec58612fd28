//! Text made safe for a terminal: control characters shown as escapes,
//! values quoted.

/// A value for a message: quoted, with control characters made visible.
pub fn quoted(s: &str) -> String {
    format!("{s:?}")
}

/// A value for one line of output: control characters (an escape sequence
/// that would recolour or retitle the terminal, a newline that would forge a
/// line) are shown as escapes, `\u{1b}`, and nothing else changes.
pub fn printable_line(text: &str) -> std::borrow::Cow<'_, str> {
    printable(text, false)
}

/// [`printable_line`] for a message of several lines: newlines and tabs stay.
pub fn printable_text(text: &str) -> std::borrow::Cow<'_, str> {
    printable(text, true)
}

fn printable(text: &str, lines: bool) -> std::borrow::Cow<'_, str> {
    let shown = |c: char| !c.is_control() || (lines && matches!(c, '\n' | '\t'));
    if text.chars().all(shown) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if shown(c) {
            out.push(c);
        } else {
            out.extend(c.escape_default());
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(printable_line("work"), "work");
        assert_eq!(
            printable_line("a\u{1b}]0;owned\u{7}b\nc"),
            "a\\u{1b}]0;owned\\u{7}b\\nc"
        );
        assert_eq!(printable_line("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(
            printable_text("one\ntwo\t\u{1b}[2J"),
            "one\ntwo\t\\u{1b}[2J"
        );
    }
}
