//! The 20-year handover (ข้อ 58–60): each year the letters that reached 20 years go on two lists,
//! handed to the National Archives (แบบ 21) or kept by the office (แบบ 22); the handed ones are
//! marked with the date and leave the destruction survey, and a hand-over package (a zip of their
//! files with a manifest of facts and sha256) goes with the list.

use std::collections::BTreeSet;
use std::io::Write;

use chrono::Utc;

use super::{Actor, Result, ServiceError, Services};
use crate::domain::disposal::HandoverStep;
use crate::domain::forms::{self, Cell, Column, RegisterSheet};
use crate::domain::history::LetterHistory;
use crate::domain::thai_date;
use crate::store::handovers::{self as store_handovers, Handover, NewHandover};
use crate::store::{audit, date_to_db};

impl Services {
    /// The letters that reach 20 years by `year_be` (registered in `year_be - 20` or before: see
    /// [`crate::domain::disposal::handover_due`]) and are on no list yet (a preview).
    pub async fn handover_due(&self, actor: &Actor, year_be: i32) -> Result<Vec<i64>> {
        super::records::require_records_desk(actor, "การส่งมอบหนังสือครบ 20 ปีทำ")?;
        let mut tx = self.store.begin_write().await?;
        let due = store_handovers::due(&mut tx, &actor.office.id, year_be - 20).await?;
        tx.rollback()
            .await
            .map_err(crate::store::StoreError::from)?;
        Ok(due)
    }

    /// Makes the year's lists: every letter due is handed over today, except those in `keep`
    /// (kept by the office, แบบ 22). 409 when nothing is due.
    pub async fn make_handover(
        &self,
        actor: &Actor,
        year_be: i32,
        keep: &[i64],
    ) -> Result<Handover> {
        super::records::require_records_desk(actor, "การส่งมอบหนังสือครบ 20 ปีทำ")?;
        let mut tx = self.store.begin_write().await?;
        let due = store_handovers::due(&mut tx, &actor.office.id, year_be - 20).await?;
        if due.is_empty() {
            return Err(ServiceError::Conflict(format!(
                "ไม่มีหนังสือที่ครบ 20 ปีในปี พ.ศ. {year_be} ที่ยังไม่ได้ทำบัญชี"
            )));
        }
        let listed: BTreeSet<i64> = due.iter().copied().collect();
        if let Some(stranger) = keep.iter().find(|k| !listed.contains(k)) {
            let mut errors = crate::domain::letter::FieldErrors::default();
            errors.add(
                "keep",
                format!("หนังสือรหัส {stranger} ไม่ใช่หนังสือครบ 20 ปีในบัญชีนี้"),
            );
            return Err(ServiceError::Invalid(errors));
        }
        let kept: BTreeSet<i64> = keep.iter().copied().collect();
        let items: Vec<(i64, bool)> = due.iter().map(|id| (*id, kept.contains(id))).collect();
        let now = Utc::now();
        let today = thai_date::to_bangkok(now).date();
        let id = store_handovers::insert(
            self.store.kind(),
            &mut tx,
            &NewHandover {
                office_id: &actor.office.id,
                year_be,
                by: actor.user.id,
                at: now,
                handed_on: today,
                items: &items,
            },
        )
        .await?;
        let events: Vec<(i64, LetterHistory)> = items
            .iter()
            .map(|(letter, kept)| {
                (
                    *letter,
                    LetterHistory::Handover(HandoverStep {
                        handover_id: id,
                        year_be,
                        kept: *kept,
                        on: date_to_db(today),
                    }),
                )
            })
            .collect();
        audit::insert_events(
            self.store.kind(),
            &mut tx,
            &events,
            Some(actor.user.id),
            now,
        )
        .await?;
        crate::store::commit(tx).await?;
        Ok(self.store.find_handover(&actor.office.id, id).await?)
    }

    pub async fn handovers(&self, actor: &Actor) -> Result<Vec<(i64, i32, chrono::NaiveDate)>> {
        super::records::require_records_desk(actor, "การส่งมอบหนังสือครบ 20 ปีทำ")?;
        Ok(self.store.handovers(&actor.office.id).await?)
    }

    pub async fn handover(&self, actor: &Actor, id: i64) -> Result<Handover> {
        super::records::require_records_desk(actor, "การส่งมอบหนังสือครบ 20 ปีทำ")?;
        Ok(self.store.find_handover(&actor.office.id, id).await?)
    }

    /// The hand-over package: the handed letters' files under `<number>-<year>/`, the list
    /// (แบบ 21) as PDF, and `manifest.json` with each letter's facts and each file's sha256.
    pub async fn handover_package(&self, actor: &Actor, id: i64) -> Result<Vec<u8>> {
        let h = self.handover(actor, id).await?;
        let mut files = Vec::new();
        let mut manifest = Vec::new();
        for item in h.items.iter().filter(|i| !i.kept) {
            let letter = self
                .store
                .find_letter(&actor.office.id, item.letter_id)
                .await?;
            let folder = format!("{}-{}", letter.number, letter.year_be);
            let mut listed = Vec::new();
            for a in letter.attachments.iter() {
                let data = self.files.get(&a.sha256).await?;
                let name = format!(
                    "{folder}/{}-{}",
                    a.position,
                    crate::domain::attachment::shown_name(&a.name).replace(['/', '\\'], "_")
                );
                listed.push(serde_json::json!({"path": name, "sha256": a.sha256, "size": a.size}));
                files.push((name, data));
            }
            manifest.push(serde_json::json!({
                "item_no": item.item_no,
                "register": letter.register.code(),
                "number": letter.number,
                "year_be": letter.year_be,
                "doc_no": letter.doc_no,
                "doc_date": date_to_db(letter.doc_date),
                "from": letter.sender,
                "to": letter.recipient,
                "subject": letter.subject,
                "file_code": item.file_code,
                "files": listed,
            }));
        }
        let sheet = handover_sheet(&actor.office.name, &h, false);
        let info = crate::outputs::table_pdf::PrintInfo {
            period: String::new(),
            printed_at: thai_date::format_datetime(Utc::now()),
        };
        let office = actor.office.name.clone();
        let manifest = serde_json::json!({
            "office": office,
            "year_be": h.year_be,
            "handed_on": date_to_db(h.handed_on),
            "letters": manifest,
        });
        tokio::task::spawn_blocking(move || -> Result<Vec<u8>> {
            let pdf = crate::outputs::table_pdf::render(&sheet, &info)
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            let zip_error = |e: zip::result::ZipError| ServiceError::Internal(e.to_string());
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let options = zip::write::SimpleFileOptions::default();
            let mut add = |name: &str, data: &[u8]| -> Result<()> {
                zip.start_file(name, options).map_err(zip_error)?;
                zip.write_all(data)
                    .map_err(|e| ServiceError::Internal(e.to_string()))
            };
            add(
                "manifest.json",
                serde_json::to_string_pretty(&manifest)
                    .unwrap_or_default()
                    .as_bytes(),
            )?;
            add("บัญชีส่งมอบหนังสือครบ-20-ปี.pdf", &pdf)?;
            for (name, data) in &files {
                add(name, data)?;
            }
            Ok(zip.finish().map_err(zip_error)?.into_inner())
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
    }
}

/// บัญชีส่งมอบหนังสือครบ 20 ปี (แบบที่ 21), or with `kept` บัญชีหนังสือครบ 20 ปีที่ขอเก็บเอง (แบบที่ 22).
pub fn handover_sheet(office: &str, h: &Handover, kept: bool) -> RegisterSheet {
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
            width: 50.0,
        },
        Column {
            title: "หมายเหตุ",
            width: 22.0,
        },
    ];
    let rows = h
        .items
        .iter()
        .filter(|i| i.kept == kept)
        .enumerate()
        .map(|(n, i)| {
            vec![
                Cell::Number(n as i64 + 1),
                Cell::Text(i.file_code.clone().unwrap_or_default()),
                Cell::Text(i.doc_no.clone()),
                Cell::Date(i.doc_date),
                Cell::Text(i.subject.clone()),
                Cell::Text(format!("เลขทะเบียน {}/{}", i.number, i.letter_year_be)),
            ]
        })
        .collect();
    let (title, form) = if kept {
        ("บัญชีหนังสือครบ 20 ปีที่ขอเก็บเอง", "แบบที่ 22")
    } else {
        ("บัญชีส่งมอบหนังสือครบ 20 ปี", "แบบที่ 21")
    };
    forms::plain_sheet(title, form, office, h.year_be, columns, rows)
}
