//! E-mail files on the local disk: `saraban ingest` and the drop folder.

use std::path::{Path, PathBuf};

/// The .eml files named, and those inside the folders named (recursively), sorted.
pub fn eml_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        collect(p, &mut out, true)?;
    }
    out.sort();
    Ok(out)
}

fn collect(path: &Path, out: &mut Vec<PathBuf>, named: bool) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        for entry in std::fs::read_dir(path)? {
            collect(&entry?.path(), out, false)?;
        }
    } else if named
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("eml"))
    {
        out.push(path.to_path_buf());
    }
    Ok(())
}
