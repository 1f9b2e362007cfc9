//! Be trusted where we send: the admin makes the office's DKIM key on the DNS page, publishes
//! the records (a real DNS server, dnsmasq on loopback), "ตรวจสอบ DNS" finds them; every mail the
//! outbox sends for the office is signed, and the receiving office's own sender checks verify the
//! signature against that DNS. Unsigned mail from a domain whose DMARC says reject is held.

use reqwest::Method;
use serde_json::{Value, json};

use saraban::domain::dns_records::KeyAlgorithm;
use saraban_lab::dns::Dns;

use crate::both_dbs;
use crate::helpers::{Db, World, eventually, spawn_app_with};
use crate::mail_out::outbox_files;

/// The school's outbound letter sent by e-mail to the district; the new .eml the outbox wrote.
async fn school_sends(w: &World, subject: &str, key: &str) -> Vec<u8> {
    let app = &w.app;
    let before = outbox_files(app);
    let (status, letter) = app
        .post_letter(
            &w.school_clerk,
            &[
                ("register", "outbound"),
                ("to", "ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาทดสอบ"),
                ("subject", subject),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 201, "{letter}");
    let id = letter["id"].as_i64().unwrap();
    let (status, sent) = app
        .send_json(
            Method::POST,
            &w.school_clerk,
            &format!("/api/v1/letters/{id}/send"),
            json!({"recipients": [{"email": "saraban@offices.test"}], "idempotency_key": key}),
        )
        .await;
    assert_eq!(status, 202, "{sent}");
    eventually(60, "the letter's .eml", || async {
        outbox_files(app).into_iter().find(|f| !before.contains(f))
    })
    .await
}

/// The district takes a mail in; its sender check as the API shows it.
async fn district_takes_in(w: &World, name: &str, raw: Vec<u8>) -> Value {
    let entry = crate::mail_ingest::take_in(&w.app, &format!("{name}.eml"), raw).await;
    crate::sender_auth::authentication(w, entry).await
}

fn header_value(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let mut lines = text.split("\r\n").peekable();
    while let Some(line) = lines.next() {
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case(name)
        {
            let mut value = v.trim().to_string();
            while lines.peek().is_some_and(|l| l.starts_with([' ', '\t'])) {
                value.push(' ');
                value.push_str(lines.next().unwrap_or_default().trim());
            }
            return Some(value);
        }
    }
    None
}

async fn signed_mail_is_verified_by_its_receiver(db: Db) {
    let dns_port = saraban_lab::free_port();
    let w = spawn_app_with(db, |c| {
        // Both offices send as the deployment's address: one mail domain, offices.test.
        c.smtp.from = "saraban@offices.test".into();
        c.sender_auth.verify = true;
        c.sender_auth.name_servers = vec![format!("127.0.0.1:{dns_port}")];
        c.sender_auth.dns_timeout_secs = 1;
        c.sender_auth.dns_attempts = 1;
        c.sender_auth.batch_budget_secs = 30;
    })
    .await
    .world()
    .await;
    let app = &w.app;
    let (admin, csrf) = app.login("admin").await;

    // No key yet: the page says the office's mail is not signed.
    let page = app.page(&admin, "/settings/dns").await;
    assert!(page.contains("ยังไม่ลงลายมือชื่อ"), "{page}");
    assert!(page.contains("saraban@offices.test"), "{page}");
    // A selector DNS cannot carry is refused in Thai, and nothing is stored.
    let res = admin
        .post(app.url("/settings/dns/key"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("algorithm", "rsa"),
            ("selector", "ชื่อไทย"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("selector"));
    assert!(app.store.dkim_key("dist").await.unwrap().is_none());
    // The district's admin makes an RSA key.
    let res = admin
        .post(app.url("/settings/dns/key"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("algorithm", "rsa"),
            ("selector", "dist1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let dist_key = app.store.dkim_key("dist").await.unwrap().expect("key");
    assert_eq!(dist_key.algorithm, KeyAlgorithm::Rsa2048);
    assert_eq!(dist_key.domain, "offices.test");
    let page = app.page(&admin, "/settings/dns?done=key").await;
    assert!(page.contains("dist1._domainkey.offices.test"), "{page}");
    assert!(page.contains(&dist_key.public_key), "the record to publish");
    assert!(page.contains("_dmarc.offices.test"), "{page}");

    // The school's mail is not signed (its own key is not made yet): with DMARC reject
    // published, the district holds it.
    let dist_record = format!("v=DKIM1; k=rsa; p={}", dist_key.public_key);
    let dmarc = "v=DMARC1; p=reject";
    let dns = Dns::start_on(
        dns_port,
        &[
            ("dist1._domainkey.offices.test", dist_record.as_str()),
            ("_dmarc.offices.test", dmarc),
        ],
    );
    let res = admin
        .post(app.url("/settings/dns/check"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let checked = res.text().await.unwrap();
    for (row, state) in [
        ("record-dkim", "matches"),
        ("record-dmarc", "matches"),
        ("record-spf", "missing"),
    ] {
        assert!(
            checked.contains(&format!("id=\"{row}\" data-state=\"{state}\"")),
            "{row} {state}:\n{checked}"
        );
    }
    let unsigned = school_sends(&w, "ขอส่งแบบรายงาน (ไม่ลงลายมือชื่อ)", "u1").await;
    assert!(header_value(&unsigned, "DKIM-Signature").is_none());
    let a = district_takes_in(&w, "unsigned", unsigned).await;
    assert_eq!(a["held"], true, "{a}");
    assert_ne!(a["verdict"], "verified", "{a}");

    // The school's key (Ed25519, as `saraban dkim generate` makes it), published beside.
    let school_key = saraban::sender_auth::signing::generate(
        "school",
        "offices.test",
        "school1",
        KeyAlgorithm::Ed25519,
    )
    .unwrap();
    app.services.save_dkim_key(&school_key).await.unwrap();
    let school_record = format!("v=DKIM1; k=ed25519; p={}", school_key.public_key);
    drop(dns);
    let _dns = Dns::start_on(
        dns_port,
        &[
            ("dist1._domainkey.offices.test", dist_record.as_str()),
            ("school1._domainkey.offices.test", school_record.as_str()),
            ("_dmarc.offices.test", dmarc),
        ],
    );
    let signed = school_sends(&w, "ขอส่งแบบรายงาน (ลงลายมือชื่อ)", "s1").await;
    let signature = header_value(&signed, "DKIM-Signature").expect("signed");
    assert!(signature.contains("d=offices.test"), "{signature}");
    assert!(signature.contains("s=school1"), "{signature}");
    assert!(signature.contains("a=ed25519-sha256"), "{signature}");
    let a = district_takes_in(&w, "signed", signed).await;
    assert_eq!(a["verdict"], "verified", "{a}");
    assert_eq!(a["held"], false, "{a}");
    assert_eq!(a["checks"]["dkim"][0]["result"], "pass", "{a}");
    assert_eq!(a["checks"]["dkim"][0]["selector"], "school1", "{a}");
    assert_eq!(a["checks"]["dmarc"]["result"], "pass", "{a}");
}
both_dbs!(dkim_out, signed_mail_is_verified_by_its_receiver);
