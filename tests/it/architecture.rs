//! The shape of the house, checked: the top-level modules of `src/` depend on each other without
//! a cycle, the domain depends on none of them, and the pages and API reach the database only
//! through the services. Read from the source, so a new `use` that breaks the shape fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file's code without comments and without its unit tests (which may reach anywhere), inline
/// or in a `tests.rs` of their own.
fn production_code(path: &Path) -> String {
    // A module's unit tests kept in a file of their own (`#[cfg(test)] mod tests;`).
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(path).expect("source is readable");
    let code = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => &text[..],
    };
    code.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// top-level module → the top-level modules its code names as `crate::…`.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a component");
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if matches!(module.as_str(), "lib" | "main" | "cli") {
            continue; // the roots: they may name everything
        }
        let code = production_code(&file);
        let deps = graph.entry(module.clone()).or_default();
        for (at, _) in code.match_indices("crate::") {
            let name: String = code[at + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != module {
                deps.insert(name);
            }
        }
    }
    graph
}

#[test]
fn top_level_modules_have_no_import_cycle() {
    let graph = module_graph();
    assert!(graph.contains_key("service") && graph.contains_key("web"));
    // Depth-first search; a module met again while still on the path closes a cycle.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(m) {
            return;
        }
        if let Some(at) = path.iter().position(|p| p == m) {
            panic!("import cycle: {} → {m}", path[at..].join(" → "));
        }
        path.push(m.to_string());
        for d in graph.get(m).into_iter().flatten() {
            visit(d, graph, path, done);
        }
        path.pop();
        done.insert(m.to_string());
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done);
    }
}

#[test]
fn the_domain_depends_on_no_adapter() {
    let graph = module_graph();
    assert_eq!(graph.get("domain"), Some(&BTreeSet::new()), "{graph:?}");
    assert!(
        !graph["service"].contains("web"),
        "service must not name web"
    );
    for adapter in ["store", "mail", "web"] {
        assert!(
            !graph[adapter].contains("app"),
            "{adapter} must not name the wiring"
        );
    }
}

#[test]
fn pages_and_api_go_through_services() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web");
    let mut files = Vec::new();
    rust_files(&web, &mut files);
    assert!(files.len() > 10);
    for file in files {
        let code = production_code(&file);
        let names_store_type = code.match_indices("store::Store").any(|(at, m)| {
            !code[at + m.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        });
        assert!(!names_store_type, "{} names store::Store", file.display());
        for forbidden in [".store()", "services.store"] {
            assert!(
                !code.contains(forbidden),
                "{} names {forbidden}: pages and API use the services",
                file.display()
            );
        }
    }
}
