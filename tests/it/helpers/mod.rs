//! Test harness: the real application on a loopback port with a fresh database per test.

pub mod browser;
pub mod documents;
/// The private Dovecot lives in the library so that `saraban bench` can use it too.
pub use saraban_lab as dovecot;
pub mod postgres;
pub mod s3;
pub mod serve;

use std::sync::Once;
use std::time::Duration;

use reqwest::multipart::{Form, Part};
use saraban::config::Config;
use saraban::service::{NewUserInput, create_office, create_user};
use saraban::store::Store;
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::oneshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs a test body once per database: `both_dbs!(name, body)` makes `name_sqlite` and
/// `name_postgres`.
#[macro_export]
macro_rules! both_dbs {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body($crate::helpers::Db::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$body($crate::helpers::Db::Postgres).await
            }
        }
    };
}

pub fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // fantoccini brings a second rustls provider; choose one for the whole test binary.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

pub struct TestApp {
    pub base: String,
    /// No cookies, no redirects followed: what a script sees.
    pub http: reqwest::Client,
    pub store: Store,
    pub dir: TempDir,
    pub services: saraban::service::Services,
    shutdown: Option<oneshot::Sender<()>>,
    workers: Option<tokio::sync::watch::Sender<bool>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(tx) = self.workers.take() {
            let _ = tx.send(true);
        }
    }
}

pub const PASSWORD: &str = "รหัสผ่านทดสอบ-123";

pub async fn spawn_app(db: Db) -> TestApp {
    spawn_app_with(db, |_| {}).await
}

pub async fn spawn_app_with(db: Db, adjust: impl FnOnce(&mut Config)) -> TestApp {
    init();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::default();
    config.database.url = match db {
        Db::Sqlite => format!("sqlite://{}/saraban.db", dir.path().display()),
        Db::Postgres => postgres::fresh_database().await,
    };
    config.storage.root = dir.path().join("files");
    config.server.listen = "127.0.0.1:0".into();
    // Notice new mailboxes at once in tests.
    config.mail.scan_secs = 1;
    config.mail.drop_dir = dir.path().join("dropbox");
    config.smtp.outbox_dir = dir.path().join("outbox");
    config.smtp.poll_secs = 1;
    // Reading files' words (and OCR) is turned on by the tests about it; elsewhere it would only
    // load the machine.
    config.text.extract = false;
    config.text.poll_secs = 1;
    // Sender checks ask DNS: the tests about them give a private name server.
    config.sender_auth.verify = false;
    adjust(&mut config);
    let store = saraban::app::open_store(&config).await.expect("open store");
    let listener = saraban::app::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    // An object store just started may take a moment before its first write works.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let services = loop {
        match saraban::app::services(store.clone(), &config).await {
            Ok(s) => break s,
            Err(e) if std::time::Instant::now() > deadline => panic!("services: {e}"),
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    };
    let router = saraban::app::router_for(services.clone(), config.clone());
    let (workers_tx, workers_rx) = tokio::sync::watch::channel(false);
    saraban::app::spawn_workers(services.clone(), &config, workers_rx);
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(saraban::app::serve_on(listener, router, async {
        let _ = rx.await;
    }));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    TestApp {
        base,
        http,
        store,
        dir,
        services,
        shutdown: Some(tx),
        workers: Some(workers_tx),
    }
}

/// A district with one school, and a user per role in the district and a clerk in the school.
pub struct World {
    pub app: TestApp,
    pub clerk: String,
    pub admin: String,
    pub director: String,
    pub staff: String,
    pub school_clerk: String,
}

impl World {
    /// The district's work group `plan` (กลุ่มนโยบายและแผน), with the staff member in it.
    pub async fn plan_group(&self) {
        let services = &self.app.services;
        services
            .create_work_group("dist", "plan", "กลุ่มนโยบายและแผน")
            .await
            .expect("work group");
        services
            .add_work_group_member("plan", "staff")
            .await
            .expect("member");
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn office(&self, id: &str, kind: &str, parent: Option<&str>, prefix: &str) {
        let name = match kind {
            "district" => format!("สำนักงานเขตพื้นที่การศึกษาทดสอบ {id}"),
            _ => format!("โรงเรียนทดสอบ {id}"),
        };
        create_office(&self.store, id, &name, prefix, kind, parent, None)
            .await
            .expect("office");
    }

    /// Creates a user and returns an API token for them.
    pub async fn user(&self, office: &str, username: &str, role: &str) -> String {
        let user = create_user(
            &self.store,
            office,
            &NewUserInput {
                username: username.into(),
                full_name: format!("คุณ{username}"),
                role: role.into(),
                password: PASSWORD.into(),
            },
        )
        .await
        .expect("user");
        self.store
            .create_api_token(user.id, "test")
            .await
            .expect("token")
    }

    pub async fn world(self) -> World {
        self.office("dist", "district", None, "ศธ 04183").await;
        self.office("school", "school", Some("dist"), "ศธ 04183.006")
            .await;
        let clerk = self.user("dist", "clerk", "clerk").await;
        let admin = self.user("dist", "admin", "admin").await;
        let director = self.user("dist", "director", "director").await;
        let staff = self.user("dist", "staff", "staff").await;
        let school_clerk = self.user("school", "school-clerk", "clerk").await;
        World {
            app: self,
            clerk,
            admin,
            director,
            staff,
            school_clerk,
        }
    }

    /// A browser-like client logged in as `username`, with its CSRF token.
    pub async fn login(&self, username: &str) -> (reqwest::Client, String) {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let res = client
            .post(self.url("/login"))
            .form(&[
                ("username", username),
                ("password", PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), 303, "login of {username} should redirect");
        let page = client
            .get(self.url("/"))
            .send()
            .await
            .expect("home")
            .text()
            .await
            .expect("text");
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("csrf token in page")
            .to_string();
        (client, csrf)
    }

    /// Registers a letter through the API; returns (status, body).
    pub async fn post_letter(
        &self,
        token: &str,
        fields: &[(&str, &str)],
        files: Vec<(&str, Vec<u8>, &str)>,
    ) -> (u16, Value) {
        let mut form = Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        for (name, data, description) in files {
            form = form
                .part("file", Part::bytes(data).file_name(name.to_string()))
                .text("description", description.to_string());
        }
        let res = self
            .http
            .post(self.url("/api/v1/letters"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("post letter");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Registers an inbound letter; each call is another letter (`ศธ 04006/ว1234.n`), so the
    /// duplicate check does not take it for the one before.
    pub async fn inbound(&self, token: &str, subject: &str) -> Value {
        static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
        let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let doc_no = format!("ศธ 04006/ว1234.{n}");
        let (status, body) = self
            .post_letter(
                token,
                &[
                    ("register", "inbound"),
                    ("doc_no", &doc_no),
                    ("doc_date", "2 พ.ค. 2566"),
                    ("from", "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน"),
                    ("subject", subject),
                ],
                Vec::new(),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// The HTML of a page, as the logged-in browser `client` sees it.
    pub async fn page(&self, client: &reqwest::Client, path: &str) -> String {
        client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// `GET path` with an API token: the whole response (status, headers, body to read).
    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("get")
    }

    /// `/metrics` as Prometheus text (no login: it is the operators' endpoint).
    pub async fn metrics(&self) -> String {
        self.http
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text")
    }

    pub async fn get_json(&self, token: &str, path: &str) -> (u16, Value) {
        let res = self.get(token, path).await;
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        let res = self
            .http
            .request(method, self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("send");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

/// A small but real PDF (one page, one line of text).
pub fn pdf_bytes(text: &str) -> Vec<u8> {
    let content = format!("BT /F1 18 Tf 50 750 Td ({text}) Tj ET");
    pdf_from_objects(&[
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ])
}

/// A PDF 1.4 file of these objects (numbered from 1, the first is the catalog) with a classic
/// cross-reference table.
pub fn pdf_from_objects(objects: &[String]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Polls `check` until it returns Some, or panics after `secs`.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {secs} s waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
