//! Register numbers under concurrency, with a starting number, across the new year.

use chrono::{TimeZone, Utc};
use reqwest::Method;
use serde_json::json;

use crate::both_dbs;
use crate::helpers::{Db, spawn_app};
use saraban::domain::letter::{LetterFields, LetterType, Secrecy, Speed};
use saraban::domain::numbering::is_gap_free;
use saraban::domain::register::Register;
use saraban::store::letters::NewLetter;

/// 200 clerks pressing "ลงทะเบียน" at once get exactly start..start+199: no gap, no duplicate.
async fn two_hundred_parallel_registrations(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = std::sync::Arc::new(w.app);
    let year = saraban::domain::thai_date::be_year_of(Utc::now());
    let start = 437;
    let (status, body) = app
        .send_json(
            Method::PUT,
            &w.clerk,
            &format!("/api/v1/settings/counters/{year}/inbound"),
            json!({"start_number": start}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let mut tasks = Vec::new();
    for i in 0..200 {
        let app = app.clone();
        let token = w.clerk.clone();
        tasks.push(tokio::spawn(async move {
            let (status, body) = app
                .post_letter(
                    &token,
                    &[
                        ("register", "inbound"),
                        ("doc_no", &format!("ศธ 04006/ว{i}")),
                        ("doc_date", "2 พ.ค. 2566"),
                        ("from", "สพฐ."),
                        ("subject", &format!("หนังสือฉบับที่ {i}")),
                    ],
                    vec![],
                )
                .await;
            assert_eq!(status, 201, "{body}");
            body["number"].as_i64().expect("number")
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.expect("task"));
    }
    assert_eq!(numbers.len(), 200);
    assert!(is_gap_free(&numbers, start), "numbers were {numbers:?}");
    assert_eq!(numbers.iter().max(), Some(&(start + 199)));

    // Once numbers are issued, the year's start can no longer move.
    let (status, body) = app
        .send_json(
            Method::PUT,
            &w.clerk,
            &format!("/api/v1/settings/counters/{year}/inbound"),
            json!({"start_number": 1}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let (_, settings) = app.get_json(&w.clerk, "/api/v1/settings").await;
    let inbound = settings["counters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["series"] == "inbound")
        .unwrap()
        .clone();
    assert_eq!(inbound["next_number"], start + 200);
    assert_eq!(inbound["issued"], 200);
}
both_dbs!(parallel_registrations, two_hundred_parallel_registrations);

fn fields(subject: &str) -> LetterFields {
    LetterFields {
        doc_no: Some("ศธ 04006/ว1".into()),
        doc_date: chrono::NaiveDate::from_ymd_opt(2023, 12, 30).unwrap(),
        from: "สพฐ.".into(),
        to: "สพป.".into(),
        subject: subject.into(),
        action: String::new(),
        remark: String::new(),
        speed: Speed::Normal,
        secrecy: Secrecy::Normal,
        letter_type: LetterType::External,
    }
}

/// The counter restarts at 1 on 1 January in Bangkok, which is 17:00 UTC on 31 December.
async fn numbers_restart_at_new_year_bangkok_time(db: Db) {
    let w = spawn_app(db).await.world().await;
    let store = &w.app.store;
    let office = store.find_office("dist").await.unwrap();
    let clerk = store.find_user_by_name("clerk").await.unwrap();
    let at = |h, m, s| Utc.with_ymd_and_hms(2023, 12, 31, h, m, s).unwrap();
    let mut got = Vec::new();
    for (when, subject) in [
        (at(10, 0, 0), "a"),
        (at(16, 59, 59), "b"),
        (at(17, 0, 0), "c"),
        (at(18, 0, 0), "d"),
    ] {
        let f = fields(subject);
        let letter = w
            .app
            .services
            .record_registration(&NewLetter {
                office: &office,
                register: Register::Inbound,
                fields: &f,
                registered_by: clerk.id,
                registered_at: when,
                received_at: None,
                attachments: vec![],
                inbox_entry_id: None,
                allow_duplicate: true,
            })
            .await
            .unwrap();
        got.push((letter.year_be, letter.number));
    }
    assert_eq!(got, [(2566, 1), (2566, 2), (2567, 1), (2567, 2)]);
}
both_dbs!(new_year, numbers_restart_at_new_year_bangkok_time);

/// A starting number set for next year is used when next year's first letter is registered.
async fn start_number_for_a_year_continues_a_paper_register(db: Db) {
    let w = spawn_app(db).await.world().await;
    let store = &w.app.store;
    let office = store.find_office("dist").await.unwrap();
    let clerk = store.find_user_by_name("clerk").await.unwrap();
    store
        .set_start_number(
            "dist",
            saraban::domain::register::Series::Inbound,
            2567,
            130,
        )
        .await
        .unwrap();
    let f = fields("ต่อจากทะเบียนกระดาษ");
    let letter = w
        .app
        .services
        .record_registration(&NewLetter {
            office: &office,
            register: Register::Inbound,
            fields: &f,
            registered_by: clerk.id,
            registered_at: Utc.with_ymd_and_hms(2024, 3, 1, 3, 0, 0).unwrap(),
            received_at: None,
            attachments: vec![],
            inbox_entry_id: None,
            allow_duplicate: true,
        })
        .await
        .unwrap();
    assert_eq!((letter.year_be, letter.number), (2567, 130));
    assert!(store.list_years("dist").await.unwrap().contains(&2567));
}
both_dbs!(
    start_number,
    start_number_for_a_year_continues_a_paper_register
);
