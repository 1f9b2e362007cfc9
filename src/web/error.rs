//! The one mapping from failures to HTTP answers. Every error becomes JSON
//! `{error: {code, message}}` with the right status; on page routes [`html_errors`] then shows the
//! same message as a Thai page (or sends the browser to the login page on 401).

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::json;

use crate::domain::letter::FieldErrors;
use crate::service::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("กรุณาเข้าสู่ระบบ")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("ไม่พบรายการที่ต้องการ")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{}", crate::domain::duplicate::message(.0))]
    PossibleDuplicate(Vec<crate::domain::duplicate::Duplicate>),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("ข้อมูลไม่ถูกต้อง: {}", .0.summary())]
    Invalid(FieldErrors),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0}")]
    Gone(String),
    #[error("นำเข้าไม่ได้ มีแถวที่ไม่ถูกต้อง {} แถว ระบบจึงไม่นำเข้าแถวใดเลย\n{}", .0.len(), crate::domain::import::report(.0))]
    ImportRefused(Vec<crate::domain::import::RowProblem>),
    #[error("ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง หากยังไม่ได้ให้แจ้งผู้ดูแลระบบ")]
    Internal(String),
    /// A request the framework could not read before any handler ran (a query or body that does
    /// not parse, a method the address does not have). `detail` is the framework's own words.
    #[error("{}", rejection_message(*.status))]
    Rejected { status: StatusCode, detail: String },
}

/// What a clerk or a script reads for a request refused before it reached us.
fn rejection_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "คำขอไม่ถูกต้อง: อ่านค่าที่ส่งมาไม่ได้ (เช่น ตัวเลขผิดรูปแบบ ส่งชื่อช่องซ้ำ หรือข้อมูลไม่ครบ)",
        404 => "ไม่พบรายการที่ต้องการ",
        405 => "ที่อยู่นี้ไม่รองรับวิธีเรียก (HTTP method) นี้",
        413 => "ข้อมูลที่ส่งมาใหญ่เกินกำหนด",
        415 => "ชนิดข้อมูลที่ส่งมาไม่ถูกต้อง (Content-Type)",
        _ => "คำขอนี้ทำไม่ได้",
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Conflict(_) | WebError::PossibleDuplicate(_) => StatusCode::CONFLICT,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::Invalid(_) | WebError::ImportRefused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Gone(_) => StatusCode::GONE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            WebError::Rejected { status, .. } => *status,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            WebError::Unauthorized => "unauthorized",
            WebError::Forbidden(_) => "forbidden",
            WebError::NotFound => "not_found",
            WebError::BadRequest(_) => "bad_request",
            WebError::Conflict(_) => "conflict",
            WebError::PossibleDuplicate(_) => "possible_duplicate",
            WebError::TooLarge(_) => "payload_too_large",
            WebError::Unsupported(_) => "unsupported_media_type",
            WebError::Invalid(_) => "validation_failed",
            WebError::ImportRefused(_) => "import_refused",
            WebError::TooManyRequests(_) => "too_many_requests",
            WebError::Gone(_) => "gone",
            WebError::Internal(_) => "internal",
            WebError::Rejected { status, .. } => match status.as_u16() {
                404 => "not_found",
                405 => "method_not_allowed",
                413 => "payload_too_large",
                415 => "unsupported_media_type",
                s if s >= 500 => "internal",
                _ => "bad_request",
            },
        }
    }
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Forbidden(m) => WebError::Forbidden(m),
            ServiceError::NotFound => WebError::NotFound,
            ServiceError::Invalid(f) => WebError::Invalid(f),
            ServiceError::Conflict(m) => WebError::Conflict(m),
            ServiceError::PossibleDuplicate(found) => WebError::PossibleDuplicate(found),
            ServiceError::TooLarge(m) => WebError::TooLarge(m),
            ServiceError::Unsupported(m) => WebError::Unsupported(m),
            ServiceError::ImportRefused(rows) => WebError::ImportRefused(rows),
            ServiceError::Gone(m) => WebError::Gone(m),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<crate::store::StoreError> for WebError {
    fn from(e: crate::store::StoreError) -> Self {
        ServiceError::from(e).into()
    }
}

/// Carried in the response so the page layer can show the message as HTML.
#[derive(Clone, Debug)]
pub struct ErrorShown {
    pub status: StatusCode,
    pub message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let WebError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        let mut body = json!({"error": {"code": self.code(), "message": self.to_string()}});
        if let WebError::Invalid(fields) = &self {
            body["error"]["fields"] = json!(fields.0);
        }
        if let WebError::ImportRefused(rows) = &self {
            body["error"]["rows"] = json!(rows);
        }
        if let WebError::PossibleDuplicate(found) = &self {
            body["error"]["duplicates"] = json!(found);
        }
        if let WebError::Rejected { detail, .. } = &self
            && !detail.is_empty()
        {
            body["error"]["detail"] = json!(detail);
        }
        let mut response = (status, Json(body)).into_response();
        response.extensions_mut().insert(ErrorShown {
            status,
            message: self.to_string(),
        });
        response
    }
}

/// An error answer the framework made itself (plain text or empty: a query that does not parse,
/// duplicate keys, a wrong Content-Type, 405) becomes ours: Thai, in the API's JSON shape.
/// Our own answers (JSON, or a page such as a form shown again with 422) pass unchanged.
pub async fn api_rejections(response: Response) -> Response {
    let status = response.status();
    let ours = response.extensions().get::<ErrorShown>().is_some();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let framework = content_type.is_empty() || content_type.starts_with("text/plain");
    if status.as_u16() < 400 || ours || !framework {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let body = response.into_body();
    let detail = match axum::body::to_bytes(body, 4096).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_string(),
        Err(_) => String::new(),
    };
    let mut answer = WebError::Rejected { status, detail }.into_response();
    if let Some(allow) = allow {
        answer.headers_mut().insert(header::ALLOW, allow);
    }
    answer
}

/// On page routes: a JSON error becomes a Thai error page; 401 sends the browser to log in.
pub async fn html_errors(uri: axum::http::Uri, response: Response) -> Response {
    let response = api_rejections(response).await;
    let Some(shown) = response.extensions().get::<ErrorShown>().cloned() else {
        return response;
    };
    if shown.status == StatusCode::UNAUTHORIZED {
        let next = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let target = format!(
            "/login?next={}",
            percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC)
        );
        return Redirect::to(&target).into_response();
    }
    let page = ErrorPage {
        status: shown.status.as_u16(),
        message: shown.message,
    };
    match askama::Template::render(&page) {
        Ok(html) => (
            shown.status,
            [(header::CACHE_CONTROL, "no-store")],
            Html(html),
        )
            .into_response(),
        Err(_) => (shown.status, "ระบบขัดข้อง").into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub message: String,
}
