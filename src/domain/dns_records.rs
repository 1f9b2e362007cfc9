//! The DNS records an office publishes so that receivers trust the mail saraban sends for it:
//! its DKIM public key, SPF and DMARC; and how a record found in DNS compares with what should be
//! there ("ตรวจสอบ DNS" on the admin page).

use std::fmt;

/// The algorithm of an office's DKIM key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// Short keys (RFC 8463); not every receiver checks them yet.
    Ed25519,
    /// RSA-2048 with SHA-256: what every receiver checks.
    Rsa2048,
}

impl KeyAlgorithm {
    pub fn parse(s: &str) -> Option<KeyAlgorithm> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ed25519" => Some(KeyAlgorithm::Ed25519),
            "rsa" | "rsa2048" | "rsa-2048" => Some(KeyAlgorithm::Rsa2048),
            _ => None,
        }
    }

    /// As stored and as the CLI spells it.
    pub fn code(self) -> &'static str {
        match self {
            KeyAlgorithm::Ed25519 => "ed25519",
            KeyAlgorithm::Rsa2048 => "rsa",
        }
    }

    /// The `k=` tag of the DKIM record.
    fn key_type(self) -> &'static str {
        match self {
            KeyAlgorithm::Ed25519 => "ed25519",
            KeyAlgorithm::Rsa2048 => "rsa",
        }
    }
}

/// A selector names one key of a domain: letters, digits and '-', as DNS labels allow.
pub fn valid_selector(selector: &str) -> bool {
    !selector.is_empty()
        && selector.len() <= 63
        && selector
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !selector.starts_with('-')
        && !selector.ends_with('-')
}

/// A mail domain as DNS names it: labels of letters, digits and '-', at least two.
pub fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// Where the DKIM key is published.
pub fn dkim_name(selector: &str, domain: &str) -> String {
    format!("{selector}._domainkey.{domain}")
}

/// The DKIM record's text for a public key (base64).
pub fn dkim_text(algorithm: KeyAlgorithm, public_key_b64: &str) -> String {
    format!("v=DKIM1; k={}; p={public_key_b64}", algorithm.key_type())
}

/// An SPF record allowing the office's domain's own mail servers and, when mail leaves through
/// a named SMTP server, that server.
pub fn suggested_spf(smtp_host: Option<&str>) -> String {
    match smtp_host.map(str::trim).filter(|h| !h.is_empty()) {
        Some(host) if host.parse::<std::net::Ipv4Addr>().is_ok() => {
            format!("v=spf1 mx ip4:{host} ~all")
        }
        Some(host) if host.parse::<std::net::Ipv6Addr>().is_ok() => {
            format!("v=spf1 mx ip6:{host} ~all")
        }
        Some(host) => format!("v=spf1 mx a:{host} ~all"),
        None => "v=spf1 mx ~all".into(),
    }
}

/// A DMARC record that asks receivers to report and to take no action yet: the safe first step
/// (an office moves to `quarantine` once the reports show all its mail passes).
pub fn suggested_dmarc(report_to: &str) -> String {
    if report_to.contains('@') {
        format!("v=DMARC1; p=none; rua=mailto:{report_to}")
    } else {
        "v=DMARC1; p=none".into()
    }
}

/// A TXT value cut into the 255-byte strings DNS carries (zone files write them side by side).
pub fn txt_strings(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while rest.len() > 255 {
        let mut cut = 255;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    out.push(rest);
    out
}

/// The record as a line of a BIND zone file.
pub fn zone_line(name: &str, text: &str) -> String {
    let strings: Vec<String> = txt_strings(text)
        .into_iter()
        .map(|s| format!("\"{s}\""))
        .collect();
    format!("{name}. IN TXT ( {} )", strings.join(" "))
}

/// Which of the three records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Dkim,
    Spf,
    Dmarc,
}

impl RecordKind {
    pub fn label(self) -> &'static str {
        match self {
            RecordKind::Dkim => "DKIM (กุญแจลงลายมือชื่ออีเมล)",
            RecordKind::Spf => "SPF (เครื่องที่ส่งอีเมลในนามโดเมนได้)",
            RecordKind::Dmarc => "DMARC (นโยบายของโดเมน)",
        }
    }
}

/// What DNS holds, compared with what should be there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordState {
    /// Published as it should be.
    Matches,
    /// Nothing of this kind at the name.
    Missing,
    /// A record is there but not ours (another DKIM key; SPF or DMARC the office wrote itself,
    /// which is fine when it says what it should).
    Different(String),
    /// The question was not answered.
    Unanswered(String),
}

impl RecordState {
    pub fn code(&self) -> &'static str {
        match self {
            RecordState::Matches => "matches",
            RecordState::Missing => "missing",
            RecordState::Different(_) => "different",
            RecordState::Unanswered(_) => "unanswered",
        }
    }
}

impl fmt::Display for RecordState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordState::Matches => f.write_str("ถูกต้อง"),
            RecordState::Missing => f.write_str("ยังไม่พบใน DNS"),
            RecordState::Different(why) => write!(f, "ไม่ตรง: {why}"),
            RecordState::Unanswered(why) => write!(f, "DNS ไม่ตอบ: {why}"),
        }
    }
}

/// The `tag=value` pairs of a DKIM or DMARC record, tags lower case, spaces removed from values.
fn tags(record: &str) -> Vec<(String, String)> {
    record
        .split(';')
        .filter_map(|part| {
            let (k, v) = part.split_once('=')?;
            Some((
                k.trim().to_ascii_lowercase(),
                v.chars().filter(|c| !c.is_whitespace()).collect(),
            ))
        })
        .collect()
}

fn tag<'a>(tags: &'a [(String, String)], name: &str) -> Option<&'a str> {
    tags.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Compares the TXT records found at a name with the record of `kind` that should be there.
/// `expected` is the DKIM record we made; for SPF and DMARC, any valid record of the office
/// passes, since the office may have written its own.
pub fn compare(kind: RecordKind, expected: &str, found: &[String]) -> RecordState {
    match kind {
        RecordKind::Dkim => {
            let want = tags(expected);
            let keys: Vec<Vec<(String, String)>> = found
                .iter()
                .map(|r| tags(r))
                .filter(|t| tag(t, "p").is_some())
                .collect();
            if keys.is_empty() {
                return RecordState::Missing;
            }
            if keys.iter().any(|t| tag(t, "p") == tag(&want, "p")) {
                RecordState::Matches
            } else {
                RecordState::Different("กุญแจใน DNS ไม่ใช่กุญแจที่ระบบใช้ลงลายมือชื่อ".into())
            }
        }
        RecordKind::Spf => {
            let spf: Vec<&String> = found
                .iter()
                .filter(|r| r.trim_start().to_ascii_lowercase().starts_with("v=spf1"))
                .collect();
            match spf.as_slice() {
                [] => RecordState::Missing,
                [one] if one.contains("+all") || one.trim().ends_with(" all") => {
                    RecordState::Different("ระเบียนนี้ยอมให้ทุกเครื่องส่งในนามโดเมน (+all)".into())
                }
                [_] => RecordState::Matches,
                _ => RecordState::Different(
                    "มีระเบียน SPF มากกว่าหนึ่งระเบียน ผู้รับจะถือว่าผิดพลาดทั้งหมด".into(),
                ),
            }
        }
        RecordKind::Dmarc => {
            let dmarc: Vec<Vec<(String, String)>> = found
                .iter()
                .map(|r| tags(r))
                .filter(|t| tag(t, "v").is_some_and(|v| v.eq_ignore_ascii_case("DMARC1")))
                .collect();
            match dmarc.as_slice() {
                [] => RecordState::Missing,
                [one] => match tag(one, "p").map(str::to_ascii_lowercase).as_deref() {
                    Some("none" | "quarantine" | "reject") => RecordState::Matches,
                    _ => RecordState::Different("ไม่มีนโยบาย p=none, quarantine หรือ reject".into()),
                },
                _ => RecordState::Different("มีระเบียน DMARC มากกว่าหนึ่งระเบียน".into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_spelled_as_receivers_read_them() {
        assert_eq!(
            dkim_name("saraban", "school.go.th"),
            "saraban._domainkey.school.go.th"
        );
        assert_eq!(
            dkim_text(KeyAlgorithm::Ed25519, "AbC="),
            "v=DKIM1; k=ed25519; p=AbC="
        );
        assert_eq!(suggested_spf(None), "v=spf1 mx ~all");
        assert_eq!(
            suggested_spf(Some("smtp.gmail.com")),
            "v=spf1 mx a:smtp.gmail.com ~all"
        );
        assert_eq!(
            suggested_spf(Some("203.0.113.5")),
            "v=spf1 mx ip4:203.0.113.5 ~all"
        );
        assert_eq!(
            suggested_dmarc("saraban@school.go.th"),
            "v=DMARC1; p=none; rua=mailto:saraban@school.go.th"
        );
        assert_eq!(KeyAlgorithm::parse("RSA"), Some(KeyAlgorithm::Rsa2048));
        assert_eq!(KeyAlgorithm::parse("dsa"), None);
    }

    #[test]
    fn names_are_checked() {
        assert!(valid_selector("saraban2569"));
        assert!(!valid_selector("Sara ban"));
        assert!(!valid_selector("-x"));
        assert!(valid_domain("school.go.th"));
        assert!(!valid_domain("localhost"));
        assert!(!valid_domain("a..th"));
    }

    #[test]
    fn long_values_are_cut_into_dns_strings() {
        let long = "p=".to_string() + &"A".repeat(400);
        let parts = txt_strings(&long);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].len(), 255);
        assert_eq!(parts.concat(), long);
        assert_eq!(
            zone_line("s._domainkey.a.th", "v=DKIM1; p=x"),
            "s._domainkey.a.th. IN TXT ( \"v=DKIM1; p=x\" )"
        );
    }

    #[test]
    fn found_records_are_compared() {
        let ours = dkim_text(KeyAlgorithm::Rsa2048, "MIIBIjAN");
        assert_eq!(
            compare(
                RecordKind::Dkim,
                &ours,
                &["v=DKIM1; k=rsa; p=MIIB IjAN".into()]
            ),
            RecordState::Matches
        );
        assert!(matches!(
            compare(RecordKind::Dkim, &ours, &["v=DKIM1; p=OTHER".into()]),
            RecordState::Different(_)
        ));
        assert_eq!(
            compare(
                RecordKind::Dkim,
                &ours,
                &["google-site-verification=x".into()]
            ),
            RecordState::Missing
        );
        assert_eq!(
            compare(RecordKind::Spf, "", &["v=spf1 mx -all".into()]),
            RecordState::Matches
        );
        assert!(matches!(
            compare(
                RecordKind::Spf,
                "",
                &["v=spf1 mx -all".into(), "v=spf1 a -all".into()]
            ),
            RecordState::Different(_)
        ));
        assert!(matches!(
            compare(RecordKind::Spf, "", &["v=spf1 +all".into()]),
            RecordState::Different(_)
        ));
        assert_eq!(compare(RecordKind::Spf, "", &[]), RecordState::Missing);
        assert_eq!(
            compare(RecordKind::Dmarc, "", &["v=DMARC1; p=reject".into()]),
            RecordState::Matches
        );
        assert!(matches!(
            compare(RecordKind::Dmarc, "", &["v=DMARC1; rua=mailto:x@y".into()]),
            RecordState::Different(_)
        ));
    }
}
