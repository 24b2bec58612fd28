//! Command lines shortened to fit a row: paths under well-known places
//! named by them (`~`, `$SWOP_HOME`), then the middle of long paths left
//! out, then the end of what is still too long. For people only: JSON and
//! files keep every byte.

/// What stands for what is left out.
const ELLIPSIS: &str = "...";

/// `text` with each path under one of `places` (a folder, and the name that
/// stands for it) starting with that name instead: `/home/me/x` is `~/x`.
/// A place counts where a path starts (at the start, after a space, `=`,
/// `:` or a quote) and ends (at its end, a `/`, a space or a quote); the
/// longest place that fits is taken.
pub fn shorten_paths(text: &str, places: &[(&str, &str)]) -> String {
    let mut places: Vec<&(&str, &str)> = places
        .iter()
        .filter(|(folder, _)| folder.len() > 1 && folder.starts_with('/'))
        .collect();
    places.sort_by_key(|(folder, _)| std::cmp::Reverse(folder.len()));
    let starts_path = |before: Option<char>| {
        before.is_none_or(|c| c.is_whitespace() || matches!(c, '=' | ':' | '\'' | '"' | '('))
    };
    let ends_path = |after: Option<char>| {
        after.is_none_or(|c| c == '/' || c.is_whitespace() || matches!(c, '\'' | '"' | ')'))
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let before = out.chars().next_back();
        let found = places.iter().find(|(folder, _)| {
            rest.starts_with(folder)
                && starts_path(before)
                && ends_path(rest[folder.len()..].chars().next())
        });
        match found {
            Some((folder, name)) => {
                out.push_str(name);
                rest = &rest[folder.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// `command` in at most `width` characters: the longest paths lose the
/// folders in their middle first (`~/a/.../y/tool`, then `~/.../tool`),
/// then the end is cut, marked by `...`.
pub fn fit(command: &str, width: usize) -> String {
    // Each word takes a column at least: those past `width` are cut
    // whatever happens, and need no shortening (a 700 KB linker line
    // would otherwise be shortened word by word, pass after pass).
    let mut words: Vec<String> = command
        .split(' ')
        .take(width + 1)
        .map(str::to_string)
        .collect();
    let length = |words: &[String]| words.iter().map(|w| w.chars().count() + 1).sum::<usize>() - 1;
    while length(&words) > width {
        let next = words
            .iter()
            .enumerate()
            .filter_map(|(i, w)| Some((i, shorter(w)?)))
            .max_by_key(|(i, _)| words[*i].chars().count());
        let Some((i, shorter)) = next else {
            break;
        };
        words[i] = shorter;
    }
    let text = words.join(" ");
    if text.chars().count() <= width {
        return text;
    }
    let kept: String = text
        .chars()
        .take(width.saturating_sub(ELLIPSIS.len()))
        .collect();
    kept + ELLIPSIS
}

/// A path with fewer names in its middle: the first two and the last two
/// kept, else the first and the last; `None` when it is as short as that.
fn shorter(word: &str) -> Option<String> {
    let parts: Vec<&str> = word.split('/').collect();
    let n = parts.len();
    [2, 1]
        .into_iter()
        .filter(|keep| n > 2 * keep)
        .find_map(|keep| {
            let kept: Vec<&str> = parts[..keep]
                .iter()
                .chain(&[ELLIPSIS])
                .chain(&parts[n - keep..])
                .copied()
                .collect();
            let kept = kept.join("/");
            (kept.chars().count() < word.chars().count()).then_some(kept)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLACES: [(&str, &str); 2] = [
        ("/home/me", "~"),
        ("/home/me/.local/share/swop", "$SWOP_HOME"),
    ];

    #[test]
    fn places_are_named_where_a_path_starts() {
        assert_eq!(
            shorten_paths(
                "/home/me/.local/share/swop/profiles/work/CODEX_HOME/bin/codex --log=/home/me/x.log",
                &PLACES
            ),
            "$SWOP_HOME/profiles/work/CODEX_HOME/bin/codex --log=~/x.log"
        );
        assert_eq!(shorten_paths("cd /home/me", &PLACES), "cd ~");
        // Not where a path starts, nor a longer name that begins the same.
        for kept in ["/opt/home/me/x", "/home/meg/x", "a/home/me"] {
            assert_eq!(shorten_paths(kept, &PLACES), kept);
        }
    }

    #[test]
    fn long_paths_lose_their_middle_then_the_end_is_cut() {
        let command = "$SWOP_HOME/profiles/work/CODEX_HOME/packages/app-server-daemon/releases/0.171.0/bin/codex app-server --listen unix://";
        assert_eq!(
            fit(command, 61),
            "$SWOP_HOME/profiles/.../bin/codex app-server --listen unix://"
        );
        assert_eq!(
            fit(command, 48),
            "$SWOP_HOME/.../codex app-server --listen unix://"
        );
        assert_eq!(fit(command, 30), "$SWOP_HOME/.../codex app-se...");
        assert_eq!(fit(command, 30).chars().count(), 30);
        assert_eq!(fit("sleep 60", 60), "sleep 60");
    }
}
