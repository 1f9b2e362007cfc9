//! Thai charset labels that mail-parser 0.11 does not know, and raw 8-bit Thai header bytes.

use std::borrow::Cow;

/// Labels Thai mailers write that mail-parser does not recognise, and what they mean.
const ALIASES: &[(&[u8], &[u8])] = &[
    (b"x-windows-874", b"windows-874"),
    (b"x-cp874", b"windows-874"),
    (b"cp874", b"windows-874"),
    (b"ms874", b"windows-874"),
    (b"tis620", b"tis-620"),
];

/// A copy of the message in which `charset=cp874`-style labels (in Content-Type parameters and in
/// RFC 2047 words) read `windows-874` or `tis-620`. The stored raw message is never changed; this
/// copy only feeds the parser.
pub fn normalise_labels(raw: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied_to = 0;
    // Every label follows an `=` (`charset=`, `charset="` or `=?`), and base64 bodies hardly
    // contain one: jumping from `=` to `=` keeps this cheap on large messages.
    for eq in memchr::memchr_iter(b'=', raw) {
        if eq < copied_to {
            continue;
        }
        let start = match raw.get(eq + 1) {
            Some(b'?') => eq + 2,
            _ if eq >= 7 && raw[eq - 7..eq].eq_ignore_ascii_case(b"charset") => {
                if raw.get(eq + 1) == Some(&b'"') {
                    eq + 2
                } else {
                    eq + 1
                }
            }
            _ => continue,
        };
        let rest = &raw[start..];
        let found = ALIASES.iter().find(|(alias, _)| {
            rest.len() >= alias.len()
                && rest[..alias.len()].eq_ignore_ascii_case(alias)
                && rest.get(alias.len()).is_none_or(|b| {
                    matches!(b, b'"' | b'?' | b';' | b' ' | b'\t' | b'\r' | b'\n' | b'*')
                })
        });
        if let Some((alias, canonical)) = found {
            let buf = out.get_or_insert_with(|| Vec::with_capacity(raw.len() + 64));
            buf.extend_from_slice(&raw[copied_to..start]);
            buf.extend_from_slice(canonical);
            copied_to = start + alias.len();
        }
    }
    match out {
        None => Cow::Borrowed(raw),
        Some(mut buf) => {
            buf.extend_from_slice(&raw[copied_to..]);
            Cow::Owned(buf)
        }
    }
}

/// The value of a top-level header as raw bytes, unfolded (`None` when absent).
pub fn raw_header(raw: &[u8], name: &str) -> Option<Vec<u8>> {
    let end = find(raw, b"\r\n\r\n")
        .or_else(|| find(raw, b"\n\n"))
        .unwrap_or(raw.len());
    let head = &raw[..end];
    let name = name.as_bytes();
    let mut lines = head.split(|b| *b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.len() > name.len()
            && line[..name.len()].eq_ignore_ascii_case(name)
            && line[name.len()] == b':'
        {
            let mut value = line[name.len() + 1..].to_vec();
            while let Some(next) = lines.peek() {
                if next.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
                    let next = lines.next().unwrap_or_default();
                    value.push(b' ');
                    value.extend_from_slice(next.strip_suffix(b"\r").unwrap_or(next).trim_ascii());
                } else {
                    break;
                }
            }
            return Some(value.trim_ascii().to_vec());
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Text from 8-bit header bytes: strict UTF-8 when valid, otherwise windows-874 (a superset of
/// TIS-620, what Thai Outlook writes).
pub fn decode_8bit(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_874
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_thai_labels_are_renamed_for_the_parser() {
        let raw = b"Subject: =?cp874?B?xxx?=\r\nContent-Type: text/plain; charset=\"x-cp874\"\r\n\r\ncharset=tis620 in body too";
        let out = normalise_labels(raw);
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("=?windows-874?B?xxx?="));
        assert!(text.contains("charset=\"windows-874\""));
        assert!(text.contains("charset=tis-620"));
        let raw = b"Content-Type: text/plain; CHARSET=MS874\r\nSubject: =?TIS620?Q?x?= =?x-windows-874?B?y?=";
        let text = String::from_utf8_lossy(&normalise_labels(raw)).into_owned();
        assert_eq!(
            text,
            "Content-Type: text/plain; CHARSET=windows-874\r\nSubject: =?tis-620?Q?x?= =?windows-874?B?y?="
        );
        // Known labels and look-alikes are left alone.
        let raw = b"Content-Type: text/plain; charset=windows-874; x=cp8740\r\n";
        assert!(matches!(normalise_labels(raw), Cow::Borrowed(_)));
        assert!(matches!(
            normalise_labels(b"charset=cp8745"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn raw_headers_are_found_and_unfolded() {
        let raw = b"From: a@b.th\r\nSubject: first\r\n  second\r\nX: y\r\n\r\nSubject: not this";
        assert_eq!(raw_header(raw, "subject").unwrap(), b"first second");
        assert_eq!(raw_header(raw, "Date"), None);
    }

    #[test]
    fn eight_bit_thai_is_read_as_windows_874_unless_it_is_utf8() {
        // "สวัสดี" in TIS-620 / windows-874
        let tis = [0xCA, 0xC7, 0xD1, 0xCA, 0xB4, 0xD5];
        assert_eq!(decode_8bit(&tis), "สวัสดี");
        assert_eq!(decode_8bit("สวัสดี".as_bytes()), "สวัสดี");
    }
}
