//! Is a mail's sender who it says? The checks made on a mail (DKIM, SPF, DMARC, ARC, or the
//! receiving server's own `Authentication-Results`), and what they mean for the clerk: a verdict
//! in Thai, and whether the mail is held for the clerk's explicit decision. Pure: the checks are
//! made by `mail::sender_auth`, the directory of known senders comes from the store.

use serde::{Deserialize, Serialize};

/// One check's outcome, as RFC 8601 names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    SoftFail,
    Neutral,
    None,
    TempError,
    PermError,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::SoftFail => "softfail",
            Outcome::Neutral => "neutral",
            Outcome::None => "none",
            Outcome::TempError => "temperror",
            Outcome::PermError => "permerror",
        }
    }

    pub fn from_code(code: &str) -> Outcome {
        match code.trim().to_ascii_lowercase().as_str() {
            "pass" => Outcome::Pass,
            "fail" | "hardfail" => Outcome::Fail,
            "softfail" => Outcome::SoftFail,
            "neutral" | "policy" => Outcome::Neutral,
            "temperror" => Outcome::TempError,
            "permerror" => Outcome::PermError,
            _ => Outcome::None,
        }
    }
}

/// One DKIM signature's check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DkimCheck {
    pub domain: String,
    pub selector: String,
    pub result: Outcome,
    /// Why, when it did not pass (in English, as the library says it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpfCheck {
    /// The MAIL FROM (or HELO) domain checked.
    pub domain: String,
    /// The connecting IP of the first trusted hop.
    pub ip: String,
    pub result: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DmarcCheck {
    /// The From domain.
    pub domain: String,
    /// none, quarantine or reject ("" when the domain publishes no DMARC record).
    pub policy: String,
    pub result: Outcome,
    pub dkim_aligned: bool,
    pub spf_aligned: bool,
}

/// Everything checked on one mail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checks {
    /// "verified here" or the trusted `authserv-id` whose `Authentication-Results` were used.
    pub source: String,
    /// The From header's address.
    pub from_address: String,
    pub dkim: Vec<DkimCheck>,
    pub spf: Option<SpfCheck>,
    pub dmarc: Option<DmarcCheck>,
    /// ARC chain of a forwarded mail (`None` when it has none).
    pub arc: Option<Outcome>,
}

impl Checks {
    /// The From address's domain, lower case.
    pub fn from_domain(&self) -> String {
        domain_of(&self.from_address)
    }

    /// A DNS failure left the answer open: check again later.
    pub fn temporary(&self) -> bool {
        self.dkim.iter().any(|d| d.result == Outcome::TempError)
            || self
                .spf
                .as_ref()
                .is_some_and(|s| s.result == Outcome::TempError)
            || self
                .dmarc
                .as_ref()
                .is_some_and(|d| d.result == Outcome::TempError)
    }

    /// The domain that authenticated the From address, and how: DMARC passed, or (where the
    /// domain publishes no DMARC record) a passing DKIM signature or SPF of the From domain
    /// (the same domain or a subdomain, as DMARC's relaxed alignment reads it).
    pub fn authenticated(&self) -> Option<(String, &'static str)> {
        let from = self.from_domain();
        if from.is_empty() {
            return None;
        }
        let dkim = self
            .dkim
            .iter()
            .any(|d| d.result == Outcome::Pass && aligned(&d.domain, &from));
        let spf = self
            .spf
            .as_ref()
            .is_some_and(|s| s.result == Outcome::Pass && aligned(&s.domain, &from));
        match &self.dmarc {
            Some(d) if d.result == Outcome::Pass => {
                let how = match (d.dkim_aligned || dkim, d.spf_aligned || spf) {
                    (true, true) => "DKIM, SPF",
                    (false, true) => "SPF",
                    _ => "DKIM",
                };
                Some((from, how))
            }
            Some(d) if d.result == Outcome::Fail => None,
            _ => match (dkim, spf) {
                (true, true) => Some((from, "DKIM, SPF")),
                (true, false) => Some((from, "DKIM")),
                (false, true) => Some((from, "SPF")),
                (false, false) => None,
            },
        }
    }

    /// A DMARC failure the domain asked receivers to act on (quarantine or reject).
    pub fn dmarc_enforced_failure(&self) -> bool {
        self.dmarc.as_ref().is_some_and(|d| {
            d.result == Outcome::Fail && matches!(d.policy.as_str(), "quarantine" | "reject")
        })
    }
}

/// `d` is `from` or a parent domain of it (relaxed alignment, without the public-suffix list:
/// a government domain's organisational part is never a bare suffix here).
fn aligned(d: &str, from: &str) -> bool {
    let d = d.trim_end_matches('.').to_ascii_lowercase();
    let from = from.trim_end_matches('.').to_ascii_lowercase();
    !d.is_empty()
        && (from == d || from.ends_with(&format!(".{d}")) || d.ends_with(&format!(".{from}")))
}

pub fn domain_of(address: &str) -> String {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.trim().trim_end_matches('>').to_ascii_lowercase())
        .unwrap_or_default()
}

/// An office (of the deployment, or one the office confirmed) whose mail we know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownSender {
    pub name: String,
    /// Lower-case domains its mail comes from.
    pub domains: Vec<String>,
    /// Lower-case addresses it sends from (confirmed one by one).
    pub addresses: Vec<String>,
}

impl KnownSender {
    fn owns(&self, domain: &str) -> bool {
        self.domains.iter().any(|d| d == domain)
    }
}

/// What the clerk is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The From domain authenticated (and, if it claims a known office, is that office's).
    Verified,
    /// Nothing proves or disproves the sender.
    Unverified,
    /// A DNS failure: checked again later.
    Pending,
    /// It claims a known office, but the authenticated domain is not that office's.
    Spoofed,
}

impl Verdict {
    pub fn code(&self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::Unverified => "unverified",
            Verdict::Pending => "pending",
            Verdict::Spoofed => "spoofed",
        }
    }

    pub fn from_code(code: &str) -> Verdict {
        match code {
            "verified" => Verdict::Verified,
            "pending" => Verdict::Pending,
            "spoofed" => Verdict::Spoofed,
            _ => Verdict::Unverified,
        }
    }
}

/// The checks judged against the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub verdict: Verdict,
    /// The authenticated domain.
    pub domain: String,
    /// DKIM, SPF, or both.
    pub method: String,
    /// The known office the mail claims to come from, by name or address.
    pub claimed: Option<String>,
    /// Never registered on arrival: waits for the clerk's explicit decision.
    pub hold: bool,
}

impl Judgement {
    /// The clerk's words for it.
    pub fn label(&self) -> String {
        match self.verdict {
            Verdict::Verified => format!("ยืนยันผู้ส่งแล้ว ({}, {})", self.domain, self.method),
            Verdict::Unverified => "ไม่สามารถยืนยันผู้ส่ง".into(),
            Verdict::Pending => "รอตรวจสอบผู้ส่ง (ระบบ DNS ไม่ตอบ จะตรวจซ้ำอัตโนมัติ)".into(),
            Verdict::Spoofed => match &self.claimed {
                Some(office) => format!("ผู้ส่งอาจถูกปลอม (อ้างว่าเป็น {office})"),
                None => "ผู้ส่งอาจถูกปลอม".into(),
            },
        }
    }
}

/// Which known office the mail claims to be from, and whether the claim is only by name: its
/// From address or domain is the office's, or its display name or the letter's จาก names it.
fn claimed_office<'a>(
    directory: &'a [KnownSender],
    from_address: &str,
    names: &[&str],
) -> Option<(&'a KnownSender, bool)> {
    let address = from_address.trim().to_ascii_lowercase();
    let domain = domain_of(&address);
    directory
        .iter()
        .find(|k| k.addresses.contains(&address) || (!domain.is_empty() && k.owns(&domain)))
        .map(|k| (k, false))
        .or_else(|| {
            directory
                .iter()
                .find(|k| {
                    let office = normalise(&k.name);
                    office.chars().count() >= 4
                        && names.iter().any(|n| normalise(n).contains(&office))
                })
                .map(|k| (k, true))
        })
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The verdict on a mail from its checks, its From address, its display name and จาก.
pub fn judge(
    checks: &Checks,
    directory: &[KnownSender],
    display_name: &str,
    letter_from: &str,
) -> Judgement {
    let claimed = claimed_office(
        directory,
        &checks.from_address,
        &[display_name, letter_from],
    );
    let authenticated = checks.authenticated();
    let (domain, method) = authenticated
        .clone()
        .map(|(d, m)| (d, m.to_string()))
        .unwrap_or_default();
    let own_address = |k: &KnownSender| {
        k.addresses
            .contains(&checks.from_address.trim().to_ascii_lowercase())
    };
    let verdict = match (&authenticated, claimed) {
        // Authenticated, but as someone other than the office it claims to be.
        (Some((d, _)), Some((office, _))) if !office.owns(d) && !own_address(office) => {
            Verdict::Spoofed
        }
        (Some(_), _) => Verdict::Verified,
        (None, _) if checks.temporary() => Verdict::Pending,
        // Named as a known office while writing from an address that is not the office's.
        (None, Some((_, true))) => Verdict::Spoofed,
        (None, _) => Verdict::Unverified,
    };
    let hold =
        matches!(verdict, Verdict::Spoofed | Verdict::Pending) || checks.dmarc_enforced_failure();
    Judgement {
        verdict,
        domain,
        method,
        claimed: claimed.map(|(k, _)| k.name.clone()),
        hold,
    }
}

/// A receiving server's `Authentication-Results` header, when its authserv-id is trusted:
/// `mx.example.go.th; dkim=pass header.d=obec.go.th header.s=sel; spf=pass
/// smtp.mailfrom=a@obec.go.th; dmarc=pass (p=reject) header.from=obec.go.th`.
pub fn from_authentication_results(
    value: &str,
    trusted: &[String],
    from_address: &str,
) -> Option<Checks> {
    let unfolded = value.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut parts = unfolded.split(';');
    let id = parts
        .next()?
        .split_whitespace()
        .next()?
        .to_ascii_lowercase();
    if !trusted.iter().any(|t| t.eq_ignore_ascii_case(&id)) {
        return None;
    }
    let mut checks = Checks {
        source: id,
        from_address: from_address.to_string(),
        ..Default::default()
    };
    for part in parts {
        let mut words = part.split_whitespace();
        let Some((method, result)) = words.next().and_then(|w| w.split_once('=')) else {
            continue;
        };
        let result = Outcome::from_code(result);
        let mut props = std::collections::HashMap::new();
        let mut policy = String::new();
        for w in words {
            if let Some((k, v)) = w.split_once('=') {
                let v = v.trim_matches(|c| c == '(' || c == ')' || c == '"');
                if k.trim_start_matches('(') == "p" {
                    policy = v.to_ascii_lowercase();
                } else {
                    props.insert(k.to_ascii_lowercase(), v.to_string());
                }
            }
        }
        let get = |k: &str| props.get(k).cloned().unwrap_or_default();
        match method.to_ascii_lowercase().as_str() {
            // "dkim=none": the mail carries no signature.
            "dkim" if result == Outcome::None => {}
            "dkim" => checks.dkim.push(DkimCheck {
                domain: get("header.d").to_ascii_lowercase(),
                selector: get("header.s"),
                result,
                reason: String::new(),
            }),
            "spf" => {
                let from = get("smtp.mailfrom");
                checks.spf = Some(SpfCheck {
                    domain: if from.contains('@') {
                        domain_of(&from)
                    } else {
                        from.to_ascii_lowercase()
                    },
                    ip: get("smtp.remote-ip"),
                    result,
                })
            }
            "dmarc" => {
                checks.dmarc = Some(DmarcCheck {
                    domain: get("header.from").to_ascii_lowercase(),
                    policy,
                    result,
                    dkim_aligned: false,
                    spf_aligned: false,
                })
            }
            "arc" => checks.arc = Some(result),
            _ => {}
        }
    }
    Some(checks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obec() -> Vec<KnownSender> {
        vec![KnownSender {
            name: "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน".into(),
            domains: vec!["obec.go.th".into()],
            addresses: vec![],
        }]
    }

    fn dkim(domain: &str, result: Outcome) -> Checks {
        Checks {
            source: "verified here".into(),
            from_address: "saraban@obec.go.th".into(),
            dkim: vec![DkimCheck {
                domain: domain.into(),
                selector: "sel".into(),
                result,
                reason: String::new(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_signed_mail_of_a_known_office_is_verified() {
        let j = judge(&dkim("obec.go.th", Outcome::Pass), &obec(), "สพฐ.", "");
        assert_eq!(j.verdict, Verdict::Verified);
        assert_eq!(j.label(), "ยืนยันผู้ส่งแล้ว (obec.go.th, DKIM)");
        assert!(!j.hold);
    }

    #[test]
    fn a_claim_the_authenticated_domain_does_not_back_is_a_spoof_and_held() {
        // Signed by its own domain, but named as the office in the display name.
        let mut c = dkim("evil.example", Outcome::Pass);
        c.from_address = "saraban@evil.example".into();
        let j = judge(&c, &obec(), "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน", "");
        assert_eq!(j.verdict, Verdict::Spoofed);
        assert!(j.hold);
        assert!(j.label().starts_with("ผู้ส่งอาจถูกปลอม"));
        // Named as the office, written from a free-mail address, unsigned.
        let mut c = dkim("gmail.example", Outcome::None);
        c.from_address = "sarabun.obec@gmail.example".into();
        let j = judge(&c, &obec(), "", "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน");
        assert_eq!((j.verdict.clone(), j.hold), (Verdict::Spoofed, true));
        // The office's own address with a broken signature: not proved, not disproved.
        let j = judge(&dkim("obec.go.th", Outcome::Fail), &obec(), "", "");
        assert_eq!(j.verdict, Verdict::Unverified);
        // An unknown sender with no signature is merely unverified, and not held.
        let mut c = dkim("x.example", Outcome::Fail);
        c.from_address = "a@x.example".into();
        let j = judge(&c, &obec(), "โรงเรียนบ้านนา", "");
        assert_eq!((j.verdict.clone(), j.hold), (Verdict::Unverified, false));
        assert_eq!(j.label(), "ไม่สามารถยืนยันผู้ส่ง");
    }

    #[test]
    fn dns_trouble_is_pending_and_an_enforced_dmarc_failure_is_held() {
        let mut c = dkim("school.example", Outcome::TempError);
        c.from_address = "a@school.example".into();
        let j = judge(&c, &[], "", "");
        assert_eq!((j.verdict.clone(), j.hold), (Verdict::Pending, true));
        let mut c = dkim("school.example", Outcome::Fail);
        c.from_address = "a@school.example".into();
        c.dmarc = Some(DmarcCheck {
            domain: "school.example".into(),
            policy: "reject".into(),
            result: Outcome::Fail,
            dkim_aligned: false,
            spf_aligned: false,
        });
        let j = judge(&c, &[], "", "");
        assert_eq!((j.verdict.clone(), j.hold), (Verdict::Unverified, true));
    }

    #[test]
    fn alignment_is_relaxed_to_parent_domains() {
        let mut c = dkim("obec.go.th", Outcome::Pass);
        c.from_address = "saraban@mail.obec.go.th".into();
        assert_eq!(c.authenticated().map(|a| a.1), Some("DKIM"));
        let c = dkim("go.th.evil", Outcome::Pass);
        assert!(c.authenticated().is_none());
    }

    #[test]
    fn a_trusted_servers_results_are_read_and_others_ignored() {
        let header = "mx.obec.go.th; dkim=pass header.d=obec.go.th header.s=s1;\r\n spf=pass smtp.mailfrom=saraban@obec.go.th; dmarc=pass (p=reject) header.from=obec.go.th";
        let trusted = vec!["mx.obec.go.th".to_string()];
        let c = from_authentication_results(header, &trusted, "saraban@obec.go.th").unwrap();
        assert_eq!(c.source, "mx.obec.go.th");
        assert_eq!(c.dkim[0].domain, "obec.go.th");
        assert_eq!(c.spf.as_ref().unwrap().domain, "obec.go.th");
        assert_eq!(c.dmarc.as_ref().unwrap().policy, "reject");
        assert_eq!(c.authenticated(), Some(("obec.go.th".into(), "DKIM, SPF")));
        assert!(from_authentication_results(header, &["other".into()], "x@y").is_none());
    }
}
