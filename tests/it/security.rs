//! Login on every route, one office never sees another's letters, roles, CSRF, throttling.

use reqwest::Method;
use serde_json::json;

use crate::both_dbs;
use crate::helpers::{Db, PASSWORD, spawn_app, spawn_app_with};

const PAGE_ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/registers/inbound"),
    ("GET", "/registers/outbound/new"),
    ("POST", "/registers/inbound"),
    ("GET", "/registers/order/print"),
    ("GET", "/letters/1"),
    ("GET", "/letters/1/edit"),
    ("POST", "/letters/1/edit"),
    ("POST", "/letters/1/cancel"),
    ("GET", "/letters/1/files/1"),
    ("GET", "/letters/1/files/1/stamped"),
    ("GET", "/settings"),
    ("POST", "/settings/office"),
    ("POST", "/settings/stamp"),
    ("POST", "/registers/outbound/close"),
    ("POST", "/settings/years"),
    ("POST", "/settings/years/active"),
    ("POST", "/settings/counters"),
    ("GET", "/settings/users"),
    ("POST", "/settings/users"),
    ("POST", "/settings/users/1/active"),
    ("POST", "/logout"),
    ("POST", "/letters/1/send"),
    ("POST", "/letters/1/deliveries/1/retry"),
    ("POST", "/letters/1/forward"),
    ("POST", "/letters/1/propose"),
    ("POST", "/letters/1/endorse"),
    ("POST", "/letters/1/acknowledge"),
    ("POST", "/letters/1/return"),
    ("GET", "/my"),
    ("POST", "/settings/smtp"),
    ("POST", "/settings/smtp/test"),
    ("POST", "/my/notifications"),
    ("GET", "/inbox"),
    ("GET", "/inbox/1"),
    ("POST", "/inbox/1/register"),
    ("GET", "/inbox/1/original"),
    ("GET", "/inbox/1/original.html"),
    ("GET", "/inbox/1/raw"),
    ("GET", "/inbox/1/files/1"),
    ("GET", "/quarantine"),
    ("POST", "/quarantine/1/retry"),
    ("POST", "/quarantine/1/dismiss"),
    ("POST", "/inbox/1/dismiss"),
    ("POST", "/inbox/1/restore"),
    ("POST", "/letters/1/attachments"),
    ("POST", "/letters/1/done"),
    ("GET", "/follow-up"),
    ("GET", "/nav/inbox"),
    ("POST", "/settings/users/1"),
    ("POST", "/settings/users/1/password"),
    ("GET", "/settings/groups"),
    ("POST", "/settings/groups"),
    ("POST", "/settings/groups/plan"),
    ("POST", "/settings/school-groups"),
    ("POST", "/settings/school-groups/1/delete"),
    ("GET", "/account/password"),
    ("POST", "/account/password"),
    ("GET", "/quarantine/1/raw"),
    ("GET", "/settings/mailboxes"),
    ("POST", "/settings/mailboxes"),
    ("POST", "/settings/mailboxes/1/test"),
    ("POST", "/settings/mailboxes/1/remove"),
    ("POST", "/letters/1/retention"),
    ("POST", "/settings/retention"),
    ("GET", "/records"),
    ("GET", "/disposals"),
    ("POST", "/disposals"),
    ("GET", "/disposals/1"),
    ("POST", "/disposals/1/step"),
    ("GET", "/handovers"),
    ("POST", "/handovers"),
    ("POST", "/records/codes"),
    ("POST", "/letters/1/filing"),
    ("POST", "/letters/1/loans"),
    ("GET", "/loans"),
    ("POST", "/loans/1/return"),
    ("POST", "/letters/1/holds"),
    ("POST", "/holds/1/lift"),
];

pub const API_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/dashboard"),
    ("GET", "/api/v1/letters"),
    ("POST", "/api/v1/letters"),
    ("GET", "/api/v1/letters/1"),
    ("PATCH", "/api/v1/letters/1"),
    ("POST", "/api/v1/letters/1/cancel"),
    ("GET", "/api/v1/letters/1/history"),
    ("GET", "/api/v1/letters/1/attachments/1"),
    ("GET", "/api/v1/letters/1/attachments/1/stamped"),
    ("GET", "/api/v1/registers/outbound/closing"),
    ("POST", "/api/v1/registers/outbound/closing"),
    ("GET", "/api/v1/registers/outbound/closing.pdf"),
    ("POST", "/api/v1/registers/outbound/import"),
    ("PUT", "/api/v1/letters/1/retention"),
    ("GET", "/api/v1/letters/1/holds"),
    ("POST", "/api/v1/letters/1/holds"),
    ("POST", "/api/v1/holds/1/lift"),
    ("GET", "/api/v1/file-codes"),
    ("POST", "/api/v1/file-codes"),
    ("GET", "/api/v1/letters/1/filing"),
    ("POST", "/api/v1/letters/1/filing"),
    ("GET", "/api/v1/filing/register.pdf"),
    ("GET", "/api/v1/letters/1/loans"),
    ("POST", "/api/v1/letters/1/loans"),
    ("GET", "/api/v1/loans"),
    ("POST", "/api/v1/loans/1/return"),
    ("GET", "/api/v1/loans/1/card.pdf"),
    ("GET", "/api/v1/loan-register.pdf"),
    ("GET", "/api/v1/loan-register.xlsx"),
    ("GET", "/api/v1/handovers"),
    ("POST", "/api/v1/handovers"),
    ("GET", "/api/v1/handovers/due"),
    ("GET", "/api/v1/handovers/1"),
    ("GET", "/api/v1/handovers/1/form21.pdf"),
    ("GET", "/api/v1/handovers/1/package.zip"),
    ("GET", "/api/v1/disposals"),
    ("POST", "/api/v1/disposals"),
    ("GET", "/api/v1/disposals/1"),
    ("PUT", "/api/v1/disposals/1/committee"),
    ("POST", "/api/v1/disposals/1/review"),
    ("POST", "/api/v1/disposals/1/confirm"),
    ("POST", "/api/v1/disposals/1/submit"),
    ("POST", "/api/v1/disposals/1/approve"),
    ("POST", "/api/v1/disposals/1/sent"),
    ("POST", "/api/v1/disposals/1/archives-answer"),
    ("POST", "/api/v1/disposals/1/destroy"),
    ("GET", "/api/v1/disposals/1/list.pdf"),
    ("GET", "/api/v1/disposals/1/memo.pdf"),
    ("POST", "/api/v1/letters/1/send"),
    ("GET", "/api/v1/letters/1/deliveries"),
    ("POST", "/api/v1/deliveries/1/retry"),
    ("GET", "/api/v1/school-groups"),
    ("POST", "/api/v1/letters/1/forward"),
    ("POST", "/api/v1/letters/1/propose"),
    ("POST", "/api/v1/letters/1/endorse"),
    ("POST", "/api/v1/letters/1/acknowledge"),
    ("POST", "/api/v1/letters/1/return"),
    ("GET", "/api/v1/letters/1/journey"),
    ("GET", "/api/v1/work-groups"),
    ("PUT", "/api/v1/me/notifications"),
    ("GET", "/api/v1/settings"),
    ("PATCH", "/api/v1/settings"),
    ("POST", "/api/v1/settings/years"),
    ("GET", "/api/v1/settings/retention"),
    ("PUT", "/api/v1/settings/retention"),
    ("PUT", "/api/v1/settings/active-year"),
    ("PUT", "/api/v1/settings/counters/2568/inbound"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("PATCH", "/api/v1/users/1"),
    ("GET", "/api/v1/inbox"),
    ("GET", "/api/v1/inbox/1"),
    ("POST", "/api/v1/inbox/1/register"),
    ("GET", "/api/v1/inbox/1/raw"),
    ("GET", "/api/v1/inbox/1/attachments/1"),
    ("GET", "/api/v1/quarantine"),
    ("GET", "/api/v1/quarantine/1"),
    ("GET", "/api/v1/quarantine/1/raw"),
    ("POST", "/api/v1/quarantine/1/retry"),
    ("POST", "/api/v1/quarantine/1/dismiss"),
    ("GET", "/api/v1/notices"),
    ("GET", "/api/v1/mailboxes"),
    ("POST", "/api/v1/mailboxes"),
    ("DELETE", "/api/v1/mailboxes/1"),
    ("POST", "/api/v1/mailboxes/1/test"),
    ("POST", "/api/v1/me/password"),
    ("GET", "/api/v1/tokens"),
    ("DELETE", "/api/v1/tokens/0123456789abcdef"),
    ("POST", "/api/v1/inbox/1/dismiss"),
    ("POST", "/api/v1/inbox/1/restore"),
    ("POST", "/api/v1/letters/1/attachments"),
    ("POST", "/api/v1/letters/1/done"),
    ("GET", "/api/v1/follow-up"),
    ("GET", "/api/v1/registers/inbound.xlsx"),
    ("POST", "/api/v1/work-groups"),
    ("PATCH", "/api/v1/work-groups/plan"),
    ("PUT", "/api/v1/work-groups/plan/members"),
    ("POST", "/api/v1/school-groups"),
    ("DELETE", "/api/v1/school-groups/1"),
];

async fn every_route_requires_login(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    app.inbound(&w.clerk, "ลับเฉพาะผู้ที่เข้าสู่ระบบ").await;
    for (method, path) in PAGE_ROUTES {
        let res = app
            .http
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                app.url(path),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{method} {path} without login");
        let location = res.headers()["location"].to_str().unwrap();
        assert!(
            location.starts_with("/login?next="),
            "{method} {path} → {location}"
        );
    }
    for (method, path) in API_ROUTES {
        let res = app
            .http
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                app.url(path),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{method} {path} without a token");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
        let res = app
            .http
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                app.url(path),
            )
            .bearer_auth("srb_not-a-real-token")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{method} {path} with a bad token");
    }
    for open in [
        "/login",
        "/healthz",
        "/static/app.css",
        "/static/vendor/htmx/htmx.min.js",
    ] {
        let res = app.http.get(app.url(open)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{open} is open");
    }
}
both_dbs!(login_required, every_route_requires_login);

async fn an_office_sees_only_its_own_letters(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let (status, letter) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "inbound"),
                ("doc_no", "ศธ 04006/ว9"),
                ("doc_date", "2 พ.ค. 2566"),
                ("from", "สพฐ."),
                ("subject", "เรื่องภายในเขตพื้นที่"),
            ],
            vec![("a.pdf", crate::helpers::pdf_bytes("x"), "")],
        )
        .await;
    assert_eq!(status, 201);
    let id = letter["id"].as_i64().unwrap();
    // The school's clerk: every route for that letter answers "not found".
    for path in [
        format!("/api/v1/letters/{id}"),
        format!("/api/v1/letters/{id}/history"),
        format!("/api/v1/letters/{id}/attachments/1"),
    ] {
        let (status, _) = app.get_json(&w.school_clerk, &path).await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &w.school_clerk,
            &format!("/api/v1/letters/{id}"),
            json!({"subject": "แก้"}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.school_clerk,
            &format!("/api/v1/letters/{id}/cancel"),
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(status, 404);
    let (_, list) = app
        .get_json(&w.school_clerk, "/api/v1/letters?q=ภายในเขต")
        .await;
    assert_eq!(list["total"], 0);
    let (_, counts) = app.get_json(&w.school_clerk, "/api/v1/dashboard").await;
    assert!(
        counts["registers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["count"] == 0)
    );

    // The same through the pages.
    let (browser, csrf) = app.login("school-clerk").await;
    for path in [
        format!("/letters/{id}"),
        format!("/letters/{id}/edit"),
        format!("/letters/{id}/files/1"),
    ] {
        let res = browser.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
        assert!(res.text().await.unwrap().contains("ไม่พบ"), "a Thai page");
    }
    let res = browser
        .post(app.url(&format!("/letters/{id}/cancel")))
        .form(&[("csrf", csrf.as_str()), ("reason", "ลอง")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let page = app.page(&browser, "/registers/inbound").await;
    assert!(!page.contains("เรื่องภายในเขตพื้นที่"));
    // The district's own clerk still sees it, uncancelled.
    let (_, again) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{id}"))
        .await;
    assert_eq!(again["cancelled"], false);
    // And a user of the school cannot manage the district's users.
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &w.school_clerk,
            "/api/v1/users/1",
            json!({"active": false}),
        )
        .await;
    assert_eq!(status, 404);
}
both_dbs!(office_isolation, an_office_sees_only_its_own_letters);

async fn roles_limit_what_each_user_may_do(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let fields = [
        ("register", "inbound"),
        ("doc_no", "ศธ 04006/ว1"),
        ("doc_date", "2 พ.ค. 2566"),
        ("from", "สพฐ."),
        ("subject", "ทดสอบสิทธิ์"),
    ];
    let (status, err) = app.post_letter(&w.staff, &fields, vec![]).await;
    assert_eq!(status, 403, "staff do not register");
    assert_eq!(err["error"]["code"], "forbidden");
    let (status, _) = app.post_letter(&w.director, &fields, vec![]).await;
    assert_eq!(status, 403, "the director does not register");
    let letter = app.inbound(&w.clerk, "ทดสอบสิทธิ์").await;
    let id = letter["id"].as_i64().unwrap();
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.staff,
            &format!("/api/v1/letters/{id}/cancel"),
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &w.staff,
            &format!("/api/v1/letters/{id}"),
            json!({"subject": "x"}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &w.staff,
            "/api/v1/settings",
            json!({"prefix": "ศธ 1"}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app.get_json(&w.staff, "/api/v1/users").await;
    assert_eq!(status, 403);
    // Staff can read the register.
    let (status, _) = app
        .get_json(&w.staff, &format!("/api/v1/letters/{id}"))
        .await;
    assert_eq!(status, 200);
    // A clerk cannot create an administrator; an administrator can.
    let new_admin = json!({"username": "boss", "role": "admin", "password": "ยาวพอแน่นอน"});
    let (status, _) = app
        .send_json(Method::POST, &w.clerk, "/api/v1/users", new_admin.clone())
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .send_json(Method::POST, &w.admin, "/api/v1/users", new_admin)
        .await;
    assert_eq!(status, 201);
    let (status, body) = app
        .send_json(
            Method::POST,
            &w.clerk,
            "/api/v1/users",
            json!({"username": "teacher1", "role": "staff", "password": "short"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(body["error"]["fields"]["password"].is_string());
    // A deactivated user's token stops working at once.
    let (_, users) = app.get_json(&w.admin, "/api/v1/users").await;
    let staff_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "staff")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &w.admin,
            &format!("/api/v1/users/{staff_id}"),
            json!({"active": false}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app.get_json(&w.staff, "/api/v1/me").await;
    assert_eq!(status, 401);
}
both_dbs!(roles, roles_limit_what_each_user_may_do);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerks_edit_only_within_the_window_admins_later() {
    let app = spawn_app_with(Db::Sqlite, |c| c.letters.clerk_edit_hours = 0).await;
    let w = app.world().await;
    let app = &w.app;
    let letter = app.inbound(&w.clerk, "แก้ไขหลังหมดเวลา").await;
    let id = letter["id"].as_i64().unwrap();
    let (status, err) = app
        .send_json(
            Method::PATCH,
            &w.clerk,
            &format!("/api/v1/letters/{id}"),
            json!({"subject": "แก้"}),
        )
        .await;
    assert_eq!(status, 403);
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("เลยเวลา")
    );
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &w.admin,
            &format!("/api/v1/letters/{id}"),
            json!({"subject": "แก้โดยผู้ดูแล"}),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_and_session_api_calls_need_the_csrf_token() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let (browser, csrf) = app.login("clerk").await;
    let res = browser
        .post(app.url("/settings/years"))
        .form(&[("year_be", "2570")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "a form without the token is refused");
    let res = browser
        .post(app.url("/settings/years"))
        .form(&[("year_be", "2570"), ("csrf", "0000")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "a wrong token is refused");
    let res = browser
        .post(app.url("/settings/years"))
        .form(&[("year_be", "2570"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    // Forms whose ticked boxes repeat a name are checked the same way, before anything is read.
    for path in ["/letters/1/send", "/letters/1/forward", "/logout"] {
        let res = browser
            .post(app.url(path))
            .form(&[("office", "a"), ("office", "b"), ("csrf", "0000")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            403,
            "{path} without the right token is refused"
        );
    }
    // The letter form with files carries its token among the multipart fields.
    let upload = |token: &str| {
        reqwest::multipart::Form::new()
            .text("csrf", token.to_string())
            .text("doc_no", "ศธ 04183/ว9")
            .text("doc_date", "2 พ.ค. 2566")
            .text("from", "สพฐ.")
            .text("subject", "ทดสอบโทเคน")
    };
    let res = browser
        .post(app.url("/registers/inbound"))
        .multipart(upload("0000"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        403,
        "a letter form with a wrong token is refused"
    );
    let res = browser
        .post(app.url("/registers/inbound"))
        .multipart(upload(&csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "the right token registers");
    // The API with the session cookie: changes need the X-CSRF-Token header.
    let res = browser.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), 200, "reading with the session is fine");
    let res = browser
        .patch(app.url("/api/v1/settings"))
        .json(&json!({"prefix": "ศธ 1234"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = browser
        .patch(app.url("/api/v1/settings"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"prefix": "ศธ 1234"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Logging out ends the session.
    let res = browser
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let res = browser.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_wrong_passwords_lock_the_login() {
    let app = spawn_app_with(Db::Sqlite, |c| c.security.max_failed_logins = 3).await;
    let w = app.world().await;
    let app = &w.app;
    let try_login = |password: &'static str| {
        let app = &w.app;
        async move {
            let res = app
                .http
                .post(app.url("/login"))
                .form(&[("username", "clerk"), ("password", password)])
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, res.text().await.unwrap())
        }
    };
    for _ in 0..3 {
        let (status, page) = try_login("ผิด").await;
        assert_eq!(status, 401);
        assert!(page.contains("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"));
        assert!(
            page.contains("value=\"clerk\""),
            "the typed user name is kept"
        );
    }
    let (status, page) = try_login(PASSWORD).await;
    assert_eq!(status, 429, "even the right password waits out the lock");
    assert!(page.contains("กรุณารอ"));
    // A second web process on the same database keeps the same count: the lock holds there too.
    let mut config = saraban::config::Config::default();
    config.security.max_failed_logins = 3;
    let other = saraban::app::router_for(app.services.clone(), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other_base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(saraban::app::serve_on(
        listener,
        other,
        std::future::pending(),
    ));
    let res = app
        .http
        .post(format!("{other_base}/login"))
        .form(&[("username", "clerk"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429, "locked on the other process too");
    // Another user is not locked.
    let res = app
        .http
        .post(app.url("/login"))
        .form(&[("username", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    // A login redirect never leaves the site.
    let res = app
        .http
        .post(app.url("/login"))
        .form(&[
            ("username", "director"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/");
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_escape_what_users_typed() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let letter = app
        .inbound(&w.clerk, "<script>alert('x')</script> ประชุม")
        .await;
    let (browser, _) = app.login("clerk").await;
    let page = browser
        .get(app.url(&format!("/letters/{}", letter["id"])))
        .send()
        .await
        .unwrap();
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("<script>alert"),
        "raw script must not appear"
    );
    assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"));
}
