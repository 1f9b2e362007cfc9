//! The command line: every command has plain help; offices, users and tokens are created.

use std::io::Write;
use std::process::Stdio;

use crate::helpers::{Db, spawn_app_with};

fn saraban(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let url = format!("sqlite://{}/cli.db", dir.display());
    let mut child = crate::helpers::serve::saraban(args, &url, dir.join("files"))
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run saraban");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offices_users_and_tokens_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["demo", "--help"],
        &["office", "add", "--help"],
        &["user", "add", "--help"],
        &["token", "create", "--help"],
    ] {
        let (ok, out, _) = saraban(d, args, None);
        assert!(ok && out.contains("Usage"), "{args:?}");
    }
    let (ok, out, err) = saraban(d, &["migrate"], None);
    assert!(ok, "{err}");
    assert!(out.contains("up to date"));
    let (ok, _, err) = saraban(
        d,
        &[
            "office",
            "add",
            "--id",
            "ubn1",
            "--name",
            "สพป.อุบลราชธานี เขต 1",
            "--prefix",
            "ศธ 04183",
            "--kind",
            "district",
            "--email",
            "saraban04183@example.go.th",
        ],
        None,
    );
    assert!(ok, "{err}");
    let (ok, _, err) = saraban(
        d,
        &[
            "office",
            "add",
            "--id",
            "school-006",
            "--name",
            "โรงเรียนอนุบาล",
            "--prefix",
            "ศธ 04183.006",
            "--kind",
            "school",
            "--parent",
            "ubn1",
        ],
        None,
    );
    assert!(ok, "{err}");
    let (ok, _, err) = saraban(
        d,
        &[
            "office", "add", "--id", "x", "--name", "", "--prefix", "ศธ", "--kind", "castle",
        ],
        None,
    );
    assert!(!ok, "bad office input must fail");
    assert!(err.contains("รหัสหน่วยงาน") && err.contains("kind"), "{err}");
    let (ok, out, _) = saraban(d, &["office", "list"], None);
    assert!(ok && out.contains("school-006") && out.contains("ubn1"));

    let (ok, out, err) = saraban(
        d,
        &[
            "user",
            "add",
            "--office",
            "ubn1",
            "--username",
            "clerk1",
            "--role",
            "clerk",
            "--password-stdin",
        ],
        Some("รหัสผ่านยาวพอ\n"),
    );
    assert!(ok, "{err}");
    assert!(out.contains("clerk1"));
    let (ok, _, err) = saraban(
        d,
        &[
            "user",
            "add",
            "--office",
            "nowhere",
            "--username",
            "x2",
            "--role",
            "clerk",
            "--password-stdin",
        ],
        Some("รหัสผ่านยาวพอ\n"),
    );
    assert!(!ok);
    assert!(err.contains("nowhere"), "{err}");
    let (ok, out, err) = saraban(d, &["token", "create", "--user", "clerk1"], None);
    assert!(ok, "{err}");
    let token = out.split_whitespace().last().unwrap().to_string();
    assert!(token.starts_with("srb_"));
    let (ok, out, err) = saraban(d, &["token", "list", "--user", "clerk1"], None);
    assert!(ok, "{err}");
    assert!(
        !out.contains(&token),
        "the list never shows the token: {out}"
    );
    assert!(out.contains("clerk1") && out.contains("active"), "{out}");
    // Revoke a second token; the first is used below.
    let (ok, _, err) = saraban(
        d,
        &[
            "token",
            "create",
            "--user",
            "clerk1",
            "--label",
            "ใช้ครั้งเดียว",
        ],
        None,
    );
    assert!(ok, "{err}");
    let (_, out, _) = saraban(d, &["token", "list", "--user", "clerk1"], None);
    let line = out.lines().find(|l| l.contains("ใช้ครั้งเดียว")).unwrap();
    let id = line.split_whitespace().next().unwrap().to_string();
    let (ok, _, err) = saraban(d, &["token", "revoke", &id], None);
    assert!(ok, "{err}");
    let (_, out, _) = saraban(d, &["token", "list"], None);
    assert!(out.contains("revoked"), "{out}");
    let (ok, _, err) = saraban(d, &["token", "revoke", &id], None);
    assert!(!ok, "a revoked token cannot be revoked again");
    assert!(err.contains("does not exist"), "{err}");

    // Mail files into the inbox, and a mailbox from the command line (its password never shown).
    std::fs::create_dir_all(d.join("mails")).unwrap();
    std::fs::write(
        d.join("mails/a.eml"),
        crate::mail_ingest::thai_letter(
            "cli-1@s.go.th",
            "เรื่อง จากไฟล์",
            &crate::helpers::pdf_bytes("c"),
        ),
    )
    .unwrap();
    std::fs::write(d.join("mails/b.eml"), b"\x00 not mail").unwrap();
    let mails = d.join("mails").display().to_string();
    let (ok, out, err) = saraban(d, &["ingest", "--office", "ubn1", &mails], None);
    assert!(ok, "{err}");
    assert!(
        out.contains("2 files") && out.contains("letter 1") && out.contains("quarantined 1"),
        "{out}"
    );
    let (ok, _, err) = saraban(
        d,
        &[
            "mailbox",
            "add",
            "--office",
            "ubn1",
            "--host",
            "imap.example.go.th",
            "--port",
            "143",
            "--security",
            "none",
            "--username",
            "u",
            "--password-stdin",
        ],
        Some("secret-pw\n"),
    );
    assert!(
        !ok && err.contains("starttls"),
        "plain text only on loopback: {err}"
    );
    let (ok, out, err) = saraban(
        d,
        &[
            "mailbox",
            "add",
            "--office",
            "ubn1",
            "--host",
            "127.0.0.1",
            "--port",
            "1",
            "--security",
            "none",
            "--username",
            "u",
            "--password-stdin",
            "--folder",
            "INBOX",
            "--folder",
            "งานสารบรรณ",
        ],
        Some("secret-pw\n"),
    );
    assert!(ok, "{err}");
    assert!(out.contains("mailbox 1 added"), "{out}");
    let (ok, out, _) = saraban(d, &["mailbox", "list"], None);
    assert!(
        ok && out.contains("u@127.0.0.1:1") && !out.contains("secret-pw"),
        "{out}"
    );
    let (ok, _, err) = saraban(d, &["mailbox", "test", "1"], None);
    assert!(
        !ok && err.contains("127.0.0.1:1"),
        "a closed port is reported: {err}"
    );

    // The same database served: the token works, the password logs in.
    let url = format!("sqlite://{}/cli.db", d.display());
    let app = spawn_app_with(Db::Sqlite, |c| c.database.url = url).await;
    let (status, me) = app.get_json(&token, "/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["user"]["username"], "clerk1");
    assert_eq!(me["office"]["prefix"], "ศธ 04183");
    let res = app
        .http
        .post(app.url("/login"))
        .form(&[("username", "clerk1"), ("password", "รหัสผ่านยาวพอ")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_creates_logins_once() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = saraban(dir.path(), &["demo"], None);
    assert!(ok, "{err}");
    for who in [
        "admin",
        "director",
        "deputy",
        "clerk",
        "staff",
        "anuban-clerk",
    ] {
        assert!(out.contains(who), "{who} in {out}");
    }
    let (ok, again, err) = saraban(dir.path(), &["demo"], None);
    assert!(ok, "a second run must not fail: {err}");
    assert_eq!(out, again);
}

/// `saraban smtp set|show|test`: an office's account with STARTTLS, AUTH and a private CA file on
/// a real Postfix's submission port; the password is never shown; without an account the test
/// mail lands in the .eml outbox folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_account_from_the_command_line() {
    use crate::helpers::dovecot::{Dovecot, Postfix};
    let dovecot = Dovecot::start(&[
        ("school@example.test", "school-secret-pw"),
        ("central@example.test", "central-pw"),
    ])
    .await;
    let postfix = Postfix::start(
        &dovecot,
        &["school@example.test", "central@example.test"],
        None,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [&["smtp", "set", "--help"][..], &["smtp", "test", "--help"]] {
        let (ok, out, _) = saraban(d, args, None);
        assert!(ok && out.contains("Usage"), "{args:?}");
    }
    let (ok, _, err) = saraban(
        d,
        &[
            "office",
            "add",
            "--id",
            "s1",
            "--name",
            "โรงเรียนทดสอบ",
            "--prefix",
            "ศธ 04183.006",
            "--kind",
            "school",
        ],
        None,
    );
    assert!(ok, "{err}");

    // No account and no [smtp] server: the test mail is an .eml file in ./data/outbox.
    let (ok, out, err) = saraban(
        d,
        &[
            "smtp",
            "test",
            "--office",
            "s1",
            "--to",
            "central@example.test",
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(out.contains("files in"), "{out}");
    let emls = std::fs::read_dir(d.join("data/outbox")).unwrap().count();
    assert!(emls >= 1);

    let port = postfix.submission_port.to_string();
    let ca = dovecot.ca_file().display().to_string();
    let set = |security: &str, host: &str| {
        saraban(
            d,
            &[
                "smtp",
                "set",
                "--office",
                "s1",
                "--host",
                host,
                "--port",
                &port,
                "--security",
                security,
                "--ca-file",
                &ca,
                "--username",
                "school@example.test",
                "--password-stdin",
                "--from",
                "school@example.test",
            ],
            Some("school-secret-pw\n"),
        )
    };
    let (ok, _, err) = set("none", "smtp.example.go.th");
    assert!(
        !ok && err.contains("127.0.0.1"),
        "plain text only on loopback: {err}"
    );
    let (ok, _, err) = set("starttls", "localhost");
    assert!(ok, "{err}");
    let (ok, out, _) = saraban(d, &["smtp", "show", "--office", "s1"], None);
    assert!(
        ok && out.contains("localhost") && out.contains("starttls"),
        "{out}"
    );
    assert!(
        !out.contains("school-secret-pw"),
        "the password is never shown"
    );
    // The office's DKIM key, for the domain of its sending address; the record to publish.
    let (ok, out, err) = saraban(
        d,
        &[
            "dkim",
            "generate",
            "--office",
            "s1",
            "--algorithm",
            "ed25519",
            "--selector",
            "s1",
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(out.contains("s1._domainkey.example.test"), "{out}");
    let record = out
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("v=DKIM1; k=ed25519; p="))
        .expect("the DKIM record")
        .to_string();
    assert!(out.contains("_dmarc.example.test"), "{out}");
    let (ok, _, err) = saraban(d, &["dkim", "generate", "--office", "s1"], None);
    assert!(
        !ok && err.contains("--replace"),
        "a key is not replaced by accident: {err}"
    );
    let (ok, shown, _) = saraban(d, &["dkim", "show", "--office", "s1"], None);
    assert!(ok && shown.contains(&record), "{shown}");
    let (ok, out, err) = saraban(
        d,
        &[
            "smtp",
            "test",
            "--office",
            "s1",
            "--to",
            "central@example.test",
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(out.contains("sent to central@example.test"), "{out}");
    let arrived = crate::helpers::eventually(30, "the test mail in the mailbox", || async {
        dovecot
            .messages("central@example.test")
            .into_iter()
            .find(|m| String::from_utf8_lossy(m).contains("X-Saraban: 1; test"))
    })
    .await;
    assert!(String::from_utf8_lossy(&arrived).contains("From: =?utf-8?"));
    // Signed on its way through Postfix, and the signature holds against the published key.
    let dns = saraban_lab::dns::Dns::start(&[("s1._domainkey.example.test", record.as_str())]);
    let checker = saraban::sender_auth::SenderChecker::new(&saraban::config::SenderAuthConfig {
        name_servers: vec![dns.addr()],
        ..Default::default()
    })
    .unwrap();
    let checks = checker.check(&arrived).await;
    assert_eq!(checks.dkim.len(), 1, "{checks:?}");
    assert_eq!(
        checks.dkim[0].result,
        saraban::domain::sender_auth::Outcome::Pass,
        "{checks:?}"
    );
    assert_eq!(checks.dkim[0].domain, "example.test");

    // A wrong password is refused by the server, and the command says so.
    let (ok, _, err) = saraban(
        d,
        &[
            "smtp",
            "set",
            "--office",
            "s1",
            "--host",
            "localhost",
            "--port",
            &port,
            "--security",
            "starttls",
            "--ca-file",
            &ca,
            "--username",
            "school@example.test",
            "--password-stdin",
            "--from",
            "school@example.test",
        ],
        Some("wrong\n"),
    );
    assert!(ok, "{err}");
    let (ok, _, err) = saraban(
        d,
        &[
            "smtp",
            "test",
            "--office",
            "s1",
            "--to",
            "central@example.test",
        ],
        None,
    );
    assert!(!ok && err.contains("not sent"), "{err}");
    drop(postfix);
}

/// `saraban school-group add|list`: a district's saved school groups; other offices' schools and
/// schools' own groups are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn school_groups_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let add = |id: &str, kind: &str, parent: Option<&str>| {
        let mut args = vec![
            "office",
            "add",
            "--id",
            id,
            "--name",
            "หน่วยงาน",
            "--prefix",
            "ศธ 1",
            "--kind",
            kind,
        ];
        if let Some(p) = parent {
            args.extend(["--parent", p]);
        }
        let (ok, _, err) = saraban(d, &args, None);
        assert!(ok, "{err}");
    };
    add("d1", "district", None);
    add("d2", "district", None);
    add("s1", "school", Some("d1"));
    add("s2", "school", Some("d1"));
    add("x1", "school", Some("d2"));
    let (ok, out, err) = saraban(
        d,
        &[
            "school-group",
            "add",
            "--office",
            "d1",
            "--name",
            "กลุ่มเครือข่ายที่ 1",
            "--member",
            "s1",
            "--member",
            "s2",
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(out.contains("กลุ่มเครือข่ายที่ 1"), "{out}");
    let (ok, _, err) = saraban(
        d,
        &[
            "school-group",
            "add",
            "--office",
            "d1",
            "--name",
            "อื่น",
            "--member",
            "x1",
        ],
        None,
    );
    assert!(!ok && err.contains("x1"), "{err}");
    let (ok, _, err) = saraban(
        d,
        &[
            "school-group",
            "add",
            "--office",
            "s1",
            "--name",
            "ก",
            "--member",
            "s2",
        ],
        None,
    );
    assert!(!ok && !err.is_empty());
    let (ok, out, _) = saraban(d, &["school-group", "list", "--office", "d1"], None);
    assert!(
        ok && out.contains("กลุ่มเครือข่ายที่ 1") && out.contains("s1, s2"),
        "{out}"
    );
}

/// `saraban group add|member add|list` and `saraban user notify`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_groups_and_notifications_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ok, _, err) = saraban(
        d,
        &[
            "office",
            "add",
            "--id",
            "d1",
            "--name",
            "สพป.ทดสอบ",
            "--prefix",
            "ศธ 1",
            "--kind",
            "district",
        ],
        None,
    );
    assert!(ok, "{err}");
    let (ok, _, err) = saraban(
        d,
        &[
            "user",
            "add",
            "--office",
            "d1",
            "--username",
            "t1",
            "--role",
            "staff",
            "--password-stdin",
        ],
        Some("a-long-password\n"),
    );
    assert!(ok, "{err}");
    let (ok, _, err) = saraban(
        d,
        &[
            "group",
            "add",
            "--office",
            "d1",
            "--id",
            "plan",
            "--name",
            "กลุ่มนโยบายและแผน",
        ],
        None,
    );
    assert!(ok, "{err}");
    let (ok, _, err) = saraban(
        d,
        &[
            "group", "add", "--office", "d1", "--id", "bad id!", "--name", "x",
        ],
        None,
    );
    assert!(!ok && err.contains("id"), "{err}");
    let (ok, _, err) = saraban(
        d,
        &["group", "member", "add", "--group", "plan", "--user", "t1"],
        None,
    );
    assert!(ok, "{err}");
    let (ok, _, err) = saraban(
        d,
        &["group", "member", "add", "--group", "nope", "--user", "t1"],
        None,
    );
    assert!(!ok && err.contains("nope"), "{err}");
    let (ok, out, _) = saraban(d, &["group", "list", "--office", "d1"], None);
    assert!(ok && out.contains("plan\tกลุ่มนโยบายและแผน\tt1"), "{out}");
    let (ok, out, err) = saraban(
        d,
        &[
            "user",
            "notify",
            "--user",
            "t1",
            "--email",
            "t1@example.test",
            "--mode",
            "daily",
        ],
        None,
    );
    assert!(ok && out.contains("daily"), "{out}{err}");
    let (ok, _, err) = saraban(
        d,
        &[
            "user",
            "notify",
            "--user",
            "t1",
            "--email",
            "t1@example.test",
            "--mode",
            "hourly",
        ],
        None,
    );
    assert!(!ok && err.contains("notify"), "{err}");
    let (ok, out, err) = saraban(d, &["audit", "verify"], None);
    assert!(ok && out.contains("intact"), "{out}{err}");
}

/// An earlier register brought in from the command line, every row or none, and the yearly
/// survey of letters whose keeping ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn earlier_registers_and_the_survey_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ok, _, err) = saraban(
        d,
        &[
            "office",
            "add",
            "--id",
            "ubn1",
            "--name",
            "สพป.อุบลราชธานี เขต 1",
            "--prefix",
            "ศธ 04183",
            "--kind",
            "district",
        ],
        None,
    );
    assert!(ok, "{err}");
    let (ok, _, err) = saraban(
        d,
        &[
            "user",
            "add",
            "--office",
            "ubn1",
            "--username",
            "clerk1",
            "--role",
            "clerk",
            "--password-stdin",
        ],
        Some("a-long-password-1\n"),
    );
    assert!(ok, "{err}");
    let bad = d.join("bad.csv");
    std::fs::write(
        &bad,
        "เลขทะเบียนรับ,ปี พ.ศ.,ที่,ลงวันที่,จาก,ถึง,เรื่อง,อายุการเก็บ\n\
         1,2560,ศธ 1/1,2017-03-01,สพฐ.,สพป.,ประชุม,1 ปี\n\
         2,2560,ศธ 1/2,31/2/2560,สพฐ.,สพป.,,1 ปี\n",
    )
    .unwrap();
    let (ok, _, err) = saraban(
        d,
        &[
            "import",
            "register",
            "--office",
            "ubn1",
            "--register",
            "inbound",
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert!(!ok, "a bad row refuses the file");
    assert!(err.contains("แถวที่ 2") && err.contains("ไม่มีเรื่อง"), "{err}");
    let good = d.join("good.csv");
    std::fs::write(
        &good,
        "เลขทะเบียนรับ,ปี พ.ศ.,ที่,ลงวันที่,จาก,ถึง,เรื่อง,อายุการเก็บ\n\
         1,2560,ศธ 1/1,2017-03-01,สพฐ.,สพป.,ประชุม,1 ปี\n\
         2,2560,ศธ 1/2,2017-03-02,สพฐ.,สพป.,อบรม,ห้ามทำลาย\n",
    )
    .unwrap();
    let (ok, out, err) = saraban(
        d,
        &[
            "import",
            "register",
            "--office",
            "ubn1",
            "--register",
            "inbound",
            good.to_str().unwrap(),
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("imported 2 rows") && out.contains("2560: 2 rows"),
        "{out}"
    );
    let (ok, out, err) = saraban(
        d,
        &["records", "survey", "--office", "ubn1", "--year", "2566"],
        None,
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("1 letters") && out.contains("ประชุม") && !out.contains("อบรม"),
        "{out}"
    );
    // The imported letters in the search index, rebuilt from the command line.
    let (ok, out, err) = saraban(d, &["search", "reindex", "--office", "ubn1"], None);
    assert!(ok, "{err}");
    assert!(
        out.contains("2 letters read, 0 written again (office ubn1)"),
        "{out}"
    );
    let (ok, out, err) = saraban(d, &["search", "reindex"], None);
    assert!(ok, "{err}");
    assert!(out.contains("the index rebuilt whole"), "{out}");
    let (ok, _, err) = saraban(d, &["search", "reindex", "--office", "nowhere"], None);
    assert!(!ok, "an unknown office is refused");
    assert!(!err.is_empty());
}
