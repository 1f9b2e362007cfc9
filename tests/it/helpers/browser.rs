//! Headless Chromium driven through chromedriver (Debian `chromium` + `chromium-driver`).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use saraban_lab::procs;
use serde_json::json;
use tempfile::TempDir;

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Chromium and its helper processes outlive a killed chromedriver for a moment and
        // would keep writing into the profile folder while it is removed (leaving it behind):
        // every process under chromedriver, and any other started with this profile, is
        // stopped first, and the folder goes only when they are gone.
        let marker = format!("--user-data-dir={}", self._profile.path().display());
        let mut doomed = procs::descendants(self.driver.id());
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            doomed.extend(procs::with_arg(&marker));
            doomed.retain(|pid| procs::is_running(*pid));
            if doomed.is_empty() || std::time::Instant::now() > deadline {
                break;
            }
            for pid in &doomed {
                // SAFETY: kill(2) on one positive pid read from /proc just now.
                unsafe {
                    libc::kill(*pid as libc::pid_t, libc::SIGKILL);
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Where screenshots go (`target/screenshots`), so a person can look at the pages.
pub fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("screenshots");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

impl Browser {
    /// Starts chromedriver and a headless Chromium window of `width`×`height`.
    pub async fn start(width: u32, height: u32) -> Browser {
        Browser::launch(width, height, false).await
    }

    /// A phone: Chromium's mobile emulation (a headless window cannot be narrower than ~500 px).
    pub async fn phone(width: u32, height: u32) -> Browser {
        Browser::launch(width, height, true).await
    }

    async fn launch(width: u32, height: u32, mobile: bool) -> Browser {
        super::init();
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (apt-get install chromium-driver)");
        let profile = tempfile::tempdir().expect("profile dir");
        let caps = json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-quic", "--no-first-run", "--lang=th-TH",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let mut caps = caps;
        if mobile {
            caps["goog:chromeOptions"]["mobileEmulation"] = json!({
                "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "touch": true}
            });
        }
        let caps = match caps {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("a JSON object"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let client = loop {
            let mut builder = ClientBuilder::rustls().expect("rustls client for chromedriver");
            match builder.capabilities(caps.clone()).connect(&url).await {
                Ok(c) => break c,
                Err(e) if tokio::time::Instant::now() > deadline => {
                    panic!("chromedriver did not start: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    /// Fills in and sends the login form at `login_url`.
    pub async fn log_in(&self, login_url: &str, username: &str, password: &str) {
        use fantoccini::Locator;
        let c = &self.client;
        c.goto(login_url).await.expect("login page");
        let field = c
            .wait()
            .for_element(Locator::Css("#username"))
            .await
            .expect("user name field");
        field.send_keys(username).await.expect("type user name");
        c.find(Locator::Css("#password"))
            .await
            .expect("password field")
            .send_keys(password)
            .await
            .expect("type password");
        c.find(Locator::Css("button[type=submit]"))
            .await
            .expect("login button")
            .click()
            .await
            .expect("log in");
    }

    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(screenshot_dir().join(format!("{name}.png")), png)
            .expect("write screenshot");
    }
}
