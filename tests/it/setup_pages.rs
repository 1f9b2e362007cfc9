//! Setting the office up in the browser and the API (issue 17): work groups and their members,
//! school groups, officers edited, passwords set, one's own password changed.

use reqwest::Method;
use serde_json::json;

use crate::both_dbs;
use crate::helpers::{Db, PASSWORD, spawn_app};

async fn work_groups_and_members_through_the_api(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let (status, group) = app
        .send_json(
            Method::POST,
            &w.clerk,
            "/api/v1/work-groups",
            json!({"id": "finance", "name": "กลุ่มบริหารงานการเงิน"}),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    assert_eq!(group["members"].as_array().unwrap().len(), 0);
    let (status, again) = app
        .send_json(
            Method::POST,
            &w.clerk,
            "/api/v1/work-groups",
            json!({"id": "finance", "name": "ซ้ำ"}),
        )
        .await;
    assert_eq!(status, 422, "{again}");
    let (status, body) = app
        .send_json(
            Method::PUT,
            &w.clerk,
            "/api/v1/work-groups/finance/members",
            json!({"users": ["staff", "school-clerk"]}),
        )
        .await;
    assert_eq!(status, 422, "another office's officer: {body}");
    let (status, body) = app
        .send_json(
            Method::PUT,
            &w.clerk,
            "/api/v1/work-groups/finance/members",
            json!({"users": ["staff", "director"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["members"].as_array().unwrap().len(), 2);
    let (_, body) = app
        .send_json(
            Method::PUT,
            &w.clerk,
            "/api/v1/work-groups/finance/members",
            json!({"users": ["staff"]}),
        )
        .await;
    assert_eq!(
        body["members"][0]["name"], "คุณstaff",
        "the list replaces the old one"
    );
    assert_eq!(body["members"].as_array().unwrap().len(), 1);
    let (status, _) = app
        .send_json(
            Method::PUT,
            &w.school_clerk,
            "/api/v1/work-groups/finance/members",
            json!({"users": []}),
        )
        .await;
    assert_eq!(
        status, 404,
        "another office's group does not exist for them"
    );
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.staff,
            "/api/v1/work-groups",
            json!({"id": "x", "name": "x"}),
        )
        .await;
    assert_eq!(status, 403);
    // The group can be given letters at once.
    let letter = app.inbound(&w.clerk, "เรื่องการเงิน").await;
    let (status, body) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/letters/{}/forward", letter["id"]),
            json!({"to": [{"group": "finance"}]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, boxed) = app.get_json(&w.staff, "/api/v1/inbox?box=group").await;
    assert_eq!(boxed["total"], 1);

    // School groups of the district.
    let (status, g) = app
        .send_json(
            Method::POST,
            &w.clerk,
            "/api/v1/school-groups",
            json!({"name": "โรงเรียนทั้งหมด", "members": ["school"]}),
        )
        .await;
    assert_eq!(status, 201, "{g}");
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.clerk,
            "/api/v1/school-groups",
            json!({"name": "ผิด", "members": ["dist"]}),
        )
        .await;
    assert_eq!(status, 422);
    let res = app
        .http
        .delete(app.url(&format!("/api/v1/school-groups/{}", g["id"])))
        .bearer_auth(&w.clerk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (_, list) = app.get_json(&w.clerk, "/api/v1/school-groups").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}
both_dbs!(work_groups_api, work_groups_and_members_through_the_api);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_groups_and_passwords_in_the_browser() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let (admin, csrf) = app.login("admin").await;
    let (_, staff) = app.get_json(&w.staff, "/api/v1/me").await;
    let staff_id = staff["user"]["id"].as_i64().unwrap();
    // Edit an officer: name, role, e-mail.
    let res = admin
        .post(app.url(&format!("/settings/users/{staff_id}")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("full_name", "นางสาวใจดี มีสุข"),
            ("role", "clerk"),
            ("email", "jaidee@example.go.th"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = app.page(&admin, "/settings/users?done=user-edit").await;
    assert!(page.contains("นางสาวใจดี มีสุข") && page.contains("jaidee@example.go.th"));
    let res = admin
        .post(app.url(&format!("/settings/users/{staff_id}")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("full_name", "นางสาวใจดี มีสุข"),
            ("role", "clerk"),
            ("email", "not an address"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    // A clerk cannot give the admin role, nor set another's password.
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &w.clerk,
            &format!("/api/v1/users/{staff_id}"),
            json!({"role": "admin"}),
        )
        .await;
    assert_eq!(status, 403);
    let (clerk, clerk_csrf) = app.login("clerk").await;
    let page = app.page(&clerk, "/settings/users").await;
    assert!(
        !page.contains("ตั้งรหัสผ่านใหม่"),
        "only the admin sees the reset"
    );
    let res = clerk
        .post(app.url(&format!("/settings/users/{staff_id}/password")))
        .form(&[
            ("csrf", clerk_csrf.as_str()),
            ("password", "ใหม่หมดเลย-12345"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // The admin sets it; the officer logs in with it.
    let res = admin
        .post(app.url(&format!("/settings/users/{staff_id}/password")))
        .form(&[("csrf", csrf.as_str()), ("password", "ใหม่หมดเลย-12345")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let res = app
        .http
        .post(app.url("/login"))
        .form(&[("username", "staff"), ("password", "ใหม่หมดเลย-12345")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);

    // Work groups on their page.
    let res = clerk
        .post(app.url("/settings/groups"))
        .form(&[
            ("csrf", clerk_csrf.as_str()),
            ("id", "plan"),
            ("name", "กลุ่มนโยบายและแผน"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let res = clerk
        .post(app.url("/settings/groups/plan"))
        .form(&[
            ("csrf", clerk_csrf.as_str()),
            ("name", "กลุ่มนโยบายและแผน"),
            ("member", "staff"),
            ("member", "director"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, groups) = app.get_json(&w.clerk, "/api/v1/work-groups").await;
    assert!(groups.to_string().contains("กลุ่มนโยบายและแผน"), "{groups}");
    let page = app.page(&clerk, "/settings/groups").await;
    assert_eq!(
        page.matches("name=\"member\" value=\"staff\" checked")
            .count(),
        1,
        "{page}"
    );
    let res = clerk
        .post(app.url("/settings/school-groups"))
        .form(&[
            ("csrf", clerk_csrf.as_str()),
            ("name", "กลุ่มทดสอบ"),
            ("school", "school"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = app.page(&clerk, "/settings/groups").await;
    assert!(page.contains("กลุ่มทดสอบ") && page.contains("โรงเรียนทดสอบ school"));

    // One's own password: only with the current one.
    let res = clerk
        .post(app.url("/account/password"))
        .form(&[
            ("csrf", clerk_csrf.as_str()),
            ("current_password", "ผิด"),
            ("password", "รหัสใหม่ของเสมียน-1"),
            ("confirm", "รหัสใหม่ของเสมียน-1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("รหัสผ่านปัจจุบันไม่ถูกต้อง"));
    let res = clerk
        .post(app.url("/account/password"))
        .form(&[
            ("csrf", clerk_csrf.as_str()),
            ("current_password", PASSWORD),
            ("password", "รหัสใหม่ของเสมียน-1"),
            ("confirm", "รหัสใหม่ของเสมียน-1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = app.page(&clerk, "/account/password?done=1").await;
    assert!(
        page.contains("เปลี่ยนรหัสผ่านเรียบร้อย"),
        "this browser stays logged in"
    );
}
