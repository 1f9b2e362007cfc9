//! A letter forwarded inline: the forwarder's mail client wrote the original's headers into the
//! body ("---------- Forwarded message ---------" in Gmail, Outlook's "From: … Sent: …" block,
//! Apple Mail's "Begin forwarded message:", in English or Thai). The letter's ที่, ลงวันที่,
//! เรื่อง and จาก are the original's, not the forwarder's.

/// The original mail's headers as the forward shows them, and the text that follows them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Forwarded {
    pub from_name: String,
    pub from_addr: String,
    pub subject: String,
    /// The original's body (what follows its header block).
    pub body: String,
}

/// Lines that open a forwarded block, lower case, compared after trimming dashes and spaces.
const MARKERS: &[&str] = &[
    "forwarded message",
    "original message",
    "begin forwarded message:",
    "ข้อความที่ส่งต่อ",
    "ข้อความต้นฉบับ",
    "ข้อความที่ส่งต่อมา",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    From,
    Subject,
    Other,
}

/// The label of a header line in a forwarded block (English and Thai clients).
fn field_of(label: &str) -> Option<Field> {
    let label = label.trim().trim_start_matches('*').trim_end_matches('*');
    match label.to_lowercase().as_str() {
        "from" | "จาก" => Some(Field::From),
        "subject" | "เรื่อง" | "ชื่อเรื่อง" => Some(Field::Subject),
        "date" | "sent" | "to" | "cc" | "วันที่" | "ส่ง" | "ส่งเมื่อ" | "ถึง" | "สำเนาถึง" => {
            Some(Field::Other)
        }
        _ => None,
    }
}

fn is_marker(line: &str) -> bool {
    let core = line
        .trim()
        .trim_matches(|c: char| c == '-' || c == '_' || c == ' ')
        .to_lowercase();
    !core.is_empty() && MARKERS.iter().any(|m| core == *m)
}

/// A line of underscores Outlook draws above the block.
fn is_rule(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 10 && t.chars().all(|c| c == '_')
}

/// The original of an inline-forwarded mail, found in the first lines of its body; `None` when
/// the body holds no forwarded block with at least a From and a Subject.
pub fn original(body: &str) -> Option<Forwarded> {
    let lines: Vec<&str> = body.lines().collect();
    let start = lines.iter().take(60).enumerate().find_map(|(i, l)| {
        if is_marker(l) || is_rule(l) {
            Some(i + 1)
        } else if l.trim_start().starts_with("From:") || l.trim_start().starts_with("จาก:") {
            // Outlook without a marker: the block starts with From and goes on with Sent.
            let next = lines.get(i + 1).copied().unwrap_or_default();
            let (label, _) = next.split_once(':')?;
            matches!(
                label.trim().to_lowercase().as_str(),
                "sent" | "ส่ง" | "ส่งเมื่อ"
            )
            .then_some(i)
        } else {
            None
        }
    })?;
    let mut found = Forwarded::default();
    let mut at = start;
    // Blank lines may come between the marker and the first header.
    while lines.get(at).is_some_and(|l| l.trim().is_empty()) {
        at += 1;
    }
    let mut last: Option<Field> = None;
    while let Some(line) = lines.get(at) {
        if line.trim().is_empty() {
            break;
        }
        match line
            .split_once(':')
            .and_then(|(k, v)| Some((field_of(k)?, v)))
        {
            Some((field, value)) => {
                let value = value.trim();
                match field {
                    Field::From => {
                        let (name, addr) = split_address(value);
                        found.from_name = name;
                        found.from_addr = addr;
                    }
                    Field::Subject => found.subject = value.to_string(),
                    Field::Other => {}
                }
                last = Some(field);
            }
            // A long value wrapped onto the next line.
            None if last == Some(Field::Subject) => {
                found.subject.push(' ');
                found.subject.push_str(line.trim());
            }
            None => {}
        }
        at += 1;
    }
    if found.subject.is_empty() || (found.from_name.is_empty() && found.from_addr.is_empty()) {
        return None;
    }
    found.body = lines.get(at..).unwrap_or_default().join("\n");
    Some(found)
}

/// `Name <a@b>`, `"Name" <a@b>`, `Name [mailto:a@b]` or `a@b` into (name, address).
fn split_address(value: &str) -> (String, String) {
    let value = value.trim();
    for (open, close) in [('<', '>'), ('[', ']')] {
        if let (Some(a), Some(b)) = (value.rfind(open), value.rfind(close))
            && a < b
        {
            let addr = value[a + 1..b].trim().trim_start_matches("mailto:");
            let name = value[..a].trim().trim_matches('"').trim();
            return (name.to_string(), addr.to_ascii_lowercase());
        }
    }
    if value.contains('@') && !value.contains(' ') {
        (String::new(), value.to_ascii_lowercase())
    } else {
        (value.trim_matches('"').to_string(), String::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_forwards_in_english_and_thai() {
        let body = "ส่งต่อให้ครับ\n\n---------- Forwarded message ---------\nFrom: สพป.อุบลราชธานี เขต 1 <saraban@ubn1.go.th>\nDate: Tue, 2 May 2023 at 09:15\nSubject: ที่ ศธ 04183/ว1891 ลงวันที่ 2 พฤษภาคม 2566 เรื่อง ขอเชิญประชุม\nTo: <school@example.go.th>\n\nเรียน ผู้อำนวยการโรงเรียน\n";
        let f = original(body).unwrap();
        assert_eq!(f.from_name, "สพป.อุบลราชธานี เขต 1");
        assert_eq!(f.from_addr, "saraban@ubn1.go.th");
        assert!(f.subject.starts_with("ที่ ศธ 04183/ว1891"));
        assert!(f.body.contains("เรียน ผู้อำนวยการโรงเรียน"));

        let thai = "---------- ข้อความที่ส่งต่อ ---------\nจาก: สพม.อุบลราชธานี <saraban@sesa.go.th>\nDate: 3 พ.ค. 2566\nSubject: เรื่อง แจ้งกำหนดการ\nTo: x@y.th\n";
        let f = original(thai).unwrap();
        assert_eq!(f.from_addr, "saraban@sesa.go.th");
        assert_eq!(f.subject, "เรื่อง แจ้งกำหนดการ");
    }

    #[test]
    fn outlook_blocks_with_and_without_a_rule() {
        let body = "FYI\r\n\r\n________________________________\r\nFrom: Saraban OBEC <saraban@obec.go.th>\r\nSent: Tuesday, May 2, 2023 9:15 AM\r\nTo: School <s@x.th>\r\nSubject: FW: ที่ ศธ 04006/ว123 ลงวันที่ 1 พฤษภาคม 2566\r\n เรื่อง การรายงานข้อมูล\r\n\r\nเรียน ...";
        let f = original(body).unwrap();
        assert_eq!(f.from_name, "Saraban OBEC");
        assert_eq!(
            f.subject,
            "FW: ที่ ศธ 04006/ว123 ลงวันที่ 1 พฤษภาคม 2566 เรื่อง การรายงานข้อมูล"
        );
        let thai = "จาก: งานสารบรรณ [mailto:saraban@ubn1.go.th]\nส่ง: 2 พฤษภาคม 2566 9:15\nถึง: school@x.th\nเรื่อง: ขอส่งแบบรายงาน\n\nเนื้อความ";
        let f = original(thai).unwrap();
        assert_eq!(f.from_name, "งานสารบรรณ");
        assert_eq!(f.from_addr, "saraban@ubn1.go.th");
        assert_eq!(f.subject, "ขอส่งแบบรายงาน");
    }

    #[test]
    fn apple_mail_and_thunderbird() {
        let apple = "Begin forwarded message:\n\nFrom: \"ธุรการ\" <a@b.th>\nSubject: ประชุมผู้บริหาร\nDate: 2 May 2023\nTo: c@d.th\n\nbody";
        assert_eq!(original(apple).unwrap().subject, "ประชุมผู้บริหาร");
        let tb = "-------- Forwarded Message --------\nSubject: \tแจ้งเวียน\nDate: Tue, 2 May 2023\nFrom: a@b.th\nTo: c@d.th\n";
        let f = original(tb).unwrap();
        assert_eq!(f.subject, "แจ้งเวียน");
        assert_eq!(f.from_addr, "a@b.th");
    }

    #[test]
    fn an_ordinary_letter_is_not_a_forward() {
        assert_eq!(
            original("เรียน ผู้อำนวยการ\nเรื่อง: ขอเชิญประชุม\nจาก: ผอ.\n"),
            None
        );
        assert_eq!(original(""), None);
        // A marker without the original's From and Subject.
        assert_eq!(original("-----Original Message-----\nhello\n"), None);
    }
}
