//! The JSON API under `/api/v1`: every action of the pages, for scripts and other systems.
//! Authenticate with `Authorization: Bearer <token>` (see `saraban token create`), or with the
//! browser session plus an `X-CSRF-Token` header on changes.

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::routing::{get, post, put};
use serde::de::DeserializeOwned;

use super::AppState;
use super::auth::Viewer;
use super::error::WebError;

pub mod account;
pub mod closing;
pub mod disposals;
pub mod exports;
pub mod filing;
pub mod handovers;
pub mod inbox;
pub mod journey;
pub mod letters;
pub mod mailboxes;
pub mod openapi;
pub mod records;
pub mod settings;
pub mod setup;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/me", get(settings::me))
        .route("/me/password", post(account::change_password))
        .route("/tokens", get(account::tokens))
        .route("/tokens/{id}", axum::routing::delete(account::revoke_token))
        .route(
            "/me/notifications",
            axum::routing::put(journey::set_notifications),
        )
        .route("/dashboard", get(letters::dashboard))
        .route("/letters", get(letters::list).post(letters::create))
        .route("/letters/{id}", get(letters::show).patch(letters::update))
        .route("/letters/{id}/cancel", post(letters::cancel))
        .route("/letters/{id}/history", get(letters::history))
        .route("/letters/{id}/send", post(letters::send))
        .route("/letters/{id}/deliveries", get(letters::deliveries))
        .route("/deliveries/{id}/retry", post(letters::retry_delivery))
        .route(
            "/school-groups",
            get(letters::school_groups).post(setup::add_school_group),
        )
        .route(
            "/school-groups/{id}",
            axum::routing::delete(setup::remove_school_group),
        )
        .route("/letters/{id}/attachments", post(letters::add_attachment))
        .route("/letters/{id}/attachments/{n}", get(letters::attachment))
        .route(
            "/letters/{id}/attachments/{n}/stamped",
            get(letters::stamped_attachment),
        )
        .route("/letters/{id}/forward", post(journey::forward))
        .route("/letters/{id}/propose", post(journey::propose))
        .route("/letters/{id}/endorse", post(journey::endorse))
        .route("/letters/{id}/acknowledge", post(journey::acknowledge))
        .route("/letters/{id}/done", post(journey::done))
        .route("/follow-up", get(journey::follow_up))
        .route("/registers/{file}", get(exports::register_file))
        .route(
            "/registers/{register}/closing",
            get(closing::show).post(closing::close),
        )
        .route("/registers/{register}/closing.pdf", get(closing::pdf))
        .route("/registers/{register}/import", post(records::import))
        .route("/letters/{id}/retention", put(records::set_retention))
        .route(
            "/letters/{id}/holds",
            get(records::holds).post(records::place_hold),
        )
        .route("/holds/{id}/lift", post(records::lift_hold))
        .route(
            "/file-codes",
            get(filing::file_codes).post(filing::put_file_code),
        )
        .route(
            "/letters/{id}/filing",
            get(filing::filing).post(filing::file_letter),
        )
        .route("/filing/{form}", get(filing::filing_form))
        .route(
            "/letters/{id}/loans",
            get(filing::letter_loans).post(filing::lend),
        )
        .route("/loans", get(filing::loans))
        .route("/loans/{id}/return", post(filing::return_loan))
        .route("/loans/{id}/card.pdf", get(filing::card))
        .route("/loan-register.pdf", get(filing::loan_register_pdf))
        .route("/disposals", get(disposals::list).post(disposals::survey))
        .route("/disposals/{id}", get(disposals::show))
        .route("/handovers", get(handovers::list).post(handovers::make))
        .route("/handovers/due", get(handovers::due))
        .route("/handovers/{id}", get(handovers::show))
        .route("/handovers/{id}/package.zip", get(handovers::package))
        .route("/handovers/{id}/{form}", get(handovers::form))
        .route("/disposals/{id}/committee", put(disposals::committee))
        .route("/disposals/{id}/review", post(disposals::review))
        .route("/disposals/{id}/confirm", post(disposals::confirm))
        .route("/disposals/{id}/submit", post(disposals::submit))
        .route("/disposals/{id}/approve", post(disposals::approve))
        .route("/disposals/{id}/sent", post(disposals::sent))
        .route(
            "/disposals/{id}/archives-answer",
            post(disposals::archives_answer),
        )
        .route("/disposals/{id}/destroy", post(disposals::destroy))
        .route("/disposals/{id}/list.pdf", get(disposals::list_pdf))
        .route("/disposals/{id}/memo.pdf", get(disposals::memo_pdf))
        .route("/loan-register.xlsx", get(filing::loan_register_xlsx))
        .route("/letters/{id}/return", post(journey::return_letter))
        .route("/letters/{id}/journey", get(journey::journey))
        .route(
            "/work-groups",
            get(journey::work_groups).post(setup::add_work_group),
        )
        .route(
            "/work-groups/{id}",
            axum::routing::patch(setup::rename_work_group),
        )
        .route("/work-groups/{id}/members", put(setup::set_members))
        .route("/settings", get(settings::show).patch(settings::update))
        .route("/settings/years", post(settings::add_year))
        .route(
            "/settings/retention",
            get(records::retention_settings).put(records::set_retention_settings),
        )
        .route("/settings/active-year", put(settings::active_year))
        .route(
            "/settings/counters/{year_be}/{series}",
            put(settings::set_counter),
        )
        .route("/users", get(settings::users).post(settings::add_user))
        .route("/users/{id}", axum::routing::patch(settings::update_user))
        .route("/inbox", get(inbox::list))
        .route("/inbox/{id}", get(inbox::show))
        .route("/inbox/{id}/register", post(inbox::register))
        .route("/inbox/{id}/dismiss", post(inbox::dismiss))
        .route("/inbox/{id}/restore", post(inbox::restore))
        // The .eml downloads are the same for pages and API (errors stay JSON here).
        .route("/inbox/{id}/raw", get(crate::web::pages::inbox::raw))
        .route("/inbox/{id}/attachments/{n}", get(inbox::attachment))
        .route("/quarantine", get(inbox::quarantine))
        .route("/quarantine/{id}", get(inbox::quarantine_show))
        .route(
            "/quarantine/{id}/raw",
            get(crate::web::pages::inbox::quarantine_raw),
        )
        .route("/quarantine/{id}/retry", post(inbox::quarantine_retry))
        .route("/quarantine/{id}/dismiss", post(inbox::quarantine_dismiss))
        .route("/notices", get(inbox::notices))
        .route("/mailboxes", get(mailboxes::list).post(mailboxes::add))
        .route("/mailboxes/{id}", axum::routing::delete(mailboxes::remove))
        .route("/mailboxes/{id}/test", post(mailboxes::test))
        .fallback(|| async { WebError::NotFound })
}

/// A caller allowed to change things: a token holder, or a session that sent its CSRF token.
pub struct Writer(pub Viewer);

impl FromRequestParts<AppState> for Writer {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        let sent = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok());
        viewer.check_csrf(sent)?;
        Ok(Writer(viewer))
    }
}

/// A JSON body whose faults are answered in the API's own error format.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(WebError::Unsupported(
                "ต้องส่งข้อมูลเป็น application/json".into(),
            )),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(WebError::TooLarge("ข้อมูลที่ส่งมาใหญ่เกินกำหนด".into()))
            }
            Err(e) => Err(WebError::BadRequest(format!(
                "JSON ไม่ถูกต้อง: {}",
                e.body_text()
            ))),
        }
    }
}
