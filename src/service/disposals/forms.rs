//! The printed forms of a destruction list: บัญชีหนังสือขอทำลาย (แบบที่ 25) and the memo.

use crate::domain::disposal::Decision;
use crate::domain::forms::{self, Cell, Column, RegisterSheet};
use crate::store::disposals::Disposal;

/// บัญชีหนังสือขอทำลาย (แบบที่ 25) of a list, with the committee's การพิจารณา.
pub fn disposal_sheet(office: &str, d: &Disposal) -> RegisterSheet {
    let columns = vec![
        Column {
            title: "ลำดับที่",
            width: 8.0,
        },
        Column {
            title: "รหัสแฟ้ม",
            width: 12.0,
        },
        Column {
            title: "ที่",
            width: 20.0,
        },
        Column {
            title: "ลงวันที่",
            width: 12.0,
        },
        Column {
            title: "เรื่อง",
            width: 44.0,
        },
        Column {
            title: "การพิจารณา",
            width: 18.0,
        },
        Column {
            title: "หมายเหตุ",
            width: 24.0,
        },
    ];
    let rows = d
        .items
        .iter()
        .map(|i| {
            vec![
                Cell::Number(i.item_no),
                Cell::Text(i.file_code.clone().unwrap_or_default()),
                Cell::Text(i.doc_no.clone()),
                Cell::Date(i.doc_date),
                Cell::Text(i.subject.clone()),
                Cell::Text(match (i.decision, i.keep_until_be) {
                    (Decision::Destroy, _) => "×".to_string(),
                    (Decision::Keep, Some(y)) => format!("เก็บถึง พ.ศ. {y}"),
                    _ => String::new(),
                }),
                Cell::Text(
                    i.destroyed_note
                        .clone()
                        .or_else(|| i.archives_keep.then(|| "กรมศิลปากรขอเก็บ".to_string()))
                        .unwrap_or_else(|| format!("เลขทะเบียน {}/{}", i.number, i.letter_year_be)),
                ),
            ]
        })
        .collect();
    let mut sheet = forms::plain_sheet(
        "บัญชีหนังสือขอทำลาย",
        "แบบที่ 25",
        office,
        d.year_be,
        columns,
        rows,
    );
    sheet.sheet_name = format!("ขอทำลาย {}", d.year_be);
    sheet
}

/// บันทึกการทำลาย: what was destroyed, with the committee's names to sign.
pub fn destruction_memo(office: &str, d: &Disposal) -> RegisterSheet {
    let columns = vec![
        Column {
            title: "ลำดับที่",
            width: 8.0,
        },
        Column {
            title: "ที่",
            width: 20.0,
        },
        Column {
            title: "ลงวันที่",
            width: 12.0,
        },
        Column {
            title: "เรื่อง",
            width: 50.0,
        },
        Column {
            title: "ผล",
            width: 34.0,
        },
    ];
    let mut rows: Vec<Vec<Cell>> = d
        .items
        .iter()
        .map(|i| {
            vec![
                Cell::Number(i.item_no),
                Cell::Text(i.doc_no.clone()),
                Cell::Date(i.doc_date),
                Cell::Text(i.subject.clone()),
                Cell::Text(i.destroyed_note.clone().unwrap_or_else(|| "ไม่ทำลาย".into())),
            ]
        })
        .collect();
    for m in &d.members {
        rows.push(vec![
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text(format!(
                "ลงชื่อ ........................................ ({})",
                m.name
            )),
            Cell::Text(
                if m.is_chair {
                    "ประธานกรรมการ"
                } else {
                    "กรรมการ"
                }
                .to_string(),
            ),
        ]);
    }
    forms::plain_sheet("บันทึกการทำลายหนังสือ", "", office, d.year_be, columns, rows)
}
