//! What the backend's layers may do, checked on its source:
//! - a route handler (an `async fn` of `backend/src/http/routes/`) parses, calls one
//!   use-case and answers: at most [`MAX_HANDLER_LINES`] lines of body;
//! - a use-case takes the request context (`Ctx`), never the process's `AppState`: only
//!   the edge (`http/`, `state.rs`, `main.rs`, `lib.rs`) names it.

use crate::Result;
use std::path::Path;

/// The most lines of body a route handler may have (blank lines and comments not
/// counted).
pub const MAX_HANDLER_LINES: usize = 15;

/// The files of the edge, the only ones that may name `AppState`.
const EDGE: [&str; 4] = ["http", "state.rs", "main.rs", "lib.rs"];

pub fn check(root: &Path) -> Result<()> {
    let src = root.join("backend").join("src");
    let mut faults = Vec::new();
    for file in rust_files(&src.join("http").join("routes"))? {
        let text = std::fs::read_to_string(&file)?;
        for (name, lines) in handler_bodies(&text) {
            if lines > MAX_HANDLER_LINES {
                faults.push(format!(
                    "{}: handler {name} has {lines} lines of body (at most {MAX_HANDLER_LINES}: parse, call one use-case, answer)",
                    relative(&file, root)
                ));
            }
        }
    }
    for entry in std::fs::read_dir(&src)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if EDGE.contains(&name) {
            continue;
        }
        for file in rust_files(&path)? {
            let text = std::fs::read_to_string(&file)?;
            if mentions_app_state(&text) {
                faults.push(format!(
                    "{}: a use-case names AppState; it takes the request context (Ctx)",
                    relative(&file, root)
                ));
            }
        }
    }
    if faults.is_empty() {
        println!(
            "Every route handler is at most {MAX_HANDLER_LINES} lines; no use-case takes AppState."
        );
        Ok(())
    } else {
        anyhow::bail!("the backend's layers:\n  {}", faults.join("\n  "))
    }
}

fn relative(file: &Path, root: &Path) -> String {
    file.strip_prefix(root)
        .unwrap_or(file)
        .to_string_lossy()
        .into_owned()
}

fn rust_files(path: &Path) -> Result<Vec<std::path::PathBuf>> {
    if path.is_file() {
        return Ok(if path.extension().is_some_and(|e| e == "rs") {
            vec![path.to_owned()]
        } else {
            Vec::new()
        });
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path)? {
        files.extend(rust_files(&entry?.path())?);
    }
    Ok(files)
}

/// `AppState` in code (comments left out).
fn mentions_app_state(text: &str) -> bool {
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .any(|code| code.contains("AppState"))
}

/// Each top-level `pub async fn` of a routes file and how many lines its body has (the
/// lines between the signature's `{` and the closing `}` at column 0; blank lines and
/// comments not counted).
pub fn handler_bodies(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let Some(rest) = line.strip_prefix("pub async fn ") else {
            i += 1;
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // The body opens on the line that ends the signature with `{`.
        while i < lines.len() && !lines[i].trim_end().ends_with('{') {
            i += 1;
        }
        let mut body = 0;
        i += 1;
        while i < lines.len() && lines[i] != "}" {
            let code = lines[i].trim();
            if !code.is_empty() && !code.starts_with("//") {
                body += 1;
            }
            i += 1;
        }
        found.push((name, body));
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_bodies_are_counted_without_blank_lines_and_comments() {
        let text = "use x;\n\
                    pub async fn short(ctx: Ctx) -> Result<(), ApiError> {\n\
                    \x20   // why\n\
                    \x20   let a = 1;\n\
                    \n\
                    \x20   Ok(())\n\
                    }\n\
                    pub async fn long(\n\
                    \x20   ctx: Ctx,\n\
                    ) -> Json<X> {\n\
                    \x20   a();\n\
                    \x20   b();\n\
                    \x20   c();\n\
                    }\n";
        assert_eq!(
            handler_bodies(text),
            [("short".to_owned(), 2), ("long".to_owned(), 3)]
        );
        assert!(mentions_app_state("fn f(s: &AppState) {}"));
        assert!(!mentions_app_state("// AppState is the edge's\nfn f() {}"));
    }
}
