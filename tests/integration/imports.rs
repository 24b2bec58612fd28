//! The shape of `src/`: no module imports one that imports it back, each
//! layer of the README's Architecture imports only itself and the layers
//! below it, and only `src/sys` reaches into /proc or sends a signal.
//!
//! The graph is read from the code itself. Every module file is found by
//! following the `mod` declarations from `src/lib.rs`; an edge A -> B is a
//! path in A (a `use` tree or a path in the code, `crate::`, `super::`,
//! `self::`, a child module's name or a name imported from one) that resolves
//! to B, re-exports followed to where the item is defined.
//!
//! A folder is one unit with everything inside it: an edge between two
//! modules counts between the two siblings that hold them under the folder
//! they share (`discover::linux::runner -> discover::model` is `linux ->
//! model` inside `discover`, `lock::table -> residents` is `lock ->
//! residents` inside the crate), and an edge between a folder's own file and
//! what lies inside it does not count at all. So at every level the files
//! and folders of a folder import each other without a circle, whatever the
//! folder's `mod.rs` and its files share. Comments, strings and
//! `#[cfg(test)]` items do not count: tests may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// A module's path from the crate root: `["discover", "model"]`.
type ModPath = Vec<String>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    Colons,
    Punct(char),
    /// A string literal's text, as written (escapes not undone).
    Str(String),
}

/// The tokens of Rust source that matter for paths: identifiers, `::`,
/// punctuation and the text of strings; comments, characters and numbers
/// are dropped.
fn tokens(src: &str) -> Vec<Token> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == b'"' {
            let end = skip_string(b, i + 1);
            out.push(Token::Str(
                src[i + 1..end.saturating_sub(1).max(i + 1)].to_string(),
            ));
            i = end;
        } else if (c == b'r' || c == b'b') && raw_string_start(b, i).is_some() {
            let (hashes, start) = raw_string_start(b, i).unwrap_or_default();
            i = skip_raw_string(b, start, hashes);
            out.push(Token::Str(
                src[start..i.saturating_sub(1 + hashes).max(start)].to_string(),
            ));
        } else if c == b'b' && b.get(i + 1) == Some(&b'"') {
            i = skip_string(b, i + 2);
        } else if c == b'b' && b.get(i + 1) == Some(&b'\'') {
            i = skip_char(b, i + 1);
        } else if c == b'\'' {
            // A character literal, or a lifetime / label.
            let lifetime = b.get(i + 1).is_some_and(|&n| ident(n))
                && b.get(i + 2).is_some_and(|&n| n != b'\'');
            if lifetime {
                i += 1;
                while i < b.len() && ident(b[i]) {
                    i += 1;
                }
            } else {
                i = skip_char(b, i);
            }
        } else if c.is_ascii_digit() {
            while i < b.len() && (ident(b[i]) || b[i] == b'.') {
                i += 1;
            }
        } else if ident(c) {
            let start = i;
            while i < b.len() && ident(b[i]) {
                i += 1;
            }
            let word = &src[start..i];
            out.push(Token::Ident(
                word.strip_prefix("r#").unwrap_or(word).to_string(),
            ));
        } else if c == b':' && b.get(i + 1) == Some(&b':') {
            out.push(Token::Colons);
            i += 2;
        } else {
            if !c.is_ascii_whitespace() {
                out.push(Token::Punct(c as char));
            }
            i += 1;
        }
    }
    out
}

/// Past the closing quote of a string whose body starts at `i`.
fn skip_string(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// `r"`, `r#"`, `br##"`...: the number of hashes and where the body starts.
fn raw_string_start(b: &[u8], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if b.get(j) == Some(&b'b') {
        j += 1;
    }
    if b.get(j) != Some(&b'r') {
        return None;
    }
    // Not the end of an identifier such as `for` or `var`.
    if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') {
        return None;
    }
    j += 1;
    let hashes = b[j..].iter().take_while(|&&c| c == b'#').count();
    (b.get(j + hashes) == Some(&b'"')).then_some((hashes, j + hashes + 1))
}

fn skip_raw_string(b: &[u8], mut i: usize, hashes: usize) -> usize {
    while i < b.len() {
        if b[i] == b'"'
            && b[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == b'#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        i += 1;
    }
    i
}

/// Past a character literal starting at the quote at `i`.
fn skip_char(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    if b.get(j) == Some(&b'\\') {
        j += 2;
    } else {
        // One UTF-8 character.
        j += 1;
        while j < b.len() && (b[j] & 0xc0) == 0x80 {
            j += 1;
        }
    }
    while j < b.len() && b[j] != b'\'' {
        j += 1;
    }
    j + 1
}

/// The tokens without the items under `#[cfg(test)]`.
fn without_tests(tokens: Vec<Token>) -> Vec<Token> {
    let test_attr: Vec<Token> = ["#", "[", "cfg", "(", "test", ")", "]"]
        .iter()
        .map(|t| match *t {
            "cfg" | "test" => Token::Ident(t.to_string()),
            p => Token::Punct(p.chars().next().unwrap_or(' ')),
        })
        .collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i..].starts_with(&test_attr) {
            i += test_attr.len();
            // The item: up to a `;` or the end of its first block, at depth 0.
            let mut depth = 0usize;
            while i < tokens.len() {
                match &tokens[i] {
                    Token::Punct('{' | '(' | '[') => depth += 1,
                    Token::Punct('}' | ')' | ']') => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 && tokens[i] == Token::Punct('}') {
                            i += 1;
                            break;
                        }
                    }
                    Token::Punct(';') if depth == 0 => {
                        i += 1;
                        break;
                    }
                    _ => {}
                }
                i += 1;
            }
            continue;
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    out
}

/// One module file.
struct Module {
    file: PathBuf,
    tokens: Vec<Token>,
    /// Its child modules, by name.
    children: BTreeSet<String>,
}

/// Every module of the crate, found through the `mod` declarations.
fn modules(src: &Path) -> BTreeMap<ModPath, Module> {
    let mut found = BTreeMap::new();
    let mut todo = vec![(Vec::new(), src.join("lib.rs"))];
    while let Some((path, file)) = todo.pop() {
        let text = fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let tokens = without_tests(tokens(&text));
        let dir = match file.file_name().and_then(|n| n.to_str()) {
            Some("lib.rs" | "mod.rs") => file.parent().map(Path::to_path_buf),
            _ => Some(file.with_extension("")),
        }
        .unwrap_or_default();
        let mut children = BTreeSet::new();
        for (i, token) in tokens.iter().enumerate() {
            let (Token::Ident(kw), Some(Token::Ident(name)), Some(Token::Punct(';'))) =
                (token, tokens.get(i + 1), tokens.get(i + 2))
            else {
                continue;
            };
            if kw != "mod" {
                continue;
            }
            let flat = dir.join(format!("{name}.rs"));
            let nested = dir.join(name).join("mod.rs");
            let child = if flat.exists() { flat } else { nested };
            let mut child_path = path.clone();
            child_path.push(name.clone());
            children.insert(name.clone());
            todo.push((child_path, child));
        }
        found.insert(
            path,
            Module {
                file,
                tokens,
                children,
            },
        );
    }
    found
}

/// The paths a `use` tree starting at `tokens[i]` names, each as its
/// segments (a group's `self` names the group's prefix), with the name it
/// brings into scope; and the index past the tree.
fn use_tree(
    tokens: &[Token],
    mut i: usize,
    prefix: &[String],
) -> (Vec<(Vec<String>, String)>, usize) {
    let mut path = prefix.to_vec();
    let mut out = Vec::new();
    loop {
        match tokens.get(i) {
            Some(Token::Ident(word)) if word == "self" && !path.is_empty() => {
                let name = path.last().cloned().unwrap_or_default();
                i += 1;
                let name = alias(tokens, &mut i).unwrap_or(name);
                out.push((path.clone(), name));
                return (out, i);
            }
            Some(Token::Ident(word)) => {
                path.push(word.clone());
                i += 1;
                if tokens.get(i) == Some(&Token::Colons) {
                    i += 1;
                    continue;
                }
                let name = alias(tokens, &mut i).unwrap_or_else(|| word.clone());
                out.push((path, name));
                return (out, i);
            }
            Some(Token::Punct('*')) => {
                out.push((path, "*".to_string()));
                return (out, i + 1);
            }
            Some(Token::Punct('{')) => {
                i += 1;
                loop {
                    match tokens.get(i) {
                        Some(Token::Punct('}')) => return (out, i + 1),
                        Some(Token::Punct(',')) => i += 1,
                        None => return (out, i),
                        _ => {
                            let (inner, next) = use_tree(tokens, i, &path);
                            out.extend(inner);
                            i = next;
                        }
                    }
                }
            }
            _ => return (out, i),
        }
    }
}

/// `as NAME` after a use path.
fn alias(tokens: &[Token], i: &mut usize) -> Option<String> {
    match (tokens.get(*i), tokens.get(*i + 1)) {
        (Some(Token::Ident(kw)), Some(Token::Ident(name))) if kw == "as" => {
            *i += 2;
            Some(name.clone())
        }
        _ => None,
    }
}

/// What the graph is made of: the modules, and in each, its `use` trees
/// (absolute paths, by the name they bring in) and the paths in its code.
struct Crate {
    modules: BTreeMap<ModPath, Module>,
    /// Per module: name brought into scope -> absolute path.
    imports: BTreeMap<ModPath, Vec<(String, Vec<String>)>>,
}

impl Crate {
    fn read(src: &Path) -> Crate {
        let modules = modules(src);
        let mut imports = BTreeMap::new();
        for (path, module) in &modules {
            let mut here = Vec::new();
            let t = &module.tokens;
            let mut i = 0;
            while i < t.len() {
                if t[i] == Token::Ident("use".into()) {
                    let (trees, next) = use_tree(t, i + 1, &[]);
                    for (segments, name) in trees {
                        if let Some(abs) = absolute(&modules, path, &segments, &[]) {
                            here.push((name, abs));
                        }
                    }
                    i = next;
                } else {
                    i += 1;
                }
            }
            imports.insert(path.clone(), here);
        }
        Crate { modules, imports }
    }

    /// The module that `segments`, absolute, lead to: the deepest module on
    /// the way, then through the imports of that module for the next name
    /// (a re-export, or a private `use` that children see).
    fn target(&self, segments: &[String], depth: usize) -> Option<ModPath> {
        let mut module: ModPath = Vec::new();
        let mut rest = segments;
        while let Some((first, tail)) = rest.split_first() {
            if self.modules.get(&module)?.children.contains(first) {
                module.push(first.clone());
                rest = tail;
            } else {
                break;
            }
        }
        let Some(name) = rest.first() else {
            return Some(module);
        };
        if depth < 8
            && let Some((_, via)) = self.imports.get(&module)?.iter().find(|(n, _)| n == name)
        {
            let mut further = via.clone();
            further.extend(rest[1..].iter().cloned());
            if further.first().is_some_and(|f| f == "crate") {
                return self.target(&further[1..], depth + 1);
            }
            return Some(module);
        }
        Some(module)
    }

    /// Every edge of the graph, lifted to the siblings that hold its ends,
    /// each with the first path that makes it.
    fn edges(&self) -> BTreeMap<(ModPath, ModPath), String> {
        let mut edges = BTreeMap::new();
        for (path, module) in &self.modules {
            let imported = &self.imports[path];
            let t = &module.tokens;
            let mut i = 0;
            while i < t.len() {
                // `use` trees are the imports, read already.
                if t[i] == Token::Ident("use".into()) {
                    i = use_tree(t, i + 1, &[]).1;
                    continue;
                }
                // The start of a path: not after `::`, and followed by `::`.
                let starts = !matches!(i.checked_sub(1).map(|p| &t[p]), Some(Token::Colons));
                let (Token::Ident(first), true) = (&t[i], starts) else {
                    i += 1;
                    continue;
                };
                if t.get(i + 1) != Some(&Token::Colons) {
                    i += 1;
                    continue;
                }
                let mut segments = vec![first.clone()];
                let mut j = i + 1;
                while t.get(j) == Some(&Token::Colons) {
                    match t.get(j + 1) {
                        Some(Token::Ident(next)) => segments.push(next.clone()),
                        _ => break,
                    }
                    j += 2;
                }
                if let Some(abs) = absolute(&self.modules, path, &segments, imported)
                    && let Some(to) = self.target(&abs[1..], 0)
                    && let Some(lifted) = lifted(path, &to)
                {
                    edges.entry(lifted).or_insert_with(|| {
                        format!("{} -> {}: {}", shown(path), shown(&to), segments.join("::"))
                    });
                }
                i = j.max(i + 1);
            }
            for (_, abs) in imported {
                if let Some(to) = self.target(&abs[1..], 0)
                    && let Some(lifted) = lifted(path, &to)
                {
                    edges.entry(lifted).or_insert_with(|| {
                        format!("{} -> {}: use {}", shown(path), shown(&to), abs.join("::"))
                    });
                }
            }
        }
        edges
    }
}

/// The edge `from -> to` between the two siblings that hold them under the
/// folder they share; `None` inside one module, or between a folder's own
/// file and what lies inside it.
fn lifted(from: &ModPath, to: &ModPath) -> Option<(ModPath, ModPath)> {
    let shared = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    if shared == from.len() || shared == to.len() {
        return None;
    }
    Some((from[..=shared].to_vec(), to[..=shared].to_vec()))
}

/// `segments`, written in module `at`, as a path from `crate`; `None` when
/// it leads outside the crate (std, a dependency) or is not a path at all.
fn absolute(
    modules: &BTreeMap<ModPath, Module>,
    at: &ModPath,
    segments: &[String],
    imported: &[(String, Vec<String>)],
) -> Option<Vec<String>> {
    let (first, rest) = segments.split_first()?;
    let mut base: Vec<String> = match first.as_str() {
        "crate" => Vec::new(),
        "self" => at.clone(),
        "super" => {
            let mut up = at.clone();
            up.pop()?;
            let mut rest = rest;
            while rest.first().is_some_and(|s| s == "super") {
                up.pop()?;
                rest = &rest[1..];
            }
            let mut abs = vec!["crate".to_string()];
            abs.extend(up);
            abs.extend(rest.iter().cloned());
            return Some(abs);
        }
        name if modules.get(at)?.children.contains(name) => {
            let mut base = at.clone();
            base.push(name.to_string());
            base
        }
        name => {
            let (_, via) = imported.iter().find(|(n, _)| n == name)?;
            let mut abs = via.clone();
            abs.extend(rest.iter().cloned());
            return Some(abs);
        }
    };
    let mut abs = vec!["crate".to_string()];
    abs.append(&mut base);
    abs.extend(rest.iter().cloned());
    Some(abs)
}

fn shown(path: &ModPath) -> String {
    if path.is_empty() {
        "crate".into()
    } else {
        path.join("::")
    }
}

/// The strongly connected components of more than one module (Tarjan).
fn cycles(nodes: &[ModPath], edges: &BTreeMap<(ModPath, ModPath), String>) -> Vec<Vec<ModPath>> {
    struct State<'a> {
        next: BTreeMap<&'a ModPath, Vec<&'a ModPath>>,
        index: BTreeMap<&'a ModPath, usize>,
        low: BTreeMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        on_stack: BTreeSet<&'a ModPath>,
        found: Vec<Vec<ModPath>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a ModPath) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.next.get(v).cloned().unwrap_or_default() {
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        next: BTreeMap::new(),
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for (from, to) in edges.keys() {
        state.next.entry(from).or_default().push(to);
    }
    for node in nodes {
        if !state.index.contains_key(node) {
            visit(&mut state, node);
        }
    }
    state.found
}

/// One cycle through a component, as the edges that close it.
fn one_cycle(component: &[ModPath], edges: &BTreeMap<(ModPath, ModPath), String>) -> Vec<String> {
    let inside: BTreeSet<&ModPath> = component.iter().collect();
    let start = &component[0];
    // Breadth-first from `start` back to it, inside the component.
    let mut came_from: BTreeMap<&ModPath, &ModPath> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(at) = queue.pop_front() {
        for ((from, to), _) in edges.range((at.clone(), Vec::new())..) {
            if from != at {
                break;
            }
            if !inside.contains(to) {
                continue;
            }
            if to == start {
                let mut chain = vec![(at, to)];
                let mut back = at;
                while back != start {
                    let prev = came_from[back];
                    chain.push((prev, back));
                    back = prev;
                }
                chain.reverse();
                return chain
                    .into_iter()
                    .map(|(a, b)| {
                        format!(
                            "{} -> {} ({})",
                            shown(a),
                            shown(b),
                            edges[&(a.clone(), b.clone())]
                        )
                    })
                    .collect();
            }
            if !came_from.contains_key(to) {
                came_from.insert(to, at);
                queue.push_back(to);
            }
        }
    }
    vec![format!("{} (no cycle found)", shown(start))]
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let krate = Crate::read(&src());
    let edges = krate.edges();
    let nodes: Vec<ModPath> = krate.modules.keys().cloned().collect();
    let found = cycles(&nodes, &edges);
    let described: Vec<String> = found
        .iter()
        .map(|c| {
            format!(
                "{} modules: {}\n    {}",
                c.len(),
                c.iter().map(shown).collect::<Vec<_>>().join(", "),
                one_cycle(c, &edges).join("\n    ")
            )
        })
        .collect();
    assert!(
        found.is_empty(),
        "{} import cycles in src/:\n  {}",
        found.len(),
        described.join("\n  ")
    );
}

/// The reader itself, on code written to trip it.
#[test]
fn paths_are_read_as_the_compiler_reads_them() {
    let t = tokens(
        "use crate::a::{self, b::C as D}; // crate::zz::yy\n\
         let s = \"crate::no::thing\"; let r = r#\"super::q\"#; let c = '\"'; \
         fn f<'a>(x: &'a str) { super::e::f(); }",
    );
    let idents: Vec<&str> = t
        .iter()
        .filter_map(|t| match t {
            Token::Ident(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    assert!(!idents.contains(&"no") && !idents.contains(&"q") && !idents.contains(&"zz"));
    assert!(t.contains(&Token::Str("crate::no::thing".into())));
    assert!(t.contains(&Token::Str("super::q".into())));
    assert!(idents.contains(&"e"));
    let (trees, _) = use_tree(&t, 1, &[]);
    let names: Vec<(String, String)> = trees.into_iter().map(|(p, n)| (p.join("::"), n)).collect();
    assert_eq!(
        names,
        [
            ("crate::a".to_string(), "a".to_string()),
            ("crate::a::b::C".to_string(), "D".to_string())
        ]
    );
    let tested = without_tests(tokens(
        "#[cfg(test)] mod tests { use super::*; } #[cfg(test)] use crate::z; fn kept() {}",
    ));
    assert_eq!(tested.first(), Some(&Token::Ident("fn".into())));
}

/// Every /proc read and every signal swop sends is in `src/sys`: anywhere
/// else, no string names a file under /proc and no code calls `kill`,
/// `killpg`, `raise` or `Child::kill`. (`"/proc"` alone is a path to judge,
/// as discover's classification does, not a read.)
#[test]
fn the_operating_system_is_reached_through_sys() {
    const SIGNALLING: &[&str] = &["kill", "killpg", "raise", "tgkill", "sigqueue"];
    let krate = Crate::read(&src());
    let mut found = Vec::new();
    for (path, module) in &krate.modules {
        if path.first().is_some_and(|p| p == "sys") {
            continue;
        }
        let t = &module.tokens;
        for (i, token) in t.iter().enumerate() {
            let after_path = i > 0 && matches!(t[i - 1], Token::Colons | Token::Punct('.'));
            match token {
                Token::Str(text) if text.starts_with("/proc/") => {
                    found.push(format!("{}: reads {text:?}", module.file.display()));
                }
                Token::Ident(name) if after_path && SIGNALLING.contains(&name.as_str()) => {
                    found.push(format!("{}: calls {name}", module.file.display()));
                }
                _ => {}
            }
        }
    }
    assert!(
        found.is_empty(),
        "outside src/sys:\n  {}",
        found.join("\n  ")
    );
}

/// The layers of the README's Architecture, from the bottom: the top-level
/// modules of each. A module may import its own layer and those below.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "files, text and trace formats",
        &["files", "output", "trace"],
    ),
    ("the operating system", &["sys"]),
    ("shells", &["shell"]),
    ("errors", &["error"]),
    (
        "profiles",
        &[
            "names",
            "redact",
            "store",
            "config",
            "recipe",
            "trust",
            "lock",
            "residents",
            "switch",
            "seal",
            "share",
            "logins",
            "usage",
        ],
    ),
    (
        "entering and discovering",
        &["entry", "pick", "discover", "status"],
    ),
    ("the command line", &["cli", "slips", "cmd"]),
];

#[test]
fn each_layer_imports_only_itself_and_the_layers_below() {
    let layer = |module: &str| LAYERS.iter().position(|(_, ms)| ms.contains(&module));
    let krate = Crate::read(&src());
    let mut found = Vec::new();
    for top in krate.modules.keys().filter(|p| p.len() == 1) {
        if layer(&top[0]).is_none() {
            found.push(format!(
                "{} is in no layer: add it to LAYERS and the README",
                top[0]
            ));
        }
    }
    for ((from, to), why) in krate.edges() {
        if from.len() != 1 || to.len() != 1 {
            continue;
        }
        if let (Some(a), Some(b)) = (layer(&from[0]), layer(&to[0]))
            && b > a
        {
            found.push(format!(
                "{} ({}) imports {} ({}): {why}",
                from[0], LAYERS[a].0, to[0], LAYERS[b].0
            ));
        }
    }
    assert!(found.is_empty(), "\n  {}", found.join("\n  "));
}
