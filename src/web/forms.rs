//! Reading forms. [`CsrfForm`] is every urlencoded form a page posts, its CSRF token checked
//! before the handler runs; [`FormPairs`] keeps repeated names (ticked boxes). Letter forms with
//! files are multipart (web form and API alike), read as a stream so an oversized file is refused
//! as soon as it passes the limit, not after it is in memory.

use std::collections::HashMap;

use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::StatusCode;
use bytes::BytesMut;

use serde::de::DeserializeOwned;

use super::AppState;
use super::auth::Viewer;
use super::error::WebError;
use super::layout::Nav;
use crate::domain::attachment::AttachmentPolicy;
use crate::domain::letter::{FieldErrors, LetterInput};
use crate::service::UploadedFile;

/// A form posted by one of our pages: who posted it (a [`Viewer`], or a
/// [`super::layout::Nav`] when the handler may show a page again), and its fields other than
/// `csrf`, once the token is checked against the session (a bearer-token caller needs none). A
/// form that cannot be read is a 400 with a Thai message.
pub struct CsrfForm<T = NoFields, V = Viewer>(pub V, pub T);

/// The fields of a form that is only a button (logout, retry, test).
#[derive(serde::Deserialize, Default)]
pub struct NoFields {}

#[derive(serde::Deserialize)]
struct WithCsrf<T> {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    rest: T,
}

impl<T, V> FromRequest<AppState> for CsrfForm<T, V>
where
    T: DeserializeOwned + Send,
    V: FromRequestParts<AppState, Rejection = WebError> + AsRef<Viewer> + Send,
{
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let viewer = V::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let axum::Form(WithCsrf { csrf, rest }) =
            axum::Form::<WithCsrf<T>>::from_request(req, state)
                .await
                .map_err(|e| unreadable_form(e.status(), e.body_text()))?;
        viewer.as_ref().check_csrf(Some(&csrf))?;
        Ok(CsrfForm(viewer, rest))
    }
}

/// The new-letter form with its files (multipart): read as a stream under the attachment policy,
/// then its CSRF token checked against the session before the handler runs. The token travels
/// among the fields, so it can only be checked once they are read. Too many files is a form
/// error (`Err`) the handler shows again; nothing is written before the check.
pub struct CsrfUpload(pub Nav, pub Result<LetterUpload, FieldErrors>);

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let nav = Nav::from_request_parts(&mut parts, state).await?;
        let multipart = Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| unreadable_form(e.status(), e.body_text()))?;
        match read_letter_upload(multipart, &state.services.attachments).await {
            Ok(upload) => {
                nav.check_csrf(upload.fields.get("csrf").map(String::as_str))?;
                Ok(CsrfUpload(nav, Ok(upload)))
            }
            Err(WebError::Invalid(errors)) => Ok(CsrfUpload(nav, Err(errors))),
            Err(e) => Err(e),
        }
    }
}

/// A form's fields in the order sent, repeated names kept (`office=a&office=b`), for forms whose
/// ticked boxes share a name.
#[derive(Debug, Default)]
pub struct FormPairs(pub Vec<(String, String)>);

impl FormPairs {
    /// The first value of `name`, or "".
    pub fn one(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every non-empty value of `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for FormPairs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> serde::de::Visitor<'de> for Pairs {
            type Value = FormPairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("form fields")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<FormPairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, String>()? {
                    pairs.push(pair);
                }
                Ok(FormPairs(pairs))
            }
        }
        d.deserialize_map(Pairs)
    }
}

const MAX_TEXT_FIELD: usize = 64 * 1024;

/// A multipart letter form: its text fields and its files, each with the description sent in
/// the same position (the n-th `description` belongs to the n-th `file`).
#[derive(Debug, Default)]
pub struct LetterUpload {
    pub fields: HashMap<String, String>,
    pub files: Vec<UploadedFile>,
    /// Tokens of files held from an earlier try of the form (`held`, repeated).
    pub held: Vec<String>,
}

impl LetterUpload {
    pub fn field(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    pub fn letter_input(&self) -> LetterInput {
        LetterInput {
            doc_no: self.field("doc_no"),
            doc_date: self.field("doc_date"),
            from: self.field("from"),
            to: self.field("to"),
            subject: self.field("subject"),
            action: self.field("action"),
            remark: self.field("remark"),
            speed: self.field("speed"),
            secrecy: self.field("secrecy"),
            letter_type: self.field("letter_type"),
            allow_duplicate: crate::domain::letter::is_yes(&self.field("allow_duplicate")),
            doc_date_pick: self.field("doc_date_pick"),
        }
    }
}

/// A body that could not be read as a form: too large, or malformed.
fn unreadable_form(status: StatusCode, why: String) -> WebError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::TooLarge("ข้อมูลที่ส่งมาใหญ่เกินกำหนด".into())
    } else {
        WebError::Rejected {
            status: StatusCode::BAD_REQUEST,
            detail: format!("อ่านแบบฟอร์มไม่ได้: {why}"),
        }
    }
}

fn multipart_error(e: MultipartError) -> WebError {
    unreadable_form(e.status(), e.body_text())
}

pub async fn read_letter_upload(
    mut multipart: Multipart,
    policy: &AttachmentPolicy,
) -> Result<LetterUpload, WebError> {
    let mut upload = LetterUpload::default();
    let mut slots: Vec<(String, bytes::Bytes)> = Vec::new();
    let mut descriptions: Vec<String> = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let mut data = BytesMut::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                if (data.len() + chunk.len()) as u64 > policy.max_bytes {
                    return Err(WebError::TooLarge(format!(
                        "ไฟล์ {file_name}: ใหญ่เกิน {} MB",
                        policy.limit_mb()
                    )));
                }
                data.extend_from_slice(&chunk);
            }
            let non_empty = slots
                .iter()
                .filter(|(n, d)| !n.is_empty() || !d.is_empty())
                .count();
            if (!file_name.is_empty() || !data.is_empty()) && non_empty >= policy.max_files {
                return Err(WebError::Invalid({
                    let mut e = crate::domain::letter::FieldErrors::default();
                    e.add(
                        "files",
                        format!("แนบไฟล์ได้ไม่เกิน {} ไฟล์ต่อหนังสือ", policy.max_files),
                    );
                    e
                }));
            }
            slots.push((file_name, data.freeze()));
        } else {
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                if text.len() + chunk.len() > MAX_TEXT_FIELD {
                    return Err(WebError::TooLarge(format!("ช่อง {name} ยาวเกินกำหนด")));
                }
                text.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(text)
                .map_err(|_| WebError::BadRequest(format!("ช่อง {name} ไม่ใช่ข้อความ UTF-8")))?;
            if name == "description" {
                descriptions.push(text);
            } else if name == "held" {
                upload.held.push(text);
            } else {
                upload.fields.insert(name, text);
            }
        }
    }
    for (i, (name, data)) in slots.into_iter().enumerate() {
        if name.is_empty() && data.is_empty() {
            continue; // a file box the clerk left empty
        }
        upload.files.push(UploadedFile {
            name,
            description: descriptions.get(i).cloned().unwrap_or_default(),
            data,
        });
    }
    Ok(upload)
}
