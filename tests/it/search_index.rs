//! The text index (SQLite FTS5 trigram, PostgreSQL pg_trgm): it stays right after edits, cancels
//! and added files, keeps the secrecy rule, caps its count at 10 000, and `saraban search
//! reindex` brings it back after the columns were changed behind its back.

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::both_dbs;
use crate::helpers::{Db, World, pdf_bytes, spawn_app};

async fn total(w: &World, token: &str, field: &str, q: &str) -> (i64, bool) {
    let path = format!(
        "/api/v1/letters?register=inbound&field={field}&q={}",
        percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC)
    );
    let (status, body) = w.app.get_json(token, &path).await;
    assert_eq!(status, 200, "{body}");
    (
        body["total"].as_i64().unwrap(),
        body["total_more"].as_bool().unwrap(),
    )
}

async fn the_index_follows_every_change(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let letter = app
        .inbound(&w.clerk, "ขอเชิญประชุมสัมมนาวิชาการ ครั้งที่ ๔๓๗")
        .await;
    let id = letter["id"].as_i64().unwrap();
    app.inbound(&w.clerk, "ขอส่งรายงานผลการดำเนินงาน").await;
    // The same words in another office: never counted or listed in this one's search.
    app.inbound(&w.school_clerk, "ขอเชิญประชุมสัมมนาวิชาการ ครั้งที่ ๔๓๗")
        .await;
    assert_eq!(total(&w, &w.clerk, "all", "สัมมนา").await, (1, false));
    assert_eq!(total(&w, &w.school_clerk, "all", "สัมมนา").await, (1, false));
    let year_be = saraban::domain::thai_date::be_year_of(chrono::Utc::now());
    for (scope, found) in [
        (format!("&year_be={year_be}"), 1),
        (format!("&year_be={}", year_be - 1), 0),
    ] {
        for register in ["&register=inbound", ""] {
            let path = format!(
                "/api/v1/letters?field=all&q=%E0%B8%AA%E0%B8%B1%E0%B8%A1%E0%B8%A1%E0%B8%99%E0%B8%B2{scope}{register}"
            );
            let (status, body) = app.get_json(&w.clerk, &path).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["total"], found, "{path}: {body}");
            assert_eq!(
                body["items"].as_array().map(Vec::len),
                Some(found as usize),
                "{path}"
            );
        }
    }
    if db == Db::Sqlite {
        // The index places the letter by office, register and year (store::text_key).
        let no: i64 =
            sqlx::query_scalar("SELECT no FROM letters_text_offices WHERE office_id = 'dist'")
                .fetch_one(app.store.pool())
                .await
                .unwrap();
        let key = saraban::store::text_key::key(
            no,
            saraban::domain::register::Register::Inbound,
            year_be,
            id,
        );
        let found: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM letters_text WHERE letters_text MATCH '\"สัมมนา\"' AND rowid = $1",
        )
        .bind(key)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        assert_eq!(found, 1);
    }
    if db == Db::Postgres {
        // The one-byte copy of the text (migration 0029) spells words as the search does.
        let text: Vec<u8> = sqlx::query_scalar("SELECT text FROM letters_text_bytes WHERE id = $1")
            .bind(id)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        let word = saraban::domain::search::one_byte_form("สัมมนา").unwrap();
        assert!(text.windows(word.len()).any(|w| w == word.as_slice()));
        let mapped: Vec<u8> = sqlx::query_scalar("SELECT saraban_search_bytes($1)")
            .bind("ก๛ฺ฿ab12/é中")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        assert_eq!(
            mapped,
            [
                saraban::domain::search::one_byte_form("ก๛ฺ฿ab12/").unwrap(),
                vec![0x80, 0x80]
            ]
            .concat()
        );
    }
    assert_eq!(total(&w, &w.clerk, "all", "437").await, (1, false));
    assert_eq!(
        total(&w, &w.clerk, "all", "สัมมนา รายงาน").await.0,
        0,
        "every word must match in the one letter"
    );

    // An edit: the old words are gone from the index, the new ones found, in the same commit.
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &w.clerk,
            &format!("/api/v1/letters/{id}"),
            json!({"subject": "ขอเชิญอบรมลูกเสือจราจร"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(total(&w, &w.clerk, "all", "สัมมนา").await.0, 0);
    assert_eq!(total(&w, &w.clerk, "subject", "ลูกเสือจราจร").await.0, 1);

    // A file added afterwards: its name is searchable.
    let form = Form::new()
        .part(
            "file",
            Part::bytes(pdf_bytes("x")).file_name("แผนที่จุดอบรมหนองบัวแดง.pdf"),
        )
        .text("description", "แผนที่");
    let res = app
        .http
        .post(app.url(&format!("/api/v1/letters/{id}/attachments")))
        .bearer_auth(&w.clerk)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    assert_eq!(total(&w, &w.clerk, "all", "หนองบัวแดง").await.0, 1);

    // A cancelled entry stays in the register and in its searches.
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/letters/{id}/cancel"),
            json!({"reason": "ลงซ้ำ"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(total(&w, &w.clerk, "all", "ลูกเสือจราจร").await.0, 1);

    // A secret letter: found by the clerk, not by a staff member it was not given to.
    let (status, body) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "inbound"),
                ("doc_no", "ศธ 04006/7788"),
                ("doc_date", "3 พ.ค. 2566"),
                ("from", "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน"),
                ("subject", "การสอบสวนวินัยร้ายแรง"),
                ("secrecy", "secret"),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(total(&w, &w.clerk, "all", "สอบสวนวินัย").await.0, 1);
    assert_eq!(total(&w, &w.staff, "all", "สอบสวนวินัย").await.0, 0);

    // The dashboard's counts, kept with the registers: three entries, one cancelled; a staff
    // member not given the secret letter has the letters counted and sees two.
    let inbound = |counts: Vec<(saraban::domain::register::Register, i64, i64)>| {
        counts
            .into_iter()
            .find(|(r, _, _)| *r == saraban::domain::register::Register::Inbound)
            .map(|(_, n, cancelled)| (n, cancelled))
    };
    let kept = app
        .store
        .count_letters("dist", year_be, None)
        .await
        .unwrap();
    assert_eq!(inbound(kept), Some((3, 1)));
    let staff = app.store.find_user_by_name("staff").await.unwrap();
    let counted = app
        .store
        .count_letters("dist", year_be, Some(staff.id))
        .await
        .unwrap();
    assert_eq!(inbound(counted), Some((2, 1)));

    // Words the index cannot serve (1–2 characters) still work, bounded by the year; `%` stays
    // literal.
    assert_eq!(total(&w, &w.clerk, "all", "7788").await.0, 1);
    assert_eq!(total(&w, &w.clerk, "doc_no", "ศธ").await.0, 3);
    assert_eq!(total(&w, &w.clerk, "doc_no", "ศธ ๗๗๘๘").await.0, 1);
    assert_eq!(total(&w, &w.clerk, "all", "50%").await.0, 0);

    // A letter outside Thai and ASCII: found by its own words; the one-byte copy's placeholder
    // for them (`€`) never stands in for them.
    app.inbound(&w.clerk, "ขอเชิญร่วมงาน Café ครูไทย").await;
    assert_eq!(total(&w, &w.clerk, "all", "café ครูไทย").await.0, 1);
    assert_eq!(total(&w, &w.clerk, "all", "caf€").await.0, 0);
    assert_eq!(total(&w, &w.clerk, "all", "ครูไทย").await.0, 1);

    // The search columns rewritten behind the index's back (as an upgrade that changes the
    // normalisation would): `saraban search reindex` brings them back.
    sqlx::query("UPDATE letters SET search_all = 'x', search_subject = 'x'")
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(total(&w, &w.clerk, "all", "ลูกเสือจราจร").await.0, 0);
    let mut seen = Vec::new();
    let done = app
        .services
        .reindex_search(None, |p| seen.push(p.done))
        .await
        .unwrap();
    // Every office's letters: the district's four and the school's one.
    assert_eq!(done.total, 5);
    assert_eq!(done.changed, 5);
    assert_eq!(seen.last(), Some(&5));
    assert_eq!(total(&w, &w.clerk, "all", "ลูกเสือจราจร").await.0, 1);
    assert_eq!(total(&w, &w.clerk, "all", "หนองบัวแดง").await.0, 1);
    assert_eq!(total(&w, &w.clerk, "subject", "สอบสวนวินัย").await.0, 1);
    if db == Db::Postgres {
        // The one-byte copy changed behind its back: the reindex writes it again.
        sqlx::query("UPDATE letters_text_bytes SET text = 'x'")
            .execute(app.store.pool())
            .await
            .unwrap();
        assert_eq!(total(&w, &w.clerk, "all", "ลูกเสือจราจร").await.0, 0);
        let done = app
            .services
            .reindex_search(Some("dist"), |_| {})
            .await
            .unwrap();
        assert_eq!(done.changed, 0, "the letters' own columns were right");
        assert_eq!(total(&w, &w.clerk, "all", "ลูกเสือจราจร").await.0, 1);
        let school_rows: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM letters_text_bytes WHERE office_id = 'school' AND text = 'x'",
        )
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        assert_eq!(
            school_rows, 1,
            "another office's rows are left to its own reindex"
        );
    }
}
both_dbs!(index_follows_changes, the_index_follows_every_change);

async fn counts_stop_at_ten_thousand(db: Db) {
    use saraban::domain::register::Register;
    use saraban::store::bulk::BulkLetter;
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let clerk = app.store.find_user_by_name("clerk").await.unwrap();
    let at = chrono::Utc::now();
    let year_be = saraban::domain::thai_date::be_year_of(at);
    let letters: Vec<BulkLetter> = (1..=10_050)
        .map(|n| BulkLetter {
            register: Register::Inbound,
            year_be,
            number: n,
            doc_no: format!("ศธ 04006/ว{n}"),
            doc_date: at.date_naive(),
            sender: if n % 2000 == 0 {
                "โรงเรียนบ้านฝายชะลอน้ำ".into()
            } else {
                "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน".into()
            },
            recipient: "สพป.".into(),
            subject: if n % 2 == 0 {
                format!("ขอเชิญประชุมผู้บริหาร ครั้งที่ {n}")
            } else {
                format!("ขอส่งรายงาน ครั้งที่ {n}")
            },
            registered_at: at,
        })
        .collect();
    app.store
        .bulk_insert_letters("dist", clerk.id, &letters)
        .await
        .unwrap();
    // 10 050 letters: past the cap, "more than 10 000"; 5 025 with the word: exact. (PostgreSQL
    // counts these two by reading the newest letters: the words are in half of them or more.)
    assert_eq!(total(&w, &w.clerk, "all", "ขอ").await, (10_000, true));
    assert_eq!(
        total(&w, &w.clerk, "all", "ประชุมผู้บริหาร").await,
        (5_025, false)
    );
    // A rare word (PostgreSQL: counted through the trigram index), in one field and not another.
    assert_eq!(total(&w, &w.clerk, "all", "ฝายชะลอน้ำ").await, (5, false));
    assert_eq!(total(&w, &w.clerk, "from", "ฝายชะลอน้ำ").await, (5, false));
    assert_eq!(
        total(&w, &w.clerk, "subject", "ฝายชะลอน้ำ").await,
        (0, false)
    );
    // The register of the year, unsearched, is counted exactly from its index.
    let (_, page) = app
        .get_json(
            &w.clerk,
            &format!("/api/v1/letters?register=inbound&year_be={year_be}&page=3&per_page=50"),
        )
        .await;
    assert_eq!(page["total"], 10_050);
    assert_eq!(page["total_more"], false);
    assert_eq!(page["items"][0]["number"], 10_050 - 100, "newest first");
    // A common word's page: read in the register's order, each row checked.
    let (_, common) = app
        .get_json(
            &w.clerk,
            "/api/v1/letters?register=inbound&q=%E0%B8%82%E0%B8%AD%E0%B8%AA%E0%B9%88%E0%B8%87&per_page=5",
        )
        .await;
    assert_eq!(common["total"], 5_025, "ขอส่ง: every odd letter");
    // The register numbers of a page's letters, in its order.
    let numbers = |page: &serde_json::Value| -> Vec<i64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["number"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        numbers(&common),
        vec![10_049, 10_047, 10_045, 10_043, 10_041]
    );
    // The newest of them made secret (PostgreSQL: the copy of the text follows): the clerk
    // still finds all, a staff member it was not given to one fewer, on every page.
    sqlx::query("UPDATE letters SET secrecy = 'secret' WHERE number = 10049")
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(total(&w, &w.clerk, "all", "ขอส่ง").await, (5_025, false));
    assert_eq!(total(&w, &w.staff, "all", "ขอส่ง").await, (5_024, false));
    let (_, later) = app
        .get_json(
            &w.staff,
            "/api/v1/letters?register=inbound&q=%E0%B8%82%E0%B8%AD%E0%B8%AA%E0%B9%88%E0%B8%87&per_page=5&page=3",
        )
        .await;
    assert_eq!(later["items"][0]["number"], 10_047 - 20);
    // Two words in one field, past the cap: the second page, in order, each row checked.
    let (_, two) = app
        .get_json(
            &w.clerk,
            "/api/v1/letters?register=inbound&field=subject&q=%E0%B8%9B%E0%B8%A3%E0%B8%B0%E0%B8%8A%E0%B8%B8%E0%B8%A1%20%E0%B8%84%E0%B8%A3%E0%B8%B1%E0%B9%89%E0%B8%87&per_page=5&page=2",
        )
        .await;
    assert_eq!(two["total"], 5_025, "ประชุม ครั้ง: every even letter");
    assert_eq!(numbers(&two), vec![10_040, 10_038, 10_036, 10_034, 10_032]);
    // The register page says so in Thai, and offers no last page it cannot know.
    let (client, _) = app.login("clerk").await;
    let html = app
        .page(&client, &format!("/registers/inbound?year={year_be}&q=ขอ"))
        .await;
    assert!(html.contains("พบ มากกว่า 10,000 รายการ"), "{html}");
    assert!(!html.contains("หน้าสุดท้าย"));
}
both_dbs!(count_cap, counts_stop_at_ten_thousand);

async fn the_inbox_searches_the_same_way(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let mut entries = Vec::new();
    for (id, subject) in [
        (
            "s1",
            "ที่ ศธ 04006/ว๑๘๙๑ ลงวันที่ 2 พ.ค. 2569 เรื่อง ขอเชิญประชุมสัมมนาวิชาการ",
        ),
        (
            "s2",
            "ที่ ศธ 04006/ว1892 ลงวันที่ 2 พ.ค. 2569 เรื่อง ขอส่งรายงานผลการดำเนินงาน",
        ),
        (
            "s3",
            "ที่ ศธ 04006/ว1893 ลงวันที่ 3 พ.ค. 2569 เรื่อง ขอเชิญอบรมลูกเสือ",
        ),
    ] {
        entries.push(
            crate::mail_ingest::take_in_letter(app, &format!("{id}@school.example.go.th"), subject)
                .await,
        );
    }
    let w = &w;
    let count = |q: &str| {
        let path = format!(
            "/api/v1/inbox?q={}",
            percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC)
        );
        async move {
            let (status, body) = w.app.get_json(&w.clerk, &path).await;
            assert_eq!(status, 200, "{body}");
            body["total"].as_i64().unwrap()
        }
    };
    assert_eq!(count("สัมมนา").await, 1, "a substring inside a word");
    assert_eq!(count("ขอเชิญ").await, 2);
    assert_eq!(count("ขอเชิญ ลูกเสือ").await, 1, "every word");
    assert_eq!(count("ว1891").await, 1, "Thai digits found by Arabic ones");
    assert_eq!(
        count("ศธ").await,
        3,
        "a word too short for the index still works"
    );
    assert_eq!(count("50%").await, 0);
    assert_eq!(count("หนังสือนำส่ง").await, 3, "a file's name");

    // The reader reads one entry's file: the entry is found by the file's words, and a mail
    // arriving later with the same file is found by them at once.
    let claim = app
        .store
        .claim_file_text("t", chrono::Duration::minutes(1))
        .await
        .unwrap()
        .expect("the mails' files are queued");
    assert!(
        app.store
            .finish_file_text(&claim.sha256, "t", "pdf", "แนบบัญชีรายชื่อครูผู้ช่วยรุ่นที่ ๒", 1)
            .await
            .unwrap()
    );
    assert_eq!(count("ครูผู้ช่วย รุ่นที่ 2").await, 1, "words inside the file");
    let (_, page) = w
        .app
        .get_json(&w.clerk, "/api/v1/inbox?q=%E0%B8%84%E0%B8%A3%E0%B8%B9%E0%B8%9C%E0%B8%B9%E0%B9%89%E0%B8%8A%E0%B9%88%E0%B8%A7%E0%B8%A2")
        .await;
    let read_entry = page["items"][0]["id"].as_i64().unwrap();
    let files: Vec<String> =
        sqlx::query_scalar("SELECT sha256 FROM inbox_attachments WHERE entry_id = $1")
            .bind(read_entry)
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert_eq!(files, vec![claim.sha256.clone()]);
    let which = entries.iter().position(|e| *e == read_entry).unwrap() + 1;
    let same_file = crate::helpers::pdf_bytes(&format!("s{which}@school.example.go.th"));
    let office = app.store.find_office("dist").await.unwrap();
    let raw = crate::mail_ingest::thai_letter(
        "again@school.example.go.th",
        "ที่ ศธ 04006/ว1899 ลงวันที่ 4 พ.ค. 2569 เรื่อง ส่งบัญชีรายชื่ออีกครั้ง",
        &same_file,
    );
    saraban::service::ingest::ingest(
        &app.services,
        &office,
        &saraban::service::ingest::Origin::File("again.eml".into()),
        bytes::Bytes::from(raw),
        None,
    )
    .await
    .unwrap();
    assert_eq!(count("ครูผู้ช่วย รุ่นที่ 2").await, 2, "the same file, read before");

    // Registered, the letter is found by the words of the mail's text too, also after an edit.
    let (status, letter) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/inbox/{}/register", entries[0]),
            json!({}),
        )
        .await;
    assert_eq!(status, 201, "{letter}");
    let id = letter["id"].as_i64().unwrap();
    assert_eq!(total(w, &w.clerk, "all", "ตามที่แนบมา").await.0, 1);
    assert_eq!(
        total(w, &w.clerk, "subject", "ตามที่แนบมา").await.0,
        0,
        "the mail's text is not the subject"
    );
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &w.clerk,
            &format!("/api/v1/letters/{id}"),
            json!({"subject": "ขอเชิญประชุมสัมมนา (แก้ไข)"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(total(w, &w.clerk, "all", "ตามที่แนบมา").await.0, 1);
}
both_dbs!(inbox_search, the_inbox_searches_the_same_way);

/// The lists of letters filed (งานเก็บหนังสือ) and lent (ทะเบียนการยืม) search as a register
/// does: every word in any field, Thai digits as Arabic ones, a file's words once read.
async fn the_filed_and_lent_lists_search_the_same_way(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let post = |path: String, body: serde_json::Value| {
        let token = w.clerk.clone();
        async move { app.send_json(Method::POST, &token, &path, body).await }
    };
    let (status, _) = post(
        "/api/v1/file-codes".into(),
        json!({"code": "2.1", "name": "งานบุคคล"}),
    )
    .await;
    assert_eq!(status, 201);
    let mut ids = Vec::new();
    for subject in [
        "ขอเชิญประชุมคณะกรรมการสถานศึกษา ครั้งที่ ๔๓๗",
        "ขอส่งรายงานผลการอบรมครู",
    ] {
        let id = app.inbound(&w.clerk, subject).await["id"].as_i64().unwrap();
        let (status, body) = post(
            format!("/api/v1/letters/{id}/filing"),
            json!({"file_code": "2.1"}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = post(
            format!("/api/v1/letters/{id}/loans"),
            json!({"borrower_user": "staff", "purpose": "ประกอบการประชุม", "due_on": "2099-01-31"}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        ids.push(id);
    }
    // The second letter's file has been read: its words find it too.
    let form = Form::new().part("file", Part::bytes(pdf_bytes("x")).file_name("สรุปผล.pdf"));
    let res = app
        .http
        .post(app.url(&format!("/api/v1/letters/{}/attachments", ids[1])))
        .bearer_auth(&w.clerk)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let sha = app
        .store
        .claim_file_text("t", chrono::Duration::minutes(1))
        .await
        .unwrap()
        .expect("the only file queued")
        .sha256;
    assert!(
        app.store
            .finish_file_text(&sha, "t", "pdf", "ผลการประเมินสมรรถนะครูผู้ช่วย", 1)
            .await
            .unwrap()
    );

    let clerk = &w.clerk;
    let loans = |q: &'static str| async move {
        let path = format!(
            "/api/v1/loans?q={}",
            percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC)
        );
        let (status, body) = app.get_json(clerk, &path).await;
        assert_eq!(status, 200, "{body}");
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["letter_id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(loans("").await.len(), 2);
    assert_eq!(
        loans("สถานศึกษา 437").await,
        vec![ids[0]],
        "every word, Thai digits"
    );
    assert_eq!(loans("สมรรถนะ").await, vec![ids[1]], "a word in the file");
    assert!(
        loans("สถานศึกษา อบรม").await.is_empty(),
        "both words in one letter"
    );

    let (client, _) = app.login("clerk").await;
    let page = app
        .page(
            &client,
            "/records?q=%E0%B8%AA%E0%B8%A1%E0%B8%A3%E0%B8%A3%E0%B8%96%E0%B8%99%E0%B8%B0",
        )
        .await;
    assert!(
        page.contains("ขอส่งรายงานผลการอบรมครู") && !page.contains("คณะกรรมการสถานศึกษา"),
        "{page}"
    );
    assert!(page.contains("(1 รายการ)"), "{page}");
    let page = app
        .page(&client, "/loans?status=out&q=%E0%B9%94%E0%B9%93%E0%B9%97")
        .await;
    assert!(
        page.contains("คณะกรรมการสถานศึกษา") && !page.contains("ขอส่งรายงานผลการอบรมครู"),
        "{page}"
    );
    assert!(page.contains("พบ 1 รายการที่ตรงกับ “๔๓๗”"), "{page}");
    let page = app
        .page(
            &client,
            "/loans?q=%E0%B9%84%E0%B8%A1%E0%B9%88%E0%B8%A1%E0%B8%B5",
        )
        .await;
    assert!(page.contains("ไม่พบรายการยืมที่ตรงกับคำค้น"), "{page}");
}
both_dbs!(lists_search, the_filed_and_lent_lists_search_the_same_way);
