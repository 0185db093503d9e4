//! BENCHMARKS.md's sections, each rewritten by the command that measures it, the check
//! that its payload row is the built console's, and the wasm's size profile (twiggy).

use crate::Result;
use crate::payload::{Sizes, table, thousands};

/// BENCHMARKS.md at the workspace root.
pub fn benchmarks_path() -> std::path::PathBuf {
    crate::tools::workspace_root().join("BENCHMARKS.md")
}

/// `document` with the text between `<!-- name -->` and `<!-- /name -->` replaced by
/// `body`: each command refreshes its own section of BENCHMARKS.md.
pub fn replace_section(document: &str, name: &str, body: &str) -> Result<String> {
    let (open, close) = (format!("<!-- {name} -->\n"), format!("<!-- /{name} -->"));
    let start = document
        .find(&open)
        .map(|at| at + open.len())
        .ok_or_else(|| anyhow::anyhow!("BENCHMARKS.md has no `{}` line", open.trim()))?;
    let end = document[start..]
        .find(&close)
        .map(|at| start + at)
        .ok_or_else(|| anyhow::anyhow!("BENCHMARKS.md has no `{close}` line"))?;
    Ok(format!("{}{body}{}", &document[..start], &document[end..]))
}

/// Writes `body` into section `name` of BENCHMARKS.md.
pub fn write_section(name: &str, body: &str) -> Result<()> {
    let path = benchmarks_path();
    let document = std::fs::read_to_string(&path)?;
    std::fs::write(&path, replace_section(&document, name, body)?)?;
    println!("BENCHMARKS.md: section {name} written");
    Ok(())
}

/// The `| total | … |` row of a payload table.
fn total_row(table: &str) -> Option<&str> {
    table.lines().find(|line| line.starts_with("| total |"))
}

/// Fails unless BENCHMARKS.md's payload table says what `sizes` (the built `dist/`)
/// measure: a figure there is only trusted while it is the console's.
pub fn check_benchmarks_row(sizes: &[(&'static str, Sizes)]) -> Result<()> {
    let built = table(sizes);
    let built = total_row(&built).unwrap_or_default().to_owned();
    let document = std::fs::read_to_string(benchmarks_path())?;
    let recorded = total_row(&document).unwrap_or("(no total row)");
    anyhow::ensure!(
        recorded == built,
        "BENCHMARKS.md's payload row is `{recorded}`, the built console is `{built}`: measure again \
         with `cargo xtask payload` (it rewrites that table) and `cargo xtask lighthouse`"
    );
    println!("    BENCHMARKS.md's payload row is the built console's");
    Ok(())
}

/// The crate a function of the wasm belongs to, from its demangled name: the type's
/// crate of a trait method (`<shared::X as serde::Deserialize>` → `shared`), unless that
/// type is generic or from the standard library, then the trait's.
fn crate_of(function: &str) -> String {
    let first_crate = |path: &str| -> Option<String> {
        let path = path.trim_start_matches(['<', '&', '*', '(', '[']);
        let path = path
            .trim_start_matches("dyn ")
            .trim_start_matches("mut ")
            .trim_start_matches("const ");
        let (name, _) = path.split_once("::")?;
        let name = name.split('[').next().unwrap_or(name);
        (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
            .then(|| name.to_owned())
    };
    if let Some(inner) = function.strip_prefix('<')
        && let Some((own, rest)) = inner.split_once(" as ")
    {
        let standard = |name: &str| matches!(name, "core" | "alloc" | "std");
        return match (first_crate(own), first_crate(rest)) {
            (Some(own), _) if !standard(&own) => own,
            (_, Some(of_trait)) => of_trait,
            (Some(own), None) => own,
            (None, None) => "(other)".to_owned(),
        };
    }
    first_crate(function).unwrap_or_else(|| "(other)".to_owned())
}

/// The wasm's size profile (twiggy, on the build's wasm before wasm-bindgen and
/// wasm-opt, which still has the functions' names): the top 10 crates and the top 10
/// functions, by the bytes of code (and data) they take. Markdown for BENCHMARKS.md.
pub fn wasm_profile() -> Result<String> {
    crate::tools::cargo_install("twiggy", "twiggy", "0.8.0", true)?;
    let wasm = crate::tools::target_dir()
        .join("wasm32-unknown-unknown")
        .join("wasm-release")
        .join("rewind-frontend.wasm");
    let json = crate::tools::capture(
        "twiggy",
        &[
            "top",
            "-n",
            "1000000",
            "-f",
            "json",
            &wasm.to_string_lossy(),
        ],
        &[],
    )?;
    let items: Vec<serde_json::Value> = serde_json::from_str(&json)?;
    let mut crates: std::collections::BTreeMap<String, u64> = Default::default();
    let mut functions = Vec::new();
    let mut counted = 0;
    for item in &items {
        let name = item["name"].as_str().unwrap_or_default();
        let size = item["shallow_size"].as_u64().unwrap_or_default();
        // What the browser never gets: names, debug info, wasm-bindgen's own section and
        // the descriptors it reads and removes, the exports and imports it rewrites.
        if name.starts_with("custom section")
            || name.contains("\"function names\"")
            || name.contains("__wbindgen_describe")
            || name.starts_with("export ")
            || name.starts_with("import ")
        {
            continue;
        }
        counted += size;
        let owner = if name.starts_with("data segment") || name.starts_with("data[") {
            "(data: strings, tables)".to_owned()
        } else {
            crate_of(name)
        };
        *crates.entry(owner).or_default() += size;
        functions.push((name.to_owned(), size));
    }
    let mut crates: Vec<_> = crates.into_iter().collect();
    crates.sort_by_key(|c| std::cmp::Reverse(c.1));
    functions.sort_by_key(|f| std::cmp::Reverse(f.1));
    let share = |bytes: u64| bytes as f64 * 100.0 / counted.max(1) as f64;
    let mut out = format!(
        "twiggy 0.8.0 on `rewind-frontend.wasm` before wasm-bindgen and wasm-opt (its code and data: {} B; names, debug sections and wasm-bindgen's descriptors left out). wasm-opt shrinks every part, so read shares, not bytes.\n\n| crate | bytes | share |\n|---|---:|---:|\n",
        thousands(counted)
    );
    for (name, bytes) in crates.iter().take(10) {
        out += &format!(
            "| `{name}` | {} | {:.1} % |\n",
            thousands(*bytes),
            share(*bytes)
        );
    }
    out += "\n| function | bytes | share |\n|---|---:|---:|\n";
    for (name, bytes) in functions.iter().take(10) {
        // The hash suffix differs per build; the path says what it is.
        let name = name
            .rsplit_once("::h")
            .map_or(name.as_str(), |(path, _)| path);
        let name = name.replace('|', "\\|");
        out += &format!(
            "| `{name}` | {} | {:.1} % |\n",
            thousands(*bytes),
            share(*bytes)
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_belongs_to_its_crate() {
        assert_eq!(
            crate_of("leptos::component::component_view::h8c05"),
            "leptos"
        );
        assert_eq!(
            crate_of(
                "<shared::preview::ReplayPreview as serde_core::de::Deserialize>::deserialize"
            ),
            "shared"
        );
        assert_eq!(
            crate_of(
                "<core::marker::PhantomData<T> as serde_core::de::DeserializeSeed>::deserialize"
            ),
            "serde_core"
        );
        assert_eq!(
            crate_of("<F as leptos_router::matching::choose_view::ChooseView>::choose"),
            "leptos_router"
        );
        assert_eq!(crate_of("core[c5930c85a12de822]::fmt::float::x"), "core");
        assert_eq!(crate_of("elem[0]"), "(other)");
    }

    #[test]
    fn a_section_is_replaced_and_nothing_else() {
        let document = "a\n<!-- payload -->\nold\n<!-- /payload -->\nb\n";
        let replaced = replace_section(document, "payload", "new\n").unwrap();
        assert_eq!(replaced, "a\n<!-- payload -->\nnew\n<!-- /payload -->\nb\n");
        assert!(replace_section(document, "lighthouse", "x").is_err());
    }

    #[test]
    fn the_total_row_is_found() {
        let sizes = [(
            "total",
            Sizes {
                raw: 1_000,
                gzip: 500,
                brotli: 400,
            },
        )];
        assert_eq!(
            total_row(&table(&sizes)),
            Some("| total | 1,000 | 500 | 400 |")
        );
    }
}
