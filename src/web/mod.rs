//! Web adapter: server-rendered Thai pages (askama + htmx) and the JSON API under `/api/v1`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rust_embed::RustEmbed;

use crate::config::Config;
use crate::service::Services;

pub mod api;
pub mod auth;
pub mod error;
pub mod forms;
pub mod layout;
pub mod ops;
pub mod pages;
pub mod views;

use auth::LoginThrottle;
use error::WebError;

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub config: Arc<Config>,
    pub throttle: Arc<LoginThrottle>,
    pub proxies: Arc<crate::security::client_ip::TrustedProxies>,
}

impl AppState {
    pub fn new(services: Services, config: Config) -> AppState {
        let throttle = LoginThrottle::new(
            config.security.max_failed_logins,
            Duration::from_secs(config.security.lockout_minutes.max(1) as u64 * 60),
        );
        // Checked when the configuration was loaded; a bad list trusts nobody.
        let proxies =
            crate::security::client_ip::TrustedProxies::parse(&config.security.trusted_proxies)
                .unwrap_or_default();
        AppState {
            services,
            config: Arc::new(config),
            throttle: Arc::new(throttle),
            proxies: Arc::new(proxies),
        }
    }

    /// The largest request body accepted: every attachment at its limit plus the form fields.
    pub fn max_body_bytes(&self) -> usize {
        let files = self.config.letters.max_attachments as u64
            * self.config.letters.max_attachment_mb
            * 1024
            * 1024;
        (files + 2 * 1024 * 1024) as usize
    }
}

/// Every route of the product; `serve` and the tests both use this.
pub fn router(state: AppState) -> Router {
    let max_body = state.max_body_bytes();
    let pages = Router::new()
        .route("/", get(pages::dashboard::show))
        .route("/login", get(pages::login::form).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route(
            "/registers/{register}",
            get(pages::registers::list).post(pages::registers::create),
        )
        .route("/registers/{register}/new", get(pages::registers::new_form))
        .route("/registers/{register}/print", get(pages::registers::print))
        .route("/registers/{register}/close", post(pages::registers::close))
        .route("/letters/{id}", get(pages::letters::show))
        .route(
            "/letters/{id}/edit",
            get(pages::letters::edit_form).post(pages::letters::edit),
        )
        .route("/letters/{id}/cancel", post(pages::letters::cancel))
        .route(
            "/letters/{id}/retention",
            post(pages::records::set_retention),
        )
        .route("/letters/{id}/holds", post(pages::records::place_hold))
        .route("/holds/{id}/lift", post(pages::records::lift_hold))
        .route("/records", get(pages::records::show))
        .route(
            "/disposals",
            get(pages::disposals::list).post(pages::disposals::survey),
        )
        .route("/disposals/{id}", get(pages::disposals::show))
        .route(
            "/handovers",
            get(pages::disposals::handovers).post(pages::disposals::make_handover),
        )
        .route("/disposals/{id}/step", post(pages::disposals::step))
        .route("/records/codes", post(pages::records::add_code))
        .route("/letters/{id}/filing", post(pages::records::file_letter))
        .route("/letters/{id}/loans", post(pages::records::lend))
        .route("/loans", get(pages::records::loans))
        .route("/loans/{id}/return", post(pages::records::return_loan))
        .route("/letters/{id}/attachments", post(pages::letters::add_file))
        .route("/letters/{id}/send", post(pages::letters::send))
        .route("/letters/{id}/forward", post(pages::journey::forward))
        .route("/letters/{id}/propose", post(pages::journey::propose))
        .route("/letters/{id}/endorse", post(pages::journey::endorse))
        .route(
            "/letters/{id}/acknowledge",
            post(pages::journey::acknowledge),
        )
        .route("/letters/{id}/done", post(pages::journey::done))
        .route("/follow-up", get(pages::journey::follow_up))
        .route("/letters/{id}/return", post(pages::journey::return_letter))
        .route("/my", get(pages::journey::my_box))
        .route("/my/notifications", post(pages::journey::set_notifications))
        .route(
            "/letters/{id}/deliveries/{delivery}/retry",
            post(pages::letters::retry_delivery),
        )
        .route("/letters/{id}/files/{n}", get(pages::letters::file))
        .route(
            "/letters/{id}/files/{n}/stamped",
            get(pages::letters::stamped_file),
        )
        .route("/inbox", get(pages::inbox::list))
        .route("/nav/inbox", get(pages::inbox::nav_entry))
        .route("/inbox/{id}", get(pages::inbox::show))
        .route("/inbox/{id}/register", post(pages::inbox::register))
        .route("/inbox/{id}/sender", post(pages::inbox::confirm_sender))
        .route("/inbox/{id}/dismiss", post(pages::inbox::dismiss))
        .route("/inbox/{id}/restore", post(pages::inbox::restore))
        .route("/inbox/{id}/original", get(pages::inbox::original))
        .route(
            "/inbox/{id}/original.html",
            get(pages::inbox::original_html),
        )
        .route("/inbox/{id}/raw", get(pages::inbox::raw))
        .route("/inbox/{id}/files/{n}", get(pages::inbox::file))
        .route("/quarantine", get(pages::inbox::quarantine))
        .route(
            "/quarantine/{id}/retry",
            post(pages::inbox::quarantine_retry),
        )
        .route(
            "/quarantine/{id}/dismiss",
            post(pages::inbox::quarantine_dismiss),
        )
        .route("/quarantine/{id}/raw", get(pages::inbox::quarantine_raw))
        .route(
            "/settings/mailboxes",
            get(pages::mailboxes::list).post(pages::mailboxes::add),
        )
        .route("/settings/smtp", post(pages::mailboxes::smtp))
        .route("/settings/dns", get(pages::dns_records::show))
        .route("/settings/dns/check", post(pages::dns_records::check))
        .route("/settings/dns/key", post(pages::dns_records::generate))
        .route("/settings/smtp/test", post(pages::mailboxes::smtp_test))
        .route(
            "/settings/mailboxes/{id}/test",
            post(pages::mailboxes::test),
        )
        .route(
            "/settings/mailboxes/{id}/remove",
            post(pages::mailboxes::remove),
        )
        .route("/settings", get(pages::settings::show))
        .route("/settings/file-texts", get(pages::file_words::show))
        .route("/settings/file-texts/retry", post(pages::file_words::retry))
        .route("/settings/office", post(pages::settings::office))
        .route("/settings/stamp", post(pages::settings::stamp))
        .route("/settings/retention", post(pages::settings::retention))
        .route("/settings/years", post(pages::settings::add_year))
        .route("/settings/years/active", post(pages::settings::active_year))
        .route("/settings/counters", post(pages::settings::counter))
        .route(
            "/settings/users",
            get(pages::settings::users).post(pages::settings::add_user),
        )
        .route(
            "/settings/users/{id}/active",
            post(pages::settings::user_active),
        )
        .route("/settings/users/{id}", post(pages::setup::edit_user))
        .route(
            "/settings/users/{id}/password",
            post(pages::setup::reset_password),
        )
        .route(
            "/settings/groups",
            get(pages::setup::groups).post(pages::setup::add_group),
        )
        .route("/settings/groups/{id}", post(pages::setup::save_group))
        .route(
            "/settings/school-groups",
            post(pages::setup::add_school_group),
        )
        .route(
            "/settings/school-groups/{id}/delete",
            post(pages::setup::remove_school_group),
        )
        .route(
            "/account/password",
            get(pages::setup::password_form).post(pages::setup::change_password),
        )
        .fallback(|| async { WebError::NotFound })
        .layer(middleware::map_response(error::html_errors));

    Router::new()
        .merge(pages)
        .nest(
            "/api/v1",
            api::router().layer(middleware::map_response(error::api_rejections)),
        )
        .merge(ops_routes())
        .route("/static/{*path}", get(static_file))
        .route_layer(middleware::from_fn(ops::time_requests))
        .layer(middleware::from_fn_with_state(max_body, refuse_oversized))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// `/healthz`, `/readyz` and `/metrics` (see [`ops`]).
fn ops_routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
}

/// What a `serve --role worker` process answers: only the operator's routes.
pub fn ops_router(state: AppState) -> Router {
    ops_routes()
        .route_layer(middleware::from_fn(ops::time_requests))
        .with_state(state)
}

/// Refuses a body announced larger than the limit before reading a byte of it. Bodies sent
/// without a length are cut off by `DefaultBodyLimit` while they stream.
async fn refuse_oversized(State(max): State<usize>, request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > max as u64) {
        return WebError::TooLarge(format!(
            "ข้อมูลที่ส่งมาใหญ่เกินกำหนด (ไม่เกิน {} MB ต่อครั้ง)",
            max / 1024 / 1024
        ))
        .into_response();
    }
    next.run(request).await
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // Pages and JSON hold letters and names: no browser or proxy keeps a copy. Static files set
    // their own caching.
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'self'; form-action 'self'",
    ));
    response
}

#[derive(RustEmbed)]
#[folder = "static/"]
struct StaticFiles;

async fn static_file(Path(path): Path<String>) -> Response {
    let Some(file) = StaticFiles::get(&path) else {
        return WebError::NotFound.into_response();
    };
    let mime = match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("woff2") => "font/woff2",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        file.data.into_owned(),
    )
        .into_response()
}

/// Path parameters; a malformed one (`/letters/abc`) is simply "not found".
pub struct Params<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for Params<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| Params(v))
            .map_err(|_| WebError::NotFound)
    }
}
