//! For operators and load balancers, without a login: `GET /healthz` (the process answers),
//! `GET /readyz` (the database and the file store answer; 503 otherwise) and `GET /metrics`
//! (Prometheus text: registers, mail in, quarantine, outbox, mailboxes, queues, and the latency
//! of every route this process served). Keep them behind the proxy: they name no letter, but the
//! counts are the deployment's.

use std::sync::LazyLock;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::web::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FolderLabels {
    mailbox: String,
    office: String,
    folder: String,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// Request latencies of this process, by method, route pattern and status class.
static LATENCY: LazyLock<Family<RouteLabels, Histogram>> =
    LazyLock::new(|| Family::new_with_constructor(latency_histogram));

/// Middleware: times every request to a known route.
pub async fn time_requests(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = format!("{}xx", response.status().as_u16() / 100);
    LATENCY
        .get_or_create(&RouteLabels {
            method,
            route,
            status,
        })
        .observe(started.elapsed().as_secs_f64());
    response
}

pub async fn healthz() -> &'static str {
    "ok\n"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    let r = state.services.readiness().await;
    let body = serde_json::json!({
        "ready": r.ready(),
        "database": r.database.clone().unwrap_or_else(|| "ok".into()),
        "files": r.files.clone().unwrap_or_else(|| "ok".into()),
    });
    let status = if r.ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    let figures = match state.services.figures().await {
        Ok(f) => f,
        Err(e) => {
            return (StatusCode::SERVICE_UNAVAILABLE, format!("# {e}\n")).into_response();
        }
    };
    let mut registry = Registry::with_prefix("saraban");
    let letters = Gauge::<i64>::default();
    letters.set(figures.letters_registered);
    registry.register(
        "letters_registered",
        "Letters registered in all registers and years (numbers issued)",
        letters,
    );
    let taken_in = Gauge::<i64>::default();
    taken_in.set(figures.mails_taken_in);
    registry.register(
        "mails_taken_in",
        "Inbox entries that came by e-mail",
        taken_in,
    );
    let alarms = Gauge::<i64>::default();
    alarms.set(figures.file_alarms);
    registry.register(
        "file_alarms",
        "Files the records name that were missing or damaged when last read (saraban storage verify)",
        alarms,
    );
    let by_status = |pairs: &[(String, i64)]| {
        let family = Family::<StatusLabels, Gauge>::default();
        for (status, n) in pairs {
            family
                .get_or_create(&StatusLabels {
                    status: status.clone(),
                })
                .set(*n);
        }
        family
    };
    registry.register(
        "quarantine_mails",
        "Mail in quarantine, by status (open, released, dismissed)",
        by_status(&figures.quarantined),
    );
    registry.register(
        "outbox_emails",
        "Outgoing e-mails, by status (queued, sent, delayed, failed)",
        by_status(&figures.outbox),
    );
    // With the checks on, mail not checked yet is their queue ("waiting").
    let mut senders = figures.sender_checks.clone();
    if state.services.sender_auth.is_some() {
        senders.push(("waiting".into(), figures.senders_unchecked));
    }
    registry.register(
        "sender_checks",
        "Mail taken in by its sender's verdict (verified, unverified, spoofed, pending); waiting: not checked yet",
        by_status(&senders),
    );
    registry.register(
        "file_texts",
        "Files whose words are read (text and OCR), by state: the queue's depth is queued",
        by_status(&figures.file_texts),
    );
    let last_success = Family::<FolderLabels, Gauge<f64, AtomicU64>>::default();
    let failures = Family::<FolderLabels, Gauge>::default();
    for f in &figures.folders {
        let labels = FolderLabels {
            mailbox: f.mailbox_id.to_string(),
            office: f.office_id.clone(),
            folder: f.folder.clone(),
        };
        if let Some(at) = f.last_success {
            last_success
                .get_or_create(&labels)
                .set(at.timestamp_millis() as f64 / 1000.0);
        }
        failures.get_or_create(&labels).set(f.consecutive_failures);
    }
    registry.register(
        "mailbox_last_success_timestamp_seconds",
        "When each mailbox folder was last read without error (Unix time)",
        last_success,
    );
    registry.register(
        "mailbox_consecutive_failures",
        "Failed passes in a row of each mailbox folder",
        failures,
    );
    registry.register(
        "http_request_duration_seconds",
        "Time to answer a request in this process, by method, route and status class",
        LATENCY.clone(),
    );
    let mut text = String::new();
    if let Err(e) = encode(&mut text, &registry) {
        return (StatusCode::INTERNAL_SERVER_ERROR, format!("# {e}\n")).into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
