//! Mail in through a real Dovecot over IMAP: exactly once, flagged after commit, never marked
//! read, through duplicates, notices, oversize and broken mail, a UIDVALIDITY reset, a Dovecot
//! restart in the middle of fetching, and TLS with a private CA.

use std::time::Duration;

use saraban::mail::imap::{self, FetchLimits};
use saraban::service::mailboxes::{MailboxInput, add_mailbox};
use saraban::store::mailboxes::Mailbox;

use crate::both_dbs;
use crate::helpers::dovecot::Dovecot;
use crate::helpers::{Db, TestApp, World, eventually, pdf_bytes, spawn_app_with};
use crate::mail_ingest::thai_letter;

pub const SARABAN: &str = "saraban@ubn1.test";
pub const PASSWORD: &str = "mailbox-password";
/// The piece size of streamed fetches (4 MB), for the tests' arithmetic.
pub const PIECE_FOR_TESTS: u64 = 4 * 1024 * 1024;

pub fn limits() -> FetchLimits {
    FetchLimits {
        command: Duration::from_secs(20),
        max_message_bytes: 1024 * 1024,
        stream_above_bytes: 8 * 1024 * 1024,
    }
}

pub async fn mailbox_for(
    app: &TestApp,
    dovecot: &Dovecot,
    folders: &str,
    poll_secs: u32,
) -> Mailbox {
    add_mailbox(
        &app.store,
        "dist",
        &MailboxInput {
            host: "127.0.0.1".into(),
            port: dovecot.imap_port.to_string(),
            security: "none".into(),
            username: SARABAN.into(),
            password: PASSWORD.into(),
            folders: folders.into(),
            poll_secs: poll_secs.to_string(),
            ..Default::default()
        },
    )
    .await
    .expect("mailbox")
}

async fn world_with_small_messages(db: Db) -> World {
    spawn_app_with(db, |c| c.mail.max_message_mb = 1)
        .await
        .world()
        .await
}

pub async fn inbox_total(app: &TestApp, token: &str) -> i64 {
    app.get_json(token, "/api/v1/inbox?per_page=1").await.1["total"]
        .as_i64()
        .unwrap_or(-1)
}

fn forwarded_letter() -> Vec<u8> {
    let inner = String::from_utf8(thai_letter(
        "inner@school.example.go.th",
        "ที่ ศธ 04183.101/77 ลงวันที่ 3 พ.ค. 2566 เรื่อง ส่งแบบรายงาน",
        &pdf_bytes("inner"),
    ))
    .unwrap();
    format!(
        "From: clerk@school2.example.go.th\r\nTo: {SARABAN}\r\nSubject: Fwd: ส่งแบบรายงาน\r\nMessage-ID: <fwd-1@school2.example.go.th>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"F\"\r\n\r\n--F\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nส่งต่อตามที่แนบ\r\n--F\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--F--\r\n"
    )
    .into_bytes()
}

async fn letters_arrive_once_flagged_and_unread(db: Db) {
    let dovecot = Dovecot::start(&[(SARABAN, PASSWORD)]).await;
    let w = world_with_small_messages(db).await;
    let app = &w.app;
    let pdf = pdf_bytes("letter by imap");
    let letter = thai_letter(
        "imap-1@school.example.go.th",
        "ที่ ศธ 04183.006/131 ลงวันที่ 2 พ.ค. 2566 เรื่อง ขอความอนุเคราะห์",
        &pdf,
    );
    let mut oversized =
        b"From: big@x.go.th\r\nSubject: big\r\nMessage-ID: <big@x>\r\n\r\n".to_vec();
    oversized.extend(std::iter::repeat_n(b'x', 1_200_000));
    let messages = vec![
        letter.clone(),
        letter.clone(), // the same letter delivered twice
        forwarded_letter(),
        b"From: boss@x.go.th\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\nMessage-ID: <ooo@x>\r\n\r\naway\r\n".to_vec(),
        b"From: MAILER-DAEMON@x.go.th\r\nMessage-ID: <dsn@x>\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; a@b.th\r\nAction: failed\r\nStatus: 5.1.1\r\n--r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <out-9@ubn1.test>\r\n--r--\r\n".to_vec(),
        oversized,
        b"%%%% this is \x00 not mail".to_vec(),
    ];
    dovecot.append(SARABAN, "INBOX", &messages).await;
    // The mailbox is added while the app runs: the poller picks it up by itself.
    mailbox_for(app, &dovecot, "INBOX", 1).await;
    let token = w.clerk.clone();
    eventually(30, "every message taken", || async {
        let (_, q) = app.get_json(&token, "/api/v1/quarantine").await;
        let (_, n) = app.get_json(&token, "/api/v1/notices").await;
        (inbox_total(app, &token).await == 2
            && q["items"].as_array()?.len() == 2
            && n["items"].as_array()?.len() == 2)
            .then_some(())
    })
    .await;
    let (_, inbox) = app.get_json(&w.clerk, "/api/v1/inbox").await;
    let subjects: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["subject"].as_str().unwrap())
        .collect();
    assert!(subjects.contains(&"ขอความอนุเคราะห์"), "{subjects:?}");
    let forwarded = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["message_id"] == "fwd-1@school2.example.go.th")
        .unwrap();
    assert_eq!(
        forwarded["attachments"][0]["name"], "หนังสือนำส่ง.pdf",
        "the forwarded letter's own file"
    );
    assert_eq!(
        forwarded["doc_no"], "",
        "the outer mail has no number; the clerk fills it"
    );
    let (_, q) = app.get_json(&w.clerk, "/api/v1/quarantine").await;
    let reasons: Vec<&str> = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reason"].as_str().unwrap())
        .collect();
    assert!(reasons.iter().any(|r| r.contains("เกินขนาด")), "{reasons:?}");
    assert!(
        reasons.iter().any(|r| r.contains("อ่านอีเมลไม่ได้")),
        "{reasons:?}"
    );

    // On the server: flagged after commit, never marked read; the oversized one left as it was.
    let flags = dovecot.flags(SARABAN, "INBOX").await;
    assert_eq!(flags.len(), 7, "nothing deleted");
    for (uid, f) in &flags {
        assert!(
            !f.iter().any(|x| x.contains("Seen")),
            "uid {uid} marked read: {f:?}"
        );
        let flagged = f.iter().any(|x| x.contains("SarabanIngested"));
        assert_eq!(flagged, *uid != 6, "uid {uid}: {f:?}");
    }
    // A second pass takes nothing again.
    let m = app
        .store
        .list_mailboxes(Some("dist"))
        .await
        .unwrap()
        .remove(0);
    let stats = imap::poll_once(&app.services, &m, limits()).await.unwrap();
    assert_eq!(stats.fetched, 0);
    assert_eq!(inbox_total(app, &w.clerk).await, 2);
    let states = app.store.folder_states(m.id).await.unwrap();
    assert_eq!(states[0].last_uid, 7);
    assert_eq!(states[0].consecutive_failures, 0);
    assert!(states[0].last_success_at.is_some());
}
both_dbs!(imap_exactly_once, letters_arrive_once_flagged_and_unread);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_uidvalidity_reset_brings_no_duplicates() {
    let dovecot = Dovecot::start(&[(SARABAN, PASSWORD)]).await;
    let w = spawn_app_with(Db::Sqlite, |c| c.mail.fetch = false)
        .await
        .world()
        .await;
    let app = &w.app;
    let letters: Vec<Vec<u8>> = (0..3)
        .map(|i| {
            thai_letter(
                &format!("uv-{i}@s.go.th"),
                &format!("เรื่อง หนังสือที่ {i}"),
                &pdf_bytes(&format!("{i}")),
            )
        })
        .collect();
    dovecot.append(SARABAN, "Letters", &letters[..2]).await;
    let m = mailbox_for(app, &dovecot, "Letters", 60).await;
    imap::poll_once(&app.services, &m, limits()).await.unwrap();
    assert_eq!(inbox_total(app, &w.clerk).await, 2);
    let before = app.store.folder_states(m.id).await.unwrap()[0].uidvalidity;
    // The folder is recreated (as after a server migration): new UIDVALIDITY, UIDs from 1 again.
    {
        let mut s = dovecot.session(SARABAN).await;
        s.delete("Letters").await.unwrap();
        s.create("Letters").await.unwrap();
        s.logout().await.unwrap();
    }
    dovecot.append(SARABAN, "Letters", &letters).await;
    let stats = imap::poll_once(&app.services, &m, limits()).await.unwrap();
    assert_eq!(stats.fetched, 3, "the new epoch is read from the start");
    assert_eq!(stats.duplicates, 2);
    assert_eq!(stats.letters, 1);
    assert_eq!(inbox_total(app, &w.clerk).await, 3);
    let after = app.store.folder_states(m.id).await.unwrap()[0].uidvalidity;
    assert_ne!(before, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dovecot_restarting_in_the_middle_of_fetching_loses_and_doubles_nothing() {
    let dovecot = Dovecot::start(&[(SARABAN, PASSWORD)]).await;
    let w = spawn_app_with(Db::Sqlite, |c| c.mail.fetch = false)
        .await
        .world()
        .await;
    let app = &w.app;
    // Enough letters that the pass lasts far longer than the 50 ms between looks at the inbox:
    // the fetching side runs at most a few groups of 100 ahead of the commits.
    let total = 2000;
    let letters: Vec<Vec<u8>> = (0..total)
        .map(|i| {
            thai_letter(
                &format!("rs-{i}@s.go.th"),
                &format!("เรื่อง หนังสือฉบับ {i}"),
                &pdf_bytes(&format!("{i}")),
            )
        })
        .collect();
    dovecot.append(SARABAN, "INBOX", &letters).await;
    let m = mailbox_for(app, &dovecot, "INBOX", 1).await;
    // One pass, and Dovecot stops under it once it has taken a few letters.
    let pass = {
        let services = app.services.clone();
        let m = m.clone();
        tokio::spawn(async move { imap::poll_once(&services, &m, limits()).await })
    };
    let token = w.clerk.clone();
    eventually(60, "the first letters", || async {
        (inbox_total(app, &token).await >= 5).then_some(())
    })
    .await;
    dovecot.kill().await;
    let result = pass.await.unwrap();
    assert!(
        result.is_err(),
        "the pass must notice the server going away"
    );
    let states = app.store.folder_states(m.id).await.unwrap();
    assert_eq!(
        states[0].consecutive_failures, 1,
        "the failure is shown on the liveness page"
    );
    assert!(states[0].last_error.is_some());
    // Back up. The pass stopped part-way: the fetching side runs ahead of the commits, so
    // by the kill it may have committed everything, but not flagged everything.
    dovecot.restart().await;
    let flagged = dovecot
        .flags(SARABAN, "INBOX")
        .await
        .iter()
        .filter(|(_, f)| f.iter().any(|x| x.contains("SarabanIngested")))
        .count();
    assert!(flagged < total, "stopped part-way ({flagged} flagged)");
    // The next pass takes the rest and flags everything, nothing twice.
    imap::poll_once(&app.services, &m, limits()).await.unwrap();
    assert_eq!(inbox_total(app, &w.clerk).await, total as i64);
    let flags = dovecot.flags(SARABAN, "INBOX").await;
    assert_eq!(flags.len(), total);
    assert!(
        flags
            .iter()
            .all(|(_, f)| f.iter().any(|x| x.contains("SarabanIngested")))
    );
    assert_eq!(
        app.store.folder_states(m.id).await.unwrap()[0].consecutive_failures,
        0
    );
}

/// The background poller keeps its IDLE connection; when Dovecot restarts under it, it
/// reconnects by itself and takes what arrives next.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_poller_reconnects_after_a_restart_and_idle_brings_new_mail() {
    let dovecot = Dovecot::start(&[(SARABAN, PASSWORD)]).await;
    let w = spawn_app_with(Db::Sqlite, |_| {}).await.world().await;
    let app = &w.app;
    mailbox_for(app, &dovecot, "INBOX", 300).await;
    let m = app
        .store
        .list_mailboxes(Some("dist"))
        .await
        .unwrap()
        .remove(0);
    let token = w.clerk.clone();
    eventually(30, "the first pass", || async {
        let s = app.store.folder_states(m.id).await.ok()?;
        s.first()?.last_success_at.map(|_| ())
    })
    .await;
    // poll_secs is 300: a letter that shows up within seconds came by IDLE.
    dovecot
        .append(
            SARABAN,
            "INBOX",
            &[thai_letter(
                "idle-1@s.go.th",
                "เรื่อง มาทาง IDLE",
                &pdf_bytes("a"),
            )],
        )
        .await;
    eventually(20, "the letter pushed by IDLE", || async {
        (inbox_total(app, &token).await == 1).then_some(())
    })
    .await;
    dovecot.restart().await;
    dovecot
        .append(
            SARABAN,
            "INBOX",
            &[thai_letter(
                "idle-2@s.go.th",
                "เรื่อง หลังเริ่มใหม่",
                &pdf_bytes("b"),
            )],
        )
        .await;
    eventually(60, "the letter after the restart", || async {
        (inbox_total(app, &token).await == 2).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_and_starttls_with_a_private_ca() {
    let dovecot = Dovecot::start(&[(SARABAN, PASSWORD)]).await;
    let w = spawn_app_with(Db::Sqlite, |c| c.mail.fetch = false)
        .await
        .world()
        .await;
    let app = &w.app;
    let ca = dovecot.ca_file().display().to_string();
    for (security, port) in [("tls", dovecot.imaps_port), ("starttls", dovecot.imap_port)] {
        let m = add_mailbox(
            &app.store,
            "dist",
            &MailboxInput {
                host: "localhost".into(),
                port: port.to_string(),
                security: security.into(),
                ca_file: ca.clone(),
                username: SARABAN.into(),
                password: PASSWORD.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let said = imap::test_connection(&m, Duration::from_secs(10))
            .await
            .unwrap();
        assert!(said.contains("INBOX"), "{security}: {said}");
        // Without the private CA the server is not trusted.
        let mut untrusted = m.clone();
        untrusted.ca_file = None;
        assert!(
            imap::test_connection(&untrusted, Duration::from_secs(10))
                .await
                .is_err(),
            "{security} without the CA"
        );
        let mut wrong = m.clone();
        wrong.password = "wrong".into();
        let err = imap::test_connection(&wrong, Duration::from_secs(10))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("เข้าสู่ระบบ"), "{err}");
    }
    // Plain text is refused for anything but loopback.
    let refused = add_mailbox(
        &app.store,
        "dist",
        &MailboxInput {
            host: "mail.example.go.th".into(),
            port: "143".into(),
            security: "none".into(),
            username: "x".into(),
            password: "y".into(),
            ..Default::default()
        },
    )
    .await;
    assert!(refused.is_err());
}

/// `saraban serve` killed (-9) in the middle of a batch and started again: every letter arrives
/// exactly once. The mailbox is added by the CLI while the first process runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_serve_mid_batch_loses_and_doubles_nothing() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    crate::helpers::init();
    let dovecot = Dovecot::start(&[(SARABAN, PASSWORD)]).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/saraban.db", dir.path().display());
    let saraban = |args: &[&str]| {
        let mut c = crate::helpers::serve::saraban(args, &url, dir.path().join("files"));
        c.env("SARABAN__SERVER__LISTEN", "127.0.0.1:0")
            .env("SARABAN__MAIL__SCAN_SECS", "1")
            // This test is about exactly-once; the sender checks have their own (sender_auth.rs).
            .env("SARABAN__SENDER_AUTH__VERIFY", "false")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    let ok = |mut c: Command, input: &str| {
        let mut child = c.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success());
    };
    ok(
        saraban(&[
            "office",
            "add",
            "--id",
            "ubn1",
            "--name",
            "สพป.ทดสอบ",
            "--prefix",
            "ศธ 04183",
            "--kind",
            "district",
        ]),
        "",
    );
    // Enough letters that the pass lasts far longer than the 50 ms between looks at the count.
    let total = 2000;
    let letters: Vec<Vec<u8>> = (0..total)
        .map(|i| {
            thai_letter(
                &format!("kill-{i}@s.go.th"),
                &format!("เรื่อง หนังสือฉบับ {i}"),
                &pdf_bytes(&format!("{i}")),
            )
        })
        .collect();
    dovecot.append(SARABAN, "INBOX", &letters).await;

    let mut first = saraban(&["serve"]).spawn().unwrap();
    let port = dovecot.imap_port.to_string();
    ok(
        saraban(&[
            "mailbox",
            "add",
            "--office",
            "ubn1",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--security",
            "none",
            "--username",
            SARABAN,
            "--password-stdin",
            "--poll-secs",
            "1",
        ]),
        PASSWORD,
    );
    let store = saraban::store::Store::connect(&url, 1).await.unwrap();
    let count = |table: &'static str| {
        let store = store.clone();
        async move {
            use sqlx::Row;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) AS n FROM {table}"
            )))
            .fetch_one(store.pool())
            .await
            .map(|r| r.get::<i64, _>("n"))
            .unwrap_or(0)
        }
    };
    eventually(60, "the first letters", || async {
        (count("inbox_entries").await >= 10).then_some(())
    })
    .await;
    first.kill().unwrap(); // SIGKILL: no clean-up of any kind
    first.wait().unwrap();
    let at_kill = count("inbox_entries").await;
    assert!(at_kill < total as i64, "killed part-way ({at_kill})");

    let mut second = saraban(&["serve"]).spawn().unwrap();
    let done = std::panic::AssertUnwindSafe(eventually(
        120,
        "every letter after the restart",
        || async { (count("inbox_entries").await >= total as i64).then_some(()) },
    ));
    use futures_util::FutureExt;
    let result = done.catch_unwind().await;
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(second.id().to_string())
        .status();
    let _ = second.wait();
    result.unwrap();
    assert_eq!(count("inbox_entries").await, total as i64, "no duplicates");
    assert_eq!(
        count("mail_receipts").await,
        total as i64,
        "one receipt per message"
    );
    eventually(10, "every message flagged", || async {
        let flags = dovecot.flags(SARABAN, "INBOX").await;
        (flags.len() == total
            && flags
                .iter()
                .all(|(_, f)| f.iter().any(|x| x.contains("SarabanIngested"))))
        .then_some(())
    })
    .await;
}

/// With a folder to move to, fetched mail leaves INBOX for it (after commit) instead of being flagged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetched_mail_can_be_moved_to_a_folder() {
    let dovecot = Dovecot::start(&[(SARABAN, PASSWORD)]).await;
    let w = spawn_app_with(Db::Sqlite, |c| c.mail.fetch = false)
        .await
        .world()
        .await;
    let app = &w.app;
    dovecot.append(SARABAN, "Done", &[]).await;
    let letters: Vec<Vec<u8>> = (0..3)
        .map(|i| {
            thai_letter(
                &format!("mv-{i}@s.go.th"),
                &format!("เรื่อง ย้าย {i}"),
                &pdf_bytes(&format!("{i}")),
            )
        })
        .collect();
    dovecot.append(SARABAN, "INBOX", &letters).await;
    let m = add_mailbox(
        &app.store,
        "dist",
        &MailboxInput {
            host: "127.0.0.1".into(),
            port: dovecot.imap_port.to_string(),
            security: "none".into(),
            username: SARABAN.into(),
            password: PASSWORD.into(),
            move_to: "Done".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let stats = imap::poll_once(&app.services, &m, limits()).await.unwrap();
    assert_eq!(stats.letters, 3);
    assert_eq!(
        dovecot.flags(SARABAN, "INBOX").await.len(),
        0,
        "moved out of INBOX"
    );
    assert_eq!(
        dovecot.flags(SARABAN, "Done").await.len(),
        3,
        "and into Done, not deleted"
    );
    assert_eq!(inbox_total(app, &w.clerk).await, 3);
}

/// One fetcher per mailbox: a second process cannot take a lease another holds until it runs out.
async fn the_mailbox_lease_is_held_by_one_process(db: Db) {
    let w = spawn_app_with(db, |c| c.mail.fetch = false)
        .await
        .world()
        .await;
    let store = &w.app.store;
    let m = add_mailbox(
        store,
        "dist",
        &MailboxInput {
            host: "127.0.0.1".into(),
            port: "9".into(),
            security: "none".into(),
            username: "u".into(),
            password: "p".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let long = chrono::Duration::seconds(60);
    assert!(store.acquire_lease(m.id, "process-a", long).await.unwrap());
    assert!(
        !store.acquire_lease(m.id, "process-b", long).await.unwrap(),
        "held by a"
    );
    assert!(
        store.acquire_lease(m.id, "process-a", long).await.unwrap(),
        "a renews"
    );
    store.release_lease(m.id, "process-a").await.unwrap();
    assert!(
        store
            .acquire_lease(m.id, "process-b", chrono::Duration::seconds(-1))
            .await
            .unwrap(),
        "free once released"
    );
    // b's lease has already run out (a crash): a takes over.
    assert!(store.acquire_lease(m.id, "process-a", long).await.unwrap());
}
both_dbs!(lease, the_mailbox_lease_is_held_by_one_process);

/// A folder with a Thai name (sent in modified UTF-7) is fetched like any other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thai_named_folder_is_fetched() {
    let dovecot = Dovecot::start(&[(SARABAN, PASSWORD)]).await;
    let w = spawn_app_with(Db::Sqlite, |c| c.mail.fetch = false)
        .await
        .world()
        .await;
    let app = &w.app;
    let folder = imap::wire_folder("งานสารบรรณ");
    // A Thai password too: it needs AUTHENTICATE PLAIN.
    let thai = Dovecot::start(&[("thai@ubn1.test", "รหัสผ่านกล่องอีเมล")]).await;
    let mut m = mailbox_for(app, &thai, "INBOX", 60).await;
    m.username = "thai@ubn1.test".into();
    m.password = "รหัสผ่านกล่องอีเมล".into();
    assert!(
        imap::test_connection(&m, Duration::from_secs(10))
            .await
            .is_ok(),
        "Thai password"
    );
    dovecot
        .append(
            SARABAN,
            &folder,
            &[thai_letter(
                "th-1@s.go.th",
                "เรื่อง โฟลเดอร์ภาษาไทย",
                &pdf_bytes("t"),
            )],
        )
        .await;
    let m = mailbox_for(app, &dovecot, "งานสารบรรณ", 60).await;
    let stats = imap::poll_once(&app.services, &m, limits()).await.unwrap();
    assert_eq!(stats.letters, 1);
    assert_eq!(
        app.store.folder_states(m.id).await.unwrap()[0].folder,
        "งานสารบรรณ"
    );
    assert!(
        imap::test_connection(&m, Duration::from_secs(10))
            .await
            .unwrap()
            .contains("งานสารบรรณ")
    );
}

/// A large message is fetched in pieces straight to disk; the letter and its file come out whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_messages_are_streamed_to_disk_in_pieces() {
    let dovecot = Dovecot::start(&[(SARABAN, PASSWORD)]).await;
    let w = spawn_app_with(Db::Sqlite, |c| c.mail.fetch = false)
        .await
        .world()
        .await;
    let app = &w.app;
    let mut big_pdf = pdf_bytes("big");
    big_pdf.resize(9 * 1024 * 1024 + 123, b'7');
    let letter = thai_letter("big-1@s.go.th", "เรื่อง ไฟล์ใหญ่", &big_pdf);
    assert!(
        letter.len() as u64 > 2 * PIECE_FOR_TESTS,
        "spans several pieces"
    );
    dovecot
        .append(SARABAN, "INBOX", std::slice::from_ref(&letter))
        .await;
    let m = mailbox_for(app, &dovecot, "INBOX", 60).await;
    let limits = FetchLimits {
        command: Duration::from_secs(60),
        max_message_bytes: 50 * 1024 * 1024,
        stream_above_bytes: 1024 * 1024,
    };
    let stats = imap::poll_once(&app.services, &m, limits).await.unwrap();
    assert_eq!((stats.fetched, stats.letters), (1, 1));
    let (_, inbox) = app.get_json(&w.clerk, "/api/v1/inbox").await;
    let item = &inbox["items"][0];
    assert_eq!(
        item["raw_sha256"],
        saraban::security::sha256_hex(&letter),
        "the raw message, byte for byte"
    );
    assert_eq!(
        item["attachments"][0]["sha256"],
        saraban::security::sha256_hex(&big_pdf)
    );
    let staging = app.dir.path().join("files/.incoming");
    assert_eq!(
        std::fs::read_dir(&staging).map(|d| d.count()).unwrap_or(0),
        0,
        "no staging file left"
    );
    assert!(
        dovecot.flags(SARABAN, "INBOX").await[0]
            .1
            .iter()
            .any(|f| f.contains("SarabanIngested"))
    );
}

/// Runs with `--features bench`, as the README's test command does.
#[cfg(feature = "bench")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ingest_benchmark_takes_every_letter_and_counts_both_sides_cpu() {
    let figures = saraban::bench::ingest::run(500, 20, true)
        .await
        .expect("benchmark ran");
    assert_eq!(figures.letters, 500);
    assert_eq!(
        figures.entries, 500,
        "every generated letter became an entry"
    );
    assert_eq!(
        figures.verified, 500,
        "every signed letter's sender verified"
    );
    // Dovecot's time is read from /proc after its sessions end: 1 000 fetched letters cost it
    // well over one clock tick.
    assert!(
        figures.download_dovecot_cpu + figures.ingest_dovecot_cpu > 0.0,
        "Dovecot's CPU time was counted"
    );
    let report = figures.report();
    assert!(report.contains("CPU per letter"), "{report}");
    assert!(report.contains("ingestion / download"), "{report}");
}
