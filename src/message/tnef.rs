//! The files inside Outlook's `winmail.dat` (TNEF, `application/ms-tnef`), read as MS-OXTNEF
//! describes it. Written here rather than taken from the `tnef` crate: that crate stops at any
//! attribute it does not know and ignores the attachment's long (Unicode) file name, where a
//! Thai name lives.

/// A file found inside a TNEF stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TnefFile {
    pub name: String,
    /// The attachment's MIME type when Outlook recorded one.
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

const SIGNATURE: u32 = 0x223E_9F78;
const ATT_OEM_CODEPAGE: u32 = 0x0006_9007;
const ATT_ATTACH_REND_DATA: u32 = 0x0006_9002;
const ATT_ATTACH_TITLE: u32 = 0x0001_8010;
const ATT_ATTACH_DATA: u32 = 0x0006_800F;
const ATT_ATTACHMENT: u32 = 0x0006_9005;
const PR_ATTACH_LONG_FILENAME: u16 = 0x3707;
const PR_ATTACH_MIME_TAG: u16 = 0x370E;
const PR_DISPLAY_NAME: u16 = 0x3001;

#[derive(Default)]
struct Pending {
    title: Option<String>,
    long_name: Option<String>,
    mime: Option<String>,
    data: Option<Vec<u8>>,
}

/// The files of a TNEF stream, in order; `None` when it is not TNEF or is cut short (the
/// caller then keeps `winmail.dat` itself as the file).
pub fn files(stream: &[u8]) -> Option<Vec<TnefFile>> {
    let mut r = Reader(stream);
    if r.u32()? != SIGNATURE {
        return None;
    }
    r.take(2)?; // legacy key
    let mut code_page = 1252u32;
    let mut out = Vec::new();
    let mut current: Option<Pending> = None;
    while !r.0.is_empty() {
        let _level = r.take(1)?;
        let id = r.u32()?;
        let len = r.u32()? as usize;
        let data = r.take(len)?;
        r.take(2)?; // checksum: a damaged byte shows in the file, not as a lost letter
        match id {
            ATT_OEM_CODEPAGE if data.len() >= 4 => {
                code_page = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
            }
            ATT_ATTACH_REND_DATA => {
                if let Some(p) = current.take() {
                    push(&mut out, p);
                }
                current = Some(Pending::default());
            }
            ATT_ATTACH_TITLE => {
                if let Some(p) = current.as_mut() {
                    p.title = Some(oem_string(data, code_page));
                }
            }
            ATT_ATTACH_DATA => {
                if let Some(p) = current.as_mut() {
                    p.data = Some(data.to_vec());
                }
            }
            ATT_ATTACHMENT => {
                if let Some(p) = current.as_mut() {
                    for (prop, value) in properties(data, code_page) {
                        match prop {
                            PR_ATTACH_LONG_FILENAME => p.long_name = Some(value),
                            PR_ATTACH_MIME_TAG => p.mime = Some(value),
                            PR_DISPLAY_NAME if p.long_name.is_none() && p.title.is_none() => {
                                p.title = Some(value)
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(p) = current.take() {
        push(&mut out, p);
    }
    Some(out)
}

fn push(out: &mut Vec<TnefFile>, p: Pending) {
    // An attachment without data is an embedded message or an OLE object: nothing to file.
    let Some(data) = p.data else {
        return;
    };
    let name = p
        .long_name
        .or(p.title)
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("winmail-{}", out.len() + 1));
    out.push(TnefFile {
        name,
        content_type: p.mime.filter(|m| m.contains('/')),
        data,
    });
}

/// A NUL-terminated string in the stream's OEM code page (874 for Thai Windows).
fn oem_string(data: &[u8], code_page: u32) -> String {
    let text = data.split(|b| *b == 0).next().unwrap_or_default();
    let encoding = match code_page {
        874 => encoding_rs::WINDOWS_874,
        65001 => encoding_rs::UTF_8,
        _ => encoding_rs::WINDOWS_1252,
    };
    encoding.decode(text).0.into_owned()
}

/// The string-valued properties (PT_STRING8, PT_UNICODE) of an attachment's MAPI property list;
/// the others are stepped over.
fn properties(data: &[u8], code_page: u32) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    let mut r = Reader(data);
    let Some(count) = r.u32() else {
        return out;
    };
    for _ in 0..count {
        let Some(found) = property(&mut r, code_page) else {
            break;
        };
        if let Some(p) = found {
            out.push(p);
        }
    }
    out
}

/// One property: `Some(Some(..))` a string property, `Some(None)` another, `None` the end.
fn property(r: &mut Reader<'_>, code_page: u32) -> Option<Option<(u16, String)>> {
    let kind = r.u16()?;
    let id = r.u16()?;
    if id >= 0x8000 {
        r.take(16)?; // the named property's GUID
        match r.u32()? {
            0 => {
                r.u32()?;
            }
            _ => {
                let len = r.u32()? as usize;
                r.take(padded(len))?;
            }
        }
    }
    let multi = kind & 0x1000 != 0;
    let base = kind & 0x0FFF;
    let variable = matches!(base, 0x001E | 0x001F | 0x0102 | 0x000D);
    let values = if multi || variable { r.u32()? } else { 1 };
    let mut text = None;
    for _ in 0..values {
        match base {
            0x0002 | 0x0003 | 0x0004 | 0x000A | 0x000B => {
                r.take(4)?;
            }
            0x0005 | 0x0006 | 0x0007 | 0x0014 | 0x0040 => {
                r.take(8)?;
            }
            0x0048 => {
                r.take(16)?;
            }
            0x001E | 0x001F | 0x0102 | 0x000D => {
                let len = r.u32()? as usize;
                let bytes = r.take(padded(len))?;
                let bytes = &bytes[..len];
                if text.is_none() {
                    text = match base {
                        0x001F => Some(utf16(bytes)),
                        0x001E => Some(oem_string(bytes, code_page)),
                        _ => None,
                    };
                }
            }
            _ => return None, // a type we cannot step over: stop reading the list
        }
    }
    Some(text.map(|t| (id, t)))
}

fn padded(len: usize) -> usize {
    len.div_ceil(4) * 4
}

fn utf16(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .take_while(|u| *u != 0)
        .collect();
    String::from_utf16_lossy(&units)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// A TNEF stream as Outlook writes one (for tests, here and in `tests/`): attachments with an
/// 8.3 title and a Unicode long name.
pub fn write_for_tests(files: &[(&str, &str, &[u8])]) -> Vec<u8> {
    fn attr(out: &mut Vec<u8>, level: u8, id: u32, data: &[u8]) {
        out.push(level);
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
        let sum = data.iter().fold(0u16, |s, b| s.wrapping_add(u16::from(*b)));
        out.extend_from_slice(&sum.to_le_bytes());
    }
    let mut out = Vec::new();
    out.extend_from_slice(&SIGNATURE.to_le_bytes());
    out.extend_from_slice(&0x0001u16.to_le_bytes());
    attr(&mut out, 1, 0x0008_9006, &[0, 0, 1, 0]); // TNEF version
    attr(
        &mut out,
        1,
        ATT_OEM_CODEPAGE,
        &[0xE4, 0x04, 0, 0, 0, 0, 0, 0],
    ); // 1252
    attr(&mut out, 1, 0x0007_8008, b"IPM.Microsoft Mail.Note\0");
    for (short, long, data) in files {
        let rend = [
            1u8, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0,
        ];
        attr(&mut out, 2, ATT_ATTACH_REND_DATA, &rend);
        let mut title = short.as_bytes().to_vec();
        title.push(0);
        attr(&mut out, 2, ATT_ATTACH_TITLE, &title);
        attr(&mut out, 2, ATT_ATTACH_DATA, data);
        // MAPI properties: PR_ATTACH_LONG_FILENAME (PT_UNICODE) and PR_ATTACH_SIZE (PT_LONG).
        let mut props = Vec::new();
        props.extend_from_slice(&2u32.to_le_bytes());
        props.extend_from_slice(&0x0003u16.to_le_bytes());
        props.extend_from_slice(&0x0E20u16.to_le_bytes());
        props.extend_from_slice(&(data.len() as u32).to_le_bytes());
        props.extend_from_slice(&0x001Fu16.to_le_bytes());
        props.extend_from_slice(&PR_ATTACH_LONG_FILENAME.to_le_bytes());
        props.extend_from_slice(&1u32.to_le_bytes());
        let mut name: Vec<u8> = long.encode_utf16().flat_map(u16::to_le_bytes).collect();
        name.extend_from_slice(&[0, 0]);
        props.extend_from_slice(&(name.len() as u32).to_le_bytes());
        let len = name.len();
        props.extend_from_slice(&name);
        props.resize(props.len() + padded(len) - len, 0);
        attr(&mut out, 2, ATT_ATTACHMENT, &props);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_come_out_with_their_thai_long_names() {
        let stream = write_for_tests(&[
            ("REPORT~1.PDF", "รายงานผลการเรียน.pdf", b"%PDF-1.4 report"),
            ("PHOTO.JPG", "photo.jpg", b"\xFF\xD8\xFF\xE0jpeg"),
        ]);
        let files = files(&stream).expect("tnef");
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].name, "รายงานผลการเรียน.pdf");
        assert_eq!(files[0].data, b"%PDF-1.4 report");
        assert_eq!(files[1].name, "photo.jpg");
    }

    #[test]
    fn what_is_not_tnef_or_is_cut_short_is_refused() {
        assert_eq!(files(b"%PDF-1.4"), None);
        let stream = write_for_tests(&[("A.PDF", "a.pdf", b"%PDF-1.4 a")]);
        assert_eq!(files(&stream[..stream.len() - 10]), None);
        assert_eq!(files(&stream[..6]), Some(Vec::new()));
    }
}
