//! What probing a running server found (issue 17, "Hardening"): overflowing page numbers, open
//! redirects, the login lock behind a proxy, passwords and sessions, tokens, and every refusal in
//! Thai in the API's shape.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Db, PASSWORD, spawn_app, spawn_app_with};

async fn json_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_far_beyond_the_data_answer_instead_of_dropping_the_connection() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    app.inbound(&w.clerk, "หนังสือหนึ่งฉบับ").await;
    let huge = "9223372036854775807";
    for path in [
        format!("/api/v1/letters?page={huge}"),
        format!("/api/v1/letters?register=inbound&page={huge}&per_page={huge}"),
        format!("/api/v1/inbox?page={huge}"),
        format!("/api/v1/inbox?box=personal&page={huge}"),
        format!("/api/v1/inbox?box=group&page={huge}&per_page={huge}"),
    ] {
        let (status, body) = app.get_json(&w.clerk, &path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body["items"].as_array().map(Vec::len), Some(0), "{path}");
    }
    let (client, _) = app.login("clerk").await;
    for path in [
        format!("/registers/inbound?page={huge}"),
        "/registers/inbound?page=99999999999999999999999".to_string(),
        format!("/inbox?page={huge}"),
        format!("/my?page={huge}"),
    ] {
        let res = client.get(app.url(&path)).send().await.unwrap();
        assert!(res.status().as_u16() < 500, "{path}: {}", res.status());
    }
    let res = client
        .get(app.url("/registers/inbound?page=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("เลขหน้า"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_goes_only_to_a_path_of_this_site() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    for next in [
        "/\t/evil.example",
        "/\\evil.example",
        "/letters\r\nSet-Cookie: a=b",
        "https://evil.example",
    ] {
        let res = app
            .http
            .post(app.url("/login"))
            .form(&[
                ("username", "clerk"),
                ("password", PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{next:?}");
        assert_eq!(res.headers()["location"], "/", "{next:?}");
    }
    // Login CSRF: a form on another site cannot log this browser in.
    let res = app
        .http
        .post(app.url("/login"))
        .header("origin", "https://evil.example")
        .form(&[("username", "clerk"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers().get("set-cookie").is_none());
    let res = app
        .http
        .post(app.url("/login"))
        .header("origin", app.base.trim_end_matches('/'))
        .form(&[("username", "clerk"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "the site's own login form");
}

async fn login_from(app: &crate::helpers::TestApp, user: &str, password: &str, addr: &str) -> u16 {
    app.http
        .post(app.url("/login"))
        .header("x-forwarded-for", addr)
        .form(&[("username", user), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_one_address_cannot_lock_out_the_office() {
    let app = spawn_app_with(Db::Sqlite, |c| {
        c.security.max_failed_logins = 1;
        c.security.trusted_proxies = vec!["127.0.0.0/8".into()];
    })
    .await;
    let w = app.world().await;
    let app = &w.app;
    // The per-address lock is four times the per-name one: four names tried from one address.
    for name in ["a1", "a2", "a3", "a4"] {
        assert_eq!(login_from(app, name, "ผิด", "198.51.100.1").await, 401);
    }
    assert_eq!(
        login_from(app, "clerk", PASSWORD, "198.51.100.1").await,
        429
    );
    assert_eq!(
        login_from(app, "clerk", PASSWORD, "198.51.100.2").await,
        303,
        "another clerk behind the same proxy still logs in"
    );

    // Without trusted proxies the header is anyone's to write, so it is not read.
    let plain = spawn_app_with(Db::Sqlite, |c| c.security.max_failed_logins = 1).await;
    let w2 = plain.world().await;
    for name in ["b1", "b2", "b3", "b4"] {
        assert_eq!(login_from(&w2.app, name, "ผิด", "198.51.100.1").await, 401);
    }
    assert_eq!(
        login_from(&w2.app, "clerk", PASSWORD, "198.51.100.9").await,
        429
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_changes_end_sessions_and_tokens_as_they_should() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let me = |client: reqwest::Client| {
        let url = app.url("/api/v1/me");
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    };
    // A clerk may not set another clerk's password; an admin may.
    let (_, staff) = app.get_json(&w.staff, "/api/v1/me").await;
    let staff_id = staff["user"]["id"].as_i64().unwrap();
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &w.clerk,
            &format!("/api/v1/users/{staff_id}"),
            json!({"password": "รหัสใหม่ของเจ้าหน้าที่-1"}),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    let (staff_browser, _) = app.login("staff").await;
    assert_eq!(me(staff_browser.clone()).await, 200);
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &w.admin,
            &format!("/api/v1/users/{staff_id}"),
            json!({"password": "รหัสใหม่ของเจ้าหน้าที่-1"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        me(staff_browser).await,
        401,
        "the reset ends the user's sessions"
    );
    let (status, _) = app.get_json(&w.staff, "/api/v1/me").await;
    assert_eq!(status, 401, "and their API tokens");

    // A user's own change needs the current password, keeps this browser and the tokens, and
    // ends the other browsers.
    let (phone, _) = app.login("clerk").await;
    let (laptop, csrf) = app.login("clerk").await;
    let change = |current: &str| {
        laptop
            .post(app.url("/api/v1/me/password"))
            .header("x-csrf-token", csrf.clone())
            .json(&json!({"current_password": current, "password": "รหัสผ่านใหม่ของฉัน-2"}))
            .send()
    };
    let (status, body) = json_of(change("ผิด").await.unwrap()).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["fields"]["current_password"].is_string());
    let res = change(PASSWORD).await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(me(laptop.clone()).await, 200, "this browser stays");
    assert_eq!(me(phone).await, 401, "the other browser is logged out");
    let (status, _) = app.get_json(&w.clerk, "/api/v1/me").await;
    assert_eq!(status, 200, "the user's own change keeps their tokens");
    // Resetting one's own password through the admin route is refused too.
    let (_, admin) = app.get_json(&w.admin, "/api/v1/me").await;
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &w.admin,
            &format!("/api/v1/users/{}", admin["user"]["id"]),
            json!({"password": "ไม่ต้องใช้รหัสเดิม-3"}),
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_listed_without_their_secret_and_revoked() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let (status, tokens) = app.get_json(&w.clerk, "/api/v1/tokens").await;
    assert_eq!(status, 200);
    let list = tokens.as_array().unwrap();
    assert_eq!(list.len(), 1, "a clerk sees only their own: {tokens}");
    assert!(
        !tokens.to_string().contains(&w.clerk),
        "never the token itself"
    );
    let (_, all) = app.get_json(&w.admin, "/api/v1/tokens").await;
    assert!(
        all.as_array().unwrap().len() >= 4,
        "the admin sees the office's"
    );
    let id = list[0]["id"].as_str().unwrap().to_string();
    // The director cannot revoke the clerk's token; the clerk can.
    let res = app
        .http
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&w.director)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = app
        .http
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&w.clerk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (status, _) = app.get_json(&w.clerk, "/api/v1/me").await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_is_thai_in_the_apis_shape() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let thai = |body: &Value| {
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)))
    };
    // Duplicate query keys, a number that is not one, an unknown method, a wrong content type.
    for (method, path) in [
        (Method::GET, "/api/v1/letters?q=a&q=b"),
        (Method::GET, "/api/v1/letters?page=abc"),
        (Method::GET, "/api/v1/letters?per_page=1e9"),
        (Method::DELETE, "/api/v1/letters"),
        (Method::PUT, "/api/v1/inbox"),
    ] {
        let res = app
            .http
            .request(method.clone(), app.url(path))
            .bearer_auth(&w.clerk)
            .send()
            .await
            .unwrap();
        let (status, body) = json_of(res).await;
        assert!((400..500).contains(&status), "{method} {path}: {status}");
        assert!(thai(&body), "{method} {path}: {body}");
        if method == Method::DELETE || method == Method::PUT {
            assert_eq!(status, 405);
            assert_eq!(body["error"]["code"], "method_not_allowed");
        }
    }
    let res = app
        .http
        .patch(app.url("/api/v1/settings"))
        .bearer_auth(&w.clerk)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!(status, 415);
    assert!(thai(&body), "{body}");
    // A search of hundreds of words.
    let words = "คำ ".repeat(300);
    let res = app
        .http
        .get(app.url("/api/v1/letters"))
        .query(&[("q", words.as_str())])
        .bearer_auth(&w.clerk)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!(status, 422, "{body}");
    assert!(thai(&body));
    // Pages and JSON are not kept by browsers or proxies.
    let res = app.get(&w.clerk, "/api/v1/me").await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    let (client, _) = app.login("clerk").await;
    let res = client
        .get(app.url("/registers/inbound"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    // The page version of a refusal is a Thai page.
    let res = client
        .get(app.url("/registers/inbound?q=a&q=b"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let page = res.text().await.unwrap();
    assert!(page.contains("คำขอไม่ถูกต้อง"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_ends() {
    let w = spawn_app_with(Db::Sqlite, |c| c.security.idle_minutes = 30)
        .await
        .world()
        .await;
    let app = &w.app;
    let (client, _) = app.login("clerk").await;
    let res = client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    // Forty minutes without a request (the session's clock is moved back, not waited for).
    let past = saraban::store::time_to_db(chrono::Utc::now() - chrono::Duration::minutes(40));
    sqlx::query("UPDATE sessions SET last_seen_at = $1, created_at = $1")
        .bind(past)
        .execute(app.store.pool())
        .await
        .unwrap();
    let res = client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), 401);
}
