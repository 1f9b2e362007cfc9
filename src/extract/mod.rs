//! Reading the words inside a file: a PDF's text layer (poppler's `pdftotext`), Word and Excel
//! files (their XML, read here), Word 97–2003 (`catdoc`), and scans (image-only PDFs page by page
//! through `pdftoppm`, and JPEG/PNG/TIFF) through Tesseract with the Thai and English models.
//! The tools are Debian's; their paths are settings. Each runs with a time limit, and OCR takes a
//! slot of a process-wide semaphore per page, so `text.ocr_pages_at_once` bounds the CPU it uses.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;
use tokio::process::Command;
use tokio::sync::Semaphore;

use crate::config::TextConfig;
use crate::domain::file_text::{FileFormat, clean_ocr, mend_pdf_spacing};

mod office;
pub mod worker;

#[derive(Debug, Error)]
pub enum ExtractError {
    #[error("ไม่พบโปรแกรม {tool} ({source})")]
    Missing {
        tool: String,
        source: std::io::Error,
    },
    #[error("{tool} ทำงานไม่สำเร็จ: {message}")]
    Tool { tool: String, message: String },
    #[error("{tool} ใช้เวลานานเกิน {secs} วินาที")]
    Timeout { tool: String, secs: u64 },
    #[error("อ่านไฟล์ไม่ได้: {0}")]
    Unreadable(String),
    #[error("ไฟล์ชั่วคราว: {0}")]
    Io(#[from] std::io::Error),
}

/// How a file's text was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Pdf,
    Ocr,
    Docx,
    Xlsx,
    Doc,
    Text,
    /// A format with no words to read.
    None,
}

impl Method {
    pub fn code(self) -> &'static str {
        match self {
            Method::Pdf => "pdf",
            Method::Ocr => "ocr",
            Method::Docx => "docx",
            Method::Xlsx => "xlsx",
            Method::Doc => "doc",
            Method::Text => "text",
            Method::None => "none",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub method: Method,
    pub text: String,
    /// Pages read by OCR (0 when none was needed).
    pub pages: i64,
}

/// The extractor: the tools' settings and the OCR slots shared by every job of the process.
#[derive(Clone)]
pub struct Extractor {
    config: TextConfig,
    ocr_slots: Arc<Semaphore>,
}

/// A PDF whose text layer holds fewer letters than this per page is treated as a scan.
const SCAN_LETTERS_PER_PAGE: usize = 20;

impl Extractor {
    pub fn new(config: TextConfig) -> Extractor {
        let slots = config.ocr_pages_at_once.max(1);
        Extractor {
            config,
            ocr_slots: Arc::new(Semaphore::new(slots)),
        }
    }

    /// The text of `bytes` (a file named `name`), at most `text.max_chars` characters.
    pub async fn extract(&self, bytes: &[u8], name: &str) -> Result<Extracted, ExtractError> {
        let format = FileFormat::sniff(bytes, name);
        let dir = work_dir()?;
        let mut out = match format {
            FileFormat::Pdf => {
                let path = dir.path().join("in.pdf");
                tokio::fs::write(&path, bytes).await?;
                self.pdf(&path, dir.path()).await?
            }
            FileFormat::Image => {
                let path = dir.path().join("in.img");
                tokio::fs::write(&path, bytes).await?;
                let text = self.ocr_image(&path).await?;
                Extracted {
                    method: Method::Ocr,
                    text,
                    pages: 1,
                }
            }
            FileFormat::Docx => Extracted {
                method: Method::Docx,
                text: office::docx_text(bytes)?,
                pages: 0,
            },
            FileFormat::Xlsx => Extracted {
                method: Method::Xlsx,
                text: office::xlsx_text(bytes)?,
                pages: 0,
            },
            FileFormat::Doc => {
                let path = dir.path().join("in.doc");
                tokio::fs::write(&path, bytes).await?;
                let text = self
                    .run(&self.config.catdoc, &["-d", "utf-8", "-w"], Some(&path))
                    .await?;
                Extracted {
                    method: Method::Doc,
                    text: String::from_utf8_lossy(&text).into_owned(),
                    pages: 0,
                }
            }
            FileFormat::Text => Extracted {
                method: Method::Text,
                text: String::from_utf8_lossy(bytes).into_owned(),
                pages: 0,
            },
            FileFormat::Other => Extracted {
                method: Method::None,
                text: String::new(),
                pages: 0,
            },
        };
        out.text = out
            .text
            .replace('\u{0}', "")
            .chars()
            .take(self.config.max_chars)
            .collect();
        Ok(out)
    }

    /// A PDF's text layer; its pages through OCR when the layer is (nearly) empty.
    async fn pdf(&self, path: &Path, dir: &Path) -> Result<Extracted, ExtractError> {
        let layer = self
            .run(&self.config.pdftotext, &["-enc", "UTF-8"], Some(path))
            .await?;
        let layer = String::from_utf8_lossy(&layer).into_owned();
        // pdftotext ends every page with a form feed.
        let pages = layer.matches('\u{c}').count().max(1);
        let letters = layer.chars().filter(|c| c.is_alphanumeric()).count();
        if letters >= SCAN_LETTERS_PER_PAGE * pages || !self.config.ocr {
            return Ok(Extracted {
                method: Method::Pdf,
                text: mend_pdf_spacing(&layer.replace('\u{c}', "\n")),
                pages: 0,
            });
        }
        let read = pages.min(self.config.ocr_max_pages.max(1) as usize);
        let jobs = (1..=read).map(|page| self.ocr_pdf_page(path, dir, page));
        let texts = futures_util::future::join_all(jobs).await;
        let mut text = String::new();
        for t in texts {
            text.push_str(&t?);
            text.push_str("\n\n");
        }
        Ok(Extracted {
            method: Method::Ocr,
            text: text.trim_end().to_string(),
            pages: read as i64,
        })
    }

    /// One page of a PDF rendered in grey at `text.ocr_dpi` and read by OCR.
    async fn ocr_pdf_page(
        &self,
        pdf: &Path,
        dir: &Path,
        page: usize,
    ) -> Result<String, ExtractError> {
        let _slot = self.ocr_slot().await?;
        let prefix = dir.join(format!("page-{page}"));
        let n = page.to_string();
        let dpi = self.config.ocr_dpi.to_string();
        let args: Vec<&str> = vec![
            "-r",
            &dpi,
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            &n,
            "-l",
            &n,
        ];
        let mut full: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        full.push(pdf.into());
        full.push(prefix.clone().into());
        self.run_os(&self.config.pdftoppm, &full).await?;
        let png = prefix.with_extension("png");
        let text = self.tesseract(&png).await;
        let _ = tokio::fs::remove_file(&png).await;
        text
    }

    /// One of the process's `ocr_pages_at_once` slots, held while a page is read.
    async fn ocr_slot(&self) -> Result<tokio::sync::SemaphorePermit<'_>, ExtractError> {
        self.ocr_slots
            .acquire()
            .await
            .map_err(|_| ExtractError::Tool {
                tool: "ocr".into(),
                message: "closed".into(),
            })
    }

    async fn ocr_image(&self, path: &Path) -> Result<String, ExtractError> {
        let _slot = self.ocr_slot().await?;
        self.tesseract(path).await
    }

    async fn tesseract(&self, image: &Path) -> Result<String, ExtractError> {
        let args: Vec<std::ffi::OsString> = vec![
            image.into(),
            "-".into(),
            "-l".into(),
            self.config.ocr_languages.clone().into(),
        ];
        let out = self.run_os(&self.config.tesseract, &args).await?;
        Ok(clean_ocr(&String::from_utf8_lossy(&out)))
    }

    async fn run(
        &self,
        tool: &str,
        args: &[&str],
        file: Option<&Path>,
    ) -> Result<Vec<u8>, ExtractError> {
        let mut full: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        if let Some(f) = file {
            full.push(f.into());
            if tool == self.config.pdftotext {
                full.push("-".into());
            }
        }
        self.run_os(tool, &full).await
    }

    /// Runs `tool` with a time limit; its standard output, or its error output as the message.
    async fn run_os(
        &self,
        tool: &str,
        args: &[std::ffi::OsString],
    ) -> Result<Vec<u8>, ExtractError> {
        let child = Command::new(tool)
            .args(args)
            // Tesseract's own threads would escape the pages-at-once bound.
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| ExtractError::Missing {
                tool: tool.to_string(),
                source,
            })?;
        let secs = self.config.tool_timeout_secs.max(1);
        let out = tokio::time::timeout(Duration::from_secs(secs), child.wait_with_output())
            .await
            .map_err(|_| ExtractError::Timeout {
                tool: tool.to_string(),
                secs,
            })??;
        if !out.status.success() {
            let message = String::from_utf8_lossy(&out.stderr);
            let message = message.lines().last().unwrap_or("").trim().to_string();
            return Err(ExtractError::Tool {
                tool: tool.to_string(),
                message: if message.is_empty() {
                    out.status.to_string()
                } else {
                    message
                },
            });
        }
        Ok(out.stdout)
    }
}

/// Work folders of the readers are named `saraban-extract-<pid>-…` in the temporary folder, so
/// that those of a process killed mid-read (SIGKILL, the kernel's OOM killer) can be told apart
/// from those of running readers and removed.
const WORK_DIR_PREFIX: &str = "saraban-extract-";

fn work_dir() -> std::io::Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(&format!("{WORK_DIR_PREFIX}{}-", std::process::id()))
        .tempdir()
}

/// Removes the work folders (in `parent`) of reader processes that no longer run; how many.
/// Does nothing where processes cannot be looked up (no /proc).
pub fn remove_abandoned_work_dirs(parent: &std::path::Path) -> usize {
    if !std::path::Path::new("/proc/self").exists() {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(WORK_DIR_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let running =
            pid == std::process::id() || std::path::Path::new(&format!("/proc/{pid}")).exists();
        if !running && std::fs::remove_dir_all(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_work_folders_of_ended_processes_are_removed() {
        let parent = tempfile::tempdir().unwrap();
        // A process that has ended: its pid is not running (barring reuse within a moment).
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let ended = child.id();
        child.wait().unwrap();
        let own = std::process::id();
        for name in [
            format!("{WORK_DIR_PREFIX}{ended}-abc"),
            format!("{WORK_DIR_PREFIX}{own}-def"),
            "saraban-other-1-x".to_string(),
        ] {
            std::fs::create_dir(parent.path().join(&name)).unwrap();
            std::fs::write(parent.path().join(name).join("page-1.png"), b"x").unwrap();
        }
        assert_eq!(remove_abandoned_work_dirs(parent.path()), 1);
        assert!(
            !parent
                .path()
                .join(format!("{WORK_DIR_PREFIX}{ended}-abc"))
                .exists()
        );
        assert!(
            parent
                .path()
                .join(format!("{WORK_DIR_PREFIX}{own}-def"))
                .exists()
        );
        assert!(parent.path().join("saraban-other-1-x").exists());
        // A folder made by work_dir is its own process's, so it is kept (whatever else of ended
        // processes the temporary folder held is gone).
        let working = work_dir().unwrap();
        remove_abandoned_work_dirs(working.path().parent().unwrap());
        assert!(working.path().exists());
    }
}
