//! The import-cycle check: within each crate, the top-level modules (the files and
//! folders `lib.rs` or `main.rs` declare) must import each other in one direction only.
//! A module's imports are the `crate::<module>` paths in its files (`use` lines and
//! paths in code alike, `crate::{a, b::c}` groups too) and its doc links (`[`crate::x`]`
//! in `///` and `//!` comments: documentation that points up the layers is as wrong as
//! code that does); other comments are skipped. A cycle is a group of modules that all
//! reach each other (a strongly connected component).

use crate::Result;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crates whose modules are checked.
pub const CRATES: [&str; 5] = ["backend", "frontend", "shared", "testkit", "xtask"];

/// Fails, naming every cycle, when any crate's top-level modules import in a circle.
pub fn check(root: &Path) -> Result<()> {
    let mut faults = Vec::new();
    for name in CRATES {
        let graph = crate_graph(&root.join(name).join("src"))?;
        for cycle in cycles(&graph) {
            faults.push(format!("{name}: {}", cycle.join(" ↔ ")));
        }
    }
    if faults.is_empty() {
        println!("No import cycle between the top-level modules of {CRATES:?}.");
        Ok(())
    } else {
        anyhow::bail!(
            "import cycles between top-level modules:\n  {}",
            faults.join("\n  ")
        )
    }
}

/// Module → the other top-level modules it imports.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

fn crate_graph(src: &Path) -> Result<Graph> {
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(src)? {
        let path = entry?.path();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        if matches!(stem.as_str(), "lib" | "main") {
            continue;
        }
        if path.is_dir() || path.extension().is_some_and(|e| e == "rs") {
            modules.insert(stem, path);
        }
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut graph = Graph::new();
    for (module, path) in &modules {
        let mut imports = BTreeSet::new();
        for file in rust_files(path)? {
            let text = std::fs::read_to_string(&file)?;
            for imported in crate_imports(&text) {
                if imported != *module && names.contains(&imported) {
                    imports.insert(imported);
                }
            }
        }
        graph.insert(module.clone(), imports);
    }
    Ok(graph)
}

fn rust_files(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path)? {
        files.extend(rust_files(&entry?.path())?);
    }
    // A module `x.rs` beside a folder `x/` has both.
    let beside = path.with_extension("rs");
    if beside.is_file() {
        files.push(beside);
    }
    Ok(files)
}

/// The first segment of every `crate::…` path in `text`, and of every doc link to one;
/// other comments left out.
pub fn crate_imports(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(doc) = trimmed
            .strip_prefix("///")
            .or_else(|| trimmed.strip_prefix("//!"))
        {
            found.extend(doc_links(doc));
            continue;
        }
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            // `crate::` as a whole word (not `testkit_crate::`).
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                found.extend(group_heads(group));
            } else {
                found.insert(identifier(rest));
            }
        }
    }
    found.retain(|name| !name.is_empty());
    found
}

/// The modules of the `crate::…` paths a doc comment links to: `[`crate::x::y`]` or
/// `[text](crate::x)`.
fn doc_links(doc: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = doc;
    while let Some(open) = rest.find('[') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find(']') else { break };
        let mut target = rest[..close].trim_matches('`').to_owned();
        let after = &rest[close + 1..];
        if let Some(link) = after.strip_prefix('(')
            && let Some(end) = link.find(')')
        {
            target = link[..end].trim_matches('`').to_owned();
        }
        if let Some(path) = target.strip_prefix("crate::") {
            found.push(identifier(path));
        }
        rest = &rest[close + 1..];
    }
    found
}

/// The first segment of each item of a `{a, b::c, d::{e}}` group (its text after `{`).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut at_item_start = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => at_item_start = true,
            c if at_item_start && (c.is_alphanumeric() || c == '_') => {
                heads.push(identifier(&group[i..]));
                at_item_start = false;
            }
            _ => {}
        }
    }
    heads
}

fn identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Every group of two or more modules that reach each other (Tarjan's algorithm).
pub fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(state: &mut State<'a>, node: &'a str) {
        let next = state.index.len();
        state.index.insert(node, next);
        state.low.insert(node, next);
        state.stack.push(node);
        state.on_stack.insert(node);
        let graph = state.graph;
        for target in graph.get(node).into_iter().flatten() {
            let target = target.as_str();
            if !state.index.contains_key(target) {
                visit(state, target);
                let low = state.low[node].min(state.low[target]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(target) {
                let low = state.low[node].min(state.index[target]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut component = Vec::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack.remove(member);
                component.push(member.to_owned());
                if member == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                state.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.found.sort();
    state.found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_are_read_from_paths_and_groups_but_not_comments() {
        let text = "use crate::audit::AuditLog;\n\
                    use crate::{auth::Caller, error, startup::{AppState, app}};\n\
                    // crate::commented\n\
                    let x = crate::routes::table(); let y = testkit_crate::no;\n\
                    use super::sibling;";
        let found: Vec<String> = crate_imports(text).into_iter().collect();
        assert_eq!(found, ["audit", "auth", "error", "routes", "startup"]);
        // Doc links count; a path merely named in a doc comment does not.
        let docs = "//! See [`crate::jobs::slots`] and [the sweep](crate::leftovers).\n\
                    /// Named only: `crate::reports`.\n\
                    fn f() {}";
        let found: Vec<String> = crate_imports(docs).into_iter().collect();
        assert_eq!(found, ["jobs", "leftovers"]);
    }

    #[test]
    fn only_modules_that_reach_each_other_are_a_cycle() {
        let graph: Graph = [
            ("a", vec!["b"]),
            ("b", vec!["c"]),
            ("c", vec!["a", "d"]),
            ("d", vec![]),
            ("e", vec!["f"]),
            ("f", vec!["e"]),
            ("g", vec!["a"]),
        ]
        .into_iter()
        .map(|(k, v)| {
            (
                k.to_owned(),
                v.into_iter().map(str::to_owned).collect::<BTreeSet<_>>(),
            )
        })
        .collect();
        assert_eq!(cycles(&graph), [vec!["a", "b", "c"], vec!["e", "f"]]);
        let acyclic: Graph = [("a".to_owned(), BTreeSet::from(["b".to_owned()]))].into();
        assert!(cycles(&acyclic).is_empty());
    }
}
