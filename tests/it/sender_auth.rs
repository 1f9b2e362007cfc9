//! Who sent a mail, checked against a real DNS server (dnsmasq on loopback serving DKIM, SPF and
//! DMARC records) on mail signed here with mail-auth's signer: a good signature, a wrong key, a
//! body changed after signing, a missing key record, a forged office name, and DNS that does not
//! answer (the mail is still taken in, pending, and checked again later). The checks' own thread
//! (started with the app's workers) checks each mail after it is taken in, and only then
//! registers it on arrival. The verdicts reach the inbox page, the entry page and the API, and a
//! held mail is never registered on arrival.

use mail_auth::common::crypto::Ed25519Key;
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use reqwest::Method;
use saraban_lab::dns::Dns;

use crate::both_dbs;
use crate::helpers::{Db, World, eventually, spawn_app_with};
use crate::mail_ingest::base64_lite::encode;

struct Key {
    pkcs8: Vec<u8>,
    public: String,
}

fn key() -> Key {
    let pkcs8 = Ed25519Key::generate_pkcs8().unwrap();
    let public = encode(&Ed25519Key::from_pkcs8_der(&pkcs8).unwrap().public_key());
    Key { pkcs8, public }
}

/// A letter as obec.test's server writes it, before any receiver touches it.
fn letter(from: &str, id: &str, subject: &str) -> String {
    format!(
        "From: {from}\r\nTo: saraban@dist.test\r\nSubject: =?utf-8?B?{}?=\r\nDate: Tue, 2 May 2023 09:15:00 +0700\r\nMessage-ID: <{id}@obec.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        encode(subject.as_bytes()),
        encode("เรียน ผู้อำนวยการ ตามที่แนบมานี้".as_bytes())
    )
}

fn signed(key: &Key, domain: &str, selector: &str, message: &str) -> String {
    let signature = DkimSigner::from_key(Ed25519Key::from_pkcs8_der(&key.pkcs8).unwrap())
        .domain(domain)
        .selector(selector)
        .headers(["From", "To", "Subject", "Date", "Message-ID"])
        .sign(message.as_bytes())
        .unwrap();
    format!("{}{message}", signature.to_header())
}

/// What the receiving server adds: the envelope sender and the hop it came from.
fn received(mail_from: &str, ip: &str, message: &str) -> Vec<u8> {
    format!(
        "Return-Path: <{mail_from}>\r\nReceived: from mail.obec.test (mail.obec.test [{ip}])\r\n\tby mx.dist.test (Postfix) with ESMTPS id 4Q1\r\n{message}"
    )
    .into_bytes()
}

async fn take_in(w: &World, name: &str, raw: Vec<u8>) -> i64 {
    crate::mail_ingest::take_in(&w.app, &format!("{name}.eml"), raw).await
}

/// The entry's verdict as the API shows it, once the checks' thread has given one.
pub async fn authentication(w: &World, entry: i64) -> serde_json::Value {
    eventually(30, "the sender's verdict", || async {
        let (status, body) = w
            .app
            .get_json(&w.clerk, &format!("/api/v1/inbox/{entry}"))
            .await;
        assert_eq!(status, 200, "{body}");
        Some(body["authentication"].clone()).filter(|a| !a.is_null())
    })
    .await
}

/// The letter an entry was registered as, once registered.
async fn registered(w: &World, entry: i64) -> i64 {
    eventually(30, "registration on arrival", || async {
        w.app
            .store
            .find_entry("dist", entry)
            .await
            .unwrap()
            .letter_id
    })
    .await
}

async fn senders_are_checked(db: Db) {
    let good = key();
    let other = key();
    let records = [
        (
            "s1._domainkey.obec.test".to_string(),
            format!("v=DKIM1; k=ed25519; p={}", good.public),
        ),
        (
            "s2._domainkey.obec.test".to_string(),
            format!("v=DKIM1; k=ed25519; p={}", good.public),
        ),
        ("obec.test".into(), "v=spf1 ip4:127.0.0.1 -all".into()),
        ("_dmarc.obec.test".into(), "v=DMARC1; p=reject".into()),
    ];
    let txt: Vec<(&str, &str)> = records
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let dns = Dns::start(&txt);
    let port = dns.port;
    let w = spawn_app_with(db, |c| {
        c.sender_auth.verify = true;
        c.sender_auth.name_servers = vec![format!("127.0.0.1:{port}")];
        c.sender_auth.dns_timeout_secs = 1;
        c.sender_auth.dns_attempts = 1;
        // Long enough for every lookup to time out on its own, so the stopped DNS step below
        // shows the DKIM temperror itself rather than the batch's own deadline.
        c.sender_auth.batch_budget_secs = 30;
    })
    .await
    .world()
    .await;
    let app = &w.app;
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &w.clerk,
            "/api/v1/settings",
            serde_json::json!({"auto_register": true}),
        )
        .await;
    assert_eq!(status, 200);
    let clerk = app.store.find_user_by_name("clerk").await.unwrap();
    app.store
        .add_known_sender(
            "dist",
            "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน",
            "obec.test",
            clerk.id,
        )
        .await
        .unwrap();
    let subject = |n: u32| format!("ที่ ศธ 04006/ว{n} ลงวันที่ 2 พ.ค. 2566 เรื่อง ขอเชิญประชุม");
    let from = format!(
        "=?utf-8?B?{}?= <saraban@obec.test>",
        encode("สพฐ.".as_bytes())
    );
    let from = from.as_str();

    // Signed by obec.test, sent from its server: DKIM, SPF and DMARC pass; registered on arrival.
    let pass = take_in(
        &w,
        "pass",
        received(
            "saraban@obec.test",
            "127.0.0.1",
            &signed(&good, "obec.test", "s1", &letter(from, "pass", &subject(1))),
        ),
    )
    .await;
    let a = authentication(&w, pass).await;
    assert_eq!(a["verdict"], "verified", "{a}");
    assert_eq!(a["label"], "ยืนยันผู้ส่งแล้ว (obec.test, DKIM, SPF)");
    assert_eq!(a["checks"]["dkim"][0]["result"], "pass", "{a}");
    assert_eq!(a["checks"]["spf"]["result"], "pass", "{a}");
    assert_eq!(a["checks"]["dmarc"]["policy"], "reject", "{a}");
    // A verified letter registers on arrival (after its check).
    registered(&w, pass).await;

    // From another IP (SPF fails) with a signature that does not hold: DMARC fails under
    // p=reject, so the mail is held for the clerk, whatever the DKIM trouble.
    let off_ip = |raw: String| received("saraban@obec.test", "192.0.2.9", &raw);
    let mut body_changed = signed(
        &good,
        "obec.test",
        "s1",
        &letter(from, "changed", &subject(2)),
    );
    body_changed.push_str("แก้ไขหลังลงนาม\r\n");
    let wrong_key = signed(
        &other,
        "obec.test",
        "s2",
        &letter(from, "wrongkey", &subject(3)),
    );
    let no_record = signed(
        &good,
        "obec.test",
        "s9",
        &letter(from, "norecord", &subject(4)),
    );
    for (name, raw, dkim) in [
        // mail-auth calls a body hash that does not match "neutral" (the signature itself is sound).
        ("changed", body_changed, "neutral"),
        ("wrongkey", wrong_key, "fail"),
        ("norecord", no_record, "permerror"),
    ] {
        let id = take_in(&w, name, off_ip(raw)).await;
        let a = authentication(&w, id).await;
        assert_ne!(a["verdict"], "verified", "{name}: {a}");
        assert_eq!(a["checks"]["dkim"][0]["result"], dkim, "{name}: {a}");
        assert_eq!(a["checks"]["spf"]["result"], "fail", "{name}: {a}");
        assert_eq!(a["checks"]["dmarc"]["result"], "fail", "{name}: {a}");
        assert_eq!(a["held"], true, "{name}: {a}");
        let entry = app.store.find_entry("dist", id).await.unwrap();
        assert!(entry.letter_id.is_none(), "{name}: held, not registered");
    }

    // Another domain's mail naming the office: may be forged, shown in red, held.
    let forged = letter(
        &format!(
            "=?utf-8?B?{}?= <sarabun.obec@freemail.test>",
            encode("สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน".as_bytes())
        ),
        "forged",
        &subject(5),
    );
    let spoof = take_in(
        &w,
        "forged",
        received("sarabun.obec@freemail.test", "192.0.2.9", &forged),
    )
    .await;
    let a = authentication(&w, spoof).await;
    assert_eq!(a["verdict"], "spoofed", "{a}");
    assert_eq!(a["held"], true);
    assert!(
        a["label"].as_str().unwrap().starts_with("ผู้ส่งอาจถูกปลอม"),
        "{a}"
    );
    assert!(
        app.store
            .find_entry("dist", spoof)
            .await
            .unwrap()
            .letter_id
            .is_none()
    );

    // The pages show each verdict.
    let (client, csrf) = app.login("clerk").await;
    let inbox = app.page(&client, "/inbox?status=all").await;
    for needle in [
        "ยืนยันผู้ส่งแล้ว (obec.test, DKIM, SPF)",
        "tag bad sender-verdict",
        "ผู้ส่งอาจถูกปลอม",
    ] {
        assert!(inbox.contains(needle), "{needle} in:\n{inbox}");
    }
    // The letter registered on arrival carries its verdict on the register page.
    let register = app.page(&client, "/registers/inbound").await;
    assert!(
        register.contains("ยืนยันผู้ส่งแล้ว (obec.test, DKIM, SPF)"),
        "{register}"
    );
    let page = app.page(&client, &format!("/inbox/{spoof}")).await;
    assert!(page.contains("id=\"sender-verdict\""), "{page}");
    assert!(page.contains("ระบบไม่ลงทะเบียนอัตโนมัติ"), "{page}");
    // The clerk checked with the school: its free-mail address joins the known senders, and the
    // mail is no longer taken for a forgery (still not proved: it is not signed).
    let res = client
        .post(app.url(&format!("/inbox/{spoof}/sender")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let a = authentication(&w, spoof).await;
    assert_eq!(
        (a["verdict"].as_str(), a["held"].as_bool()),
        (Some("unverified"), Some(false)),
        "{a}"
    );

    // DNS that does not answer: still taken in, pending and held; checked again once DNS is back.
    drop(dns);
    let late = take_in(
        &w,
        "late",
        received(
            "saraban@obec.test",
            "127.0.0.1",
            &signed(&good, "obec.test", "s1", &letter(from, "late", &subject(6))),
        ),
    )
    .await;
    let a = authentication(&w, late).await;
    assert_eq!(a["verdict"], "pending", "{a}");
    assert_eq!(a["checks"]["dkim"][0]["result"], "temperror", "{a}");
    assert!(
        app.store
            .find_entry("dist", late)
            .await
            .unwrap()
            .letter_id
            .is_none()
    );
    let _dns = Dns::start_on(port, &txt);
    sqlx::query(
        "UPDATE sender_checks SET next_check_at = '2000-01-01T00:00:00Z' WHERE entry_id = $1",
    )
    .bind(late)
    .execute(app.store.pool())
    .await
    .unwrap();
    app.services
        .sender_auth
        .as_ref()
        .expect("checks on")
        .wake
        .notify_one();
    let a = eventually(30, "the check made again", || async {
        Some(authentication(&w, late).await).filter(|a| a["verdict"] != "pending")
    })
    .await;
    assert_eq!(a["verdict"], "verified", "{a}");
    assert_eq!(a["held"], false);
    // Held while pending, registered on arrival once verified.
    registered(&w, late).await;

    // Operators see the verdicts and the checks' queue.
    let metrics = app.metrics().await;
    for line in [
        "saraban_sender_checks{status=\"verified\"} 2",
        "saraban_sender_checks{status=\"waiting\"} 0",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in:\n{metrics}");
    }
}
both_dbs!(sender_checks, senders_are_checked);

/// DNS that takes the question and never answers: the mail is still taken in at once (within
/// the batch's budget), pending and held, to be checked again later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_dns_does_not_stall_mail() {
    // A name server that accepts (UDP and TCP) and never answers.
    // The same port for both; another test may hold the TCP side of a free UDP port: try again.
    let (_udp, _tcp, port) = (0..50)
        .find_map(|_| {
            let udp = std::net::UdpSocket::bind("127.0.0.1:0").ok()?;
            let port = udp.local_addr().ok()?.port();
            let tcp = std::net::TcpListener::bind(("127.0.0.1", port)).ok()?;
            Some((udp, tcp, port))
        })
        .expect("a port free for UDP and TCP");
    let w = spawn_app_with(Db::Sqlite, |c| {
        c.sender_auth.verify = true;
        c.sender_auth.name_servers = vec![format!("127.0.0.1:{port}")];
        c.sender_auth.dns_timeout_secs = 60;
        c.sender_auth.batch_budget_secs = 1;
    })
    .await
    .world()
    .await;
    let key = key();
    let raw = received(
        "saraban@obec.test",
        "127.0.0.1",
        &signed(
            &key,
            "obec.test",
            "s1",
            &letter("saraban@obec.test", "silent", "เรื่อง ทดสอบ"),
        ),
    );
    // The checks run on their own thread, last in line for the CPU.
    let checks: Vec<_> = saraban_lab::procs::threads(std::process::id())
        .into_iter()
        .filter(|t| t.comm == "sender-checks")
        .collect();
    assert!(!checks.is_empty());
    assert!(checks.iter().all(|t| t.nice == 19), "{checks:?}");
    let id = take_in(&w, "silent", raw).await;
    let a = authentication(&w, id).await;
    assert_eq!(a["verdict"], "pending", "{a}");
    assert_eq!(a["held"], true);
    assert_eq!(a["checks"]["source"], "not answered in time", "{a}");
}
