//! Attachments: which files a register accepts (doc, docx, pdf, xls, xlsx, gif, jpg/jpeg, png,
//! zip, rar, as AMSS++ does), judged by their content and not only by their name.

use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Pdf,
    Doc,
    Docx,
    Xls,
    Xlsx,
    Gif,
    Jpg,
    Png,
    Zip,
    Rar,
}

impl FileKind {
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Doc => "application/msword",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xls => "application/vnd.ms-excel",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Gif => "image/gif",
            FileKind::Jpg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Zip => "application/zip",
            FileKind::Rar => "application/vnd.rar",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Doc => "doc",
            FileKind::Docx => "docx",
            FileKind::Xls => "xls",
            FileKind::Xlsx => "xlsx",
            FileKind::Gif => "gif",
            FileKind::Jpg => "jpg",
            FileKind::Png => "png",
            FileKind::Zip => "zip",
            FileKind::Rar => "rar",
        }
    }

    pub fn parse(code: &str) -> Option<FileKind> {
        FileKind::from_extension(code)
    }

    /// Whether a browser may show it in the page instead of downloading it.
    pub fn opens_inline(self) -> bool {
        matches!(
            self,
            FileKind::Pdf | FileKind::Gif | FileKind::Jpg | FileKind::Png
        )
    }

    fn from_extension(ext: &str) -> Option<FileKind> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "pdf" => FileKind::Pdf,
            "doc" => FileKind::Doc,
            "docx" => FileKind::Docx,
            "xls" => FileKind::Xls,
            "xlsx" => FileKind::Xlsx,
            "gif" => FileKind::Gif,
            "jpg" | "jpeg" => FileKind::Jpg,
            "png" => FileKind::Png,
            "zip" => FileKind::Zip,
            "rar" => FileKind::Rar,
            _ => return None,
        })
    }
}

/// The families that magic bytes can tell apart; the name decides inside a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Pdf,
    /// OLE compound file: .doc and .xls
    Ole,
    /// ZIP container: .zip, .docx, .xlsx
    Zip,
    Rar,
    Gif,
    Jpg,
    Png,
}

fn family_of_content(head: &[u8]) -> Option<Family> {
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    // A PDF may carry a few bytes of junk before its header; readers accept up to 1024.
    let pdf_window = &head[..head.len().min(1024)];
    if pdf_window.windows(5).any(|w| w == b"%PDF-") {
        return Some(Family::Pdf);
    }
    if head.starts_with(OLE) {
        Some(Family::Ole)
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some(Family::Zip)
    } else if head.starts_with(b"Rar!\x1A\x07") {
        Some(Family::Rar)
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some(Family::Gif)
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Family::Jpg)
    } else if head.starts_with(PNG) {
        Some(Family::Png)
    } else {
        None
    }
}

fn family_of_kind(kind: FileKind) -> Family {
    match kind {
        FileKind::Pdf => Family::Pdf,
        FileKind::Doc | FileKind::Xls => Family::Ole,
        FileKind::Docx | FileKind::Xlsx | FileKind::Zip => Family::Zip,
        FileKind::Rar => Family::Rar,
        FileKind::Gif => Family::Gif,
        FileKind::Jpg => Family::Jpg,
        FileKind::Png => Family::Png,
    }
}

/// What a file is, from its name's extension (any case: `.PDF`) and its first bytes: the name
/// decides inside the family the content shows; a name that says nothing (Gmail's `noname`, no
/// extension, a wrong one) takes the content's usual kind. `None`: neither tells.
pub fn kind_of(name: &str, head: &[u8]) -> Option<FileKind> {
    let by_name = name
        .rsplit_once('.')
        .and_then(|(_, ext)| FileKind::from_extension(ext));
    match (by_name, family_of_content(head)) {
        (Some(kind), Some(family)) if family_of_kind(kind) == family => Some(kind),
        (_, Some(family)) => Some(match family {
            Family::Pdf => FileKind::Pdf,
            Family::Ole => FileKind::Doc,
            Family::Zip => FileKind::Zip,
            Family::Rar => FileKind::Rar,
            Family::Gif => FileKind::Gif,
            Family::Jpg => FileKind::Jpg,
            Family::Png => FileKind::Png,
        }),
        (by_name, None) => by_name,
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum FileRefusal {
    #[error("ไฟล์ {name}: รับเฉพาะไฟล์ doc, docx, pdf, xls, xlsx, gif, jpg, png, zip, rar เท่านั้น")]
    NotAllowed { name: String },
    #[error("ไฟล์ {name}: เนื้อไฟล์ไม่ตรงกับนามสกุล .{ext}")]
    Mismatch { name: String, ext: String },
    #[error("ไฟล์ {name}: ใหญ่เกิน {limit_mb} MB")]
    TooLarge { name: String, limit_mb: u64 },
    #[error("ไฟล์ {name}: เป็นไฟล์ว่าง")]
    Empty { name: String },
    #[error("แนบไฟล์ได้ไม่เกิน {max} ไฟล์ต่อหนังสือ")]
    TooMany { max: usize },
}

/// How many files a letter may carry and how large each may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentPolicy {
    pub max_files: usize,
    pub max_bytes: u64,
}

impl Default for AttachmentPolicy {
    fn default() -> Self {
        AttachmentPolicy {
            max_files: 5,
            max_bytes: 20 * 1024 * 1024,
        }
    }
}

impl AttachmentPolicy {
    pub fn limit_mb(&self) -> u64 {
        self.max_bytes.div_ceil(1024 * 1024)
    }

    /// Judges a file by its first bytes and its name. A known extension must agree with the
    /// content; a name without an extension is judged by content alone.
    pub fn check(&self, name: &str, head: &[u8], size: u64) -> Result<FileKind, FileRefusal> {
        let owned = || name.to_string();
        if size == 0 {
            return Err(FileRefusal::Empty { name: owned() });
        }
        if size > self.max_bytes {
            return Err(FileRefusal::TooLarge {
                name: owned(),
                limit_mb: self.limit_mb(),
            });
        }
        let family =
            family_of_content(head).ok_or_else(|| FileRefusal::NotAllowed { name: owned() })?;
        match extension(name) {
            None => Ok(default_kind(family)),
            Some(ext) => {
                let kind = FileKind::from_extension(&ext)
                    .ok_or_else(|| FileRefusal::NotAllowed { name: owned() })?;
                if family_of_kind(kind) == family {
                    Ok(kind)
                } else {
                    Err(FileRefusal::Mismatch { name: owned(), ext })
                }
            }
        }
    }
}

fn default_kind(family: Family) -> FileKind {
    match family {
        Family::Pdf => FileKind::Pdf,
        Family::Ole => FileKind::Doc,
        Family::Zip => FileKind::Zip,
        Family::Rar => FileKind::Rar,
        Family::Gif => FileKind::Gif,
        Family::Jpg => FileKind::Jpg,
        Family::Png => FileKind::Png,
    }
}

fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// A file name fit for display: no directories, no control characters, at most 200 characters.
/// It is never used as a path (files are stored by their sha256).
pub fn display_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_format_char(*c))
        .take(200)
        .collect();
    let clean = clean.trim().to_string();
    if clean.is_empty() || clean == "." || clean == ".." {
        "ไฟล์แนบ".to_string()
    } else {
        clean
    }
}

/// Invisible characters that change how text around them is shown: the bidirectional marks,
/// embeddings, overrides and isolates (U+202E turns `gpj.exe` into `exe.jpg` on screen), zero-width
/// spaces and joiners, and the byte-order mark. None belongs in a file name.
pub fn is_format_char(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// A stored file name as it is shown: without format characters (names stored before they were
/// removed on the way in are cleaned on the way out).
pub fn shown_name(name: &str) -> String {
    name.chars().filter(|c| !is_format_char(*c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_characters_are_removed_from_file_names() {
        assert_eq!(display_name("report\u{202E}fdp.exe"), "reportfdp.exe");
        assert_eq!(display_name("\u{200F}ไฟล์\u{2066}.pdf\u{FEFF}"), "ไฟล์.pdf");
        assert_eq!(shown_name("a\u{202D}b.pdf"), "ab.pdf");
    }

    const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";

    #[test]
    fn judges_by_content_and_name_together() {
        let p = AttachmentPolicy::default();
        assert_eq!(p.check("หนังสือ.pdf", PDF, 10), Ok(FileKind::Pdf));
        assert_eq!(p.check("scan.PDF", PDF, 10), Ok(FileKind::Pdf));
        assert_eq!(p.check("ไม่มีนามสกุล", PDF, 10), Ok(FileKind::Pdf));
        assert_eq!(
            p.check("photo.jpeg", &[0xFF, 0xD8, 0xFF, 0xE0], 10),
            Ok(FileKind::Jpg)
        );
        assert_eq!(p.check("a.docx", b"PK\x03\x04rest", 10), Ok(FileKind::Docx));
        assert!(matches!(
            p.check("virus.pdf", b"MZ\x90\x00", 10),
            Err(FileRefusal::NotAllowed { .. })
        ));
        assert!(matches!(
            p.check("fake.jpg", PDF, 10),
            Err(FileRefusal::Mismatch { .. })
        ));
        assert!(matches!(
            p.check("run.exe", PDF, 10),
            Err(FileRefusal::NotAllowed { .. })
        ));
    }

    #[test]
    fn size_limits() {
        let p = AttachmentPolicy {
            max_files: 5,
            max_bytes: 1024,
        };
        assert!(matches!(
            p.check("a.pdf", PDF, 0),
            Err(FileRefusal::Empty { .. })
        ));
        assert!(matches!(
            p.check("a.pdf", PDF, 1025),
            Err(FileRefusal::TooLarge { .. })
        ));
        assert!(p.check("a.pdf", PDF, 1024).is_ok());
    }

    #[test]
    fn display_names_never_carry_paths() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\Users\\ครู\\คำสั่ง.pdf"), "คำสั่ง.pdf");
        assert_eq!(display_name("a\u{0}b.pdf"), "ab.pdf");
        assert_eq!(display_name(".."), "ไฟล์แนบ");
    }

    #[test]
    fn a_files_kind_comes_from_its_name_and_its_bytes() {
        assert_eq!(kind_of("หนังสือ.PDF", PDF), Some(FileKind::Pdf));
        assert_eq!(kind_of("noname", PDF), Some(FileKind::Pdf));
        assert_eq!(
            kind_of("scan.jpg", PDF),
            Some(FileKind::Pdf),
            "the bytes win"
        );
        assert_eq!(
            kind_of("report.xlsx", b"PK\x03\x04rest"),
            Some(FileKind::Xlsx)
        );
        assert_eq!(kind_of("archive", b"PK\x03\x04rest"), Some(FileKind::Zip));
        assert_eq!(kind_of("notes.docx", b"plain text"), Some(FileKind::Docx));
        assert_eq!(kind_of("notes.txt", b"plain text"), None);
    }
}
