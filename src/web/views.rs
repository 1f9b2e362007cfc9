//! What the pages show: askama templates and the view models they read. Formatting for people
//! (Buddhist-era dates, Thai labels) happens here, never in the templates' logic.

use askama::Template;
use askama_web::WebTemplate;

use crate::domain::letter::{FieldErrors, LetterInput, LetterType, Secrecy, Speed};
use crate::domain::register::Series;
use crate::domain::thai_date;
use crate::domain::user::Role;
use crate::service::{NewUserInput, OfficeSettingsInput};
use crate::store::letters::{Letter, LetterEvent, SearchField};
use crate::store::users::User;

pub use super::layout::{Layout, Nav};

/// `(value, label, selected)` for a `<select>`.
pub type Choice = (String, String, bool);

fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    current: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| {
            let c = code(*v);
            (
                c.to_string(),
                label(*v).to_string(),
                c == current || label(*v) == current,
            )
        })
        .collect()
}

/// One register line as the manual's table shows it.
pub struct LetterRow {
    pub id: i64,
    pub register: &'static str,
    pub number: i64,
    pub year_be: i32,
    pub doc_no: String,
    pub doc_date: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub action: String,
    pub remark: String,
    pub registered_at: String,
    pub registered_by: String,
    pub speed: &'static str,
    pub urgent: bool,
    pub secrecy: &'static str,
    pub secret: bool,
    pub cancelled: bool,
    pub cancel_reason: String,
    pub cancelled_by: String,
    pub cancelled_at: String,
    pub attachment_count: i64,
    pub letter_type: &'static str,
    pub received_at: String,
    pub inbox_entry_id: i64,
}

impl From<&Letter> for LetterRow {
    fn from(l: &Letter) -> Self {
        LetterRow {
            id: l.id,
            register: l.register.code(),
            number: l.number,
            year_be: l.year_be,
            doc_no: l.doc_no.clone(),
            doc_date: thai_date::format_short(l.doc_date),
            from: l.sender.clone(),
            to: l.recipient.clone(),
            subject: l.subject.clone(),
            action: l.action.clone(),
            remark: l.remark.clone(),
            registered_at: thai_date::format_datetime(l.registered_at),
            registered_by: l.registered_by_name.clone(),
            speed: l.speed.label(),
            urgent: l.speed.is_urgent(),
            secrecy: l.secrecy.label(),
            secret: l.secrecy.is_secret(),
            cancelled: l.is_cancelled(),
            cancel_reason: l.cancel_reason.clone().unwrap_or_default(),
            cancelled_by: l.cancelled_by_name.clone().unwrap_or_default(),
            cancelled_at: l
                .cancelled_at
                .map(thai_date::format_datetime)
                .unwrap_or_default(),
            attachment_count: l.attachment_count,
            letter_type: l.letter_type.label(),
            received_at: l
                .received_at
                .map(thai_date::format_datetime)
                .unwrap_or_default(),
            inbox_entry_id: l.inbox_entry_id.unwrap_or(0),
        }
    }
}

pub struct AttachmentRow {
    pub position: i64,
    pub name: String,
    pub description: String,
    pub size: String,
    pub inline: bool,
    pub sha256: String,
}

pub fn human_size(bytes: i64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    } else if b >= 1024.0 {
        format!("{:.0} KB", b / 1024.0)
    } else {
        format!("{bytes} ไบต์")
    }
}

pub struct EventRow {
    pub at: String,
    pub who: String,
    pub what: String,
}

impl From<&LetterEvent> for EventRow {
    fn from(e: &LetterEvent) -> Self {
        EventRow {
            at: thai_date::format_datetime(e.at),
            who: e.actor_name.clone().unwrap_or_else(|| "ระบบ".into()),
            what: e.event.describe(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub username: String,
    pub next: String,
    pub error: Option<String>,
}

pub struct CountRow {
    pub register: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub cancelled: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub layout: Layout,
    pub waiting: i64,
    pub quarantined: i64,
    pub year_be: i32,
    pub counts: Vec<CountRow>,
    pub recent: Vec<LetterRow>,
    pub can_register: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "register_list.html")]
pub struct RegisterListPage {
    pub layout: Layout,
    pub register: &'static str,
    pub register_label: &'static str,
    pub number_label: &'static str,
    pub inbound: bool,
    pub year_be: i32,
    pub years: Vec<i32>,
    pub q: String,
    pub fields: Vec<Choice>,
    pub rows: Vec<LetterRow>,
    pub total: i64,
    pub page: i64,
    pub pages: Vec<i64>,
    pub last_page: i64,
    pub can_register: bool,
    /// The query string without `page`, for the pager's links.
    pub query_base: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "register_print.html")]
pub struct RegisterPrintPage {
    pub office_name: String,
    pub register_label: &'static str,
    pub number_label: &'static str,
    pub inbound: bool,
    pub year_be: i32,
    pub rows: Vec<LetterRow>,
    pub printed_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "letter_form.html")]
pub struct LetterFormPage {
    pub layout: Layout,
    pub register: &'static str,
    pub register_label: &'static str,
    pub inbound: bool,
    pub editing: Option<i64>,
    pub heading: String,
    pub next_doc_no: String,
    pub input: LetterInput,
    pub errors: FieldErrors,
    pub speeds: Vec<Choice>,
    pub secrecies: Vec<Choice>,
    pub letter_types: Vec<Choice>,
    pub file_slots: Vec<usize>,
    pub file_limit: String,
}

impl LetterFormPage {
    pub fn error(&self, field: &str) -> String {
        self.errors.get(field).unwrap_or("").to_string()
    }

    pub fn choices_for(input: &LetterInput) -> (Vec<Choice>, Vec<Choice>, Vec<Choice>) {
        (
            choices(Speed::ALL, Speed::code, Speed::label, &input.speed),
            choices(Secrecy::ALL, Secrecy::code, Secrecy::label, &input.secrecy),
            choices(
                LetterType::ALL,
                LetterType::code,
                LetterType::label,
                &input.letter_type,
            ),
        )
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "letter_detail.html")]
pub struct LetterPage {
    pub layout: Layout,
    pub letter: LetterRow,
    pub register_label: &'static str,
    pub number_label: &'static str,
    pub attachments: Vec<AttachmentRow>,
    pub events: Vec<EventRow>,
    pub can_edit: bool,
    pub edit_refusal: String,
    pub can_cancel: bool,
    pub flash: String,
    pub cancel_error: String,
    pub reason: String,
    pub can_send: bool,
    /// `(office id, name, is the office above)`
    pub send_targets: Vec<(String, String, bool)>,
    pub send_key: String,
    pub send_error: String,
    /// The e-mail addresses typed, kept when the form comes back with an error.
    pub send_emails: String,
    /// A district may send to all its schools, or to a saved group of them.
    pub send_to_schools: bool,
    pub school_groups: Vec<(i64, String)>,
    /// Work groups of the office above (a school sends straight to a district group):
    /// `(group id, name)`.
    pub parent_work_groups: Vec<(String, String)>,
    pub deliveries: Vec<DeliveryRow>,
    pub journey: JourneyView,
}

/// The letter's journey on its page: who had it, the endorsements, and what the viewer may do.
#[derive(Default)]
pub struct JourneyView {
    pub assignments: Vec<AssignmentRow>,
    pub endorsements: Vec<EndorsementRow>,
    /// The viewer may give the letter on (forward, propose).
    pub can_pass_on: bool,
    pub can_endorse: bool,
    /// Something given to the viewer (or their group) waits for their รับทราบ.
    pub can_acknowledge: bool,
    /// The viewer was given this letter and may send it back.
    pub can_return: bool,
    /// `(user name, display name and role)` of the office's people.
    pub people: Vec<(String, String)>,
    /// `(user name, display name)` of the director and deputies.
    pub executives: Vec<(String, String)>,
    /// `(group id, name)`
    pub groups: Vec<(String, String)>,
    /// `(code, Thai word)`
    pub decisions: Vec<(&'static str, &'static str)>,
    pub error: String,
}

pub struct AssignmentRow {
    pub kind: &'static str,
    pub from: String,
    pub to: String,
    pub at: String,
    pub note: String,
    pub due: String,
    pub overdue: bool,
    pub acknowledged: String,
}

impl From<&crate::store::journey::Assignment> for AssignmentRow {
    fn from(a: &crate::store::journey::Assignment) -> Self {
        AssignmentRow {
            kind: a.kind.label(),
            from: a.from_name.clone(),
            to: a.to_name.clone(),
            at: thai_date::format_datetime(a.created_at),
            note: a.note.clone(),
            due: a.due_date.map(thai_date::format_short).unwrap_or_default(),
            overdue: crate::domain::journey::is_overdue(
                a.due_date,
                a.acknowledged_at.is_some(),
                chrono::Utc::now(),
            ),
            acknowledged: match (&a.acknowledged_at, &a.acknowledged_by) {
                (Some(at), Some(by)) => format!("{by} {}", thai_date::format_datetime(*at)),
                (Some(at), None) => thai_date::format_datetime(*at),
                _ => String::new(),
            },
        }
    }
}

pub struct EndorsementRow {
    pub by: String,
    pub decision: &'static str,
    pub text: String,
    pub acting_as: &'static str,
    pub at: String,
}

impl From<&crate::store::journey::Endorsement> for EndorsementRow {
    fn from(e: &crate::store::journey::Endorsement) -> Self {
        EndorsementRow {
            by: e.user_name.clone(),
            decision: e.decision.label(),
            text: e.text.clone(),
            acting_as: e.acting_as.label(),
            at: thai_date::format_datetime(e.created_at),
        }
    }
}

/// หนังสือถึงฉัน: the personal and group boxes.
#[derive(Template, WebTemplate)]
#[template(path = "my_box.html")]
pub struct MyBoxPage {
    pub layout: Layout,
    pub personal: bool,
    pub items: Vec<BoxRow>,
    /// My notification address and mode (each, daily, off).
    pub notify_email: String,
    pub notify_mode: String,
    pub notify_error: String,
    pub flash: String,
}

pub struct BoxRow {
    pub letter_id: i64,
    pub number: String,
    pub doc_no: String,
    pub subject: String,
    pub sender: String,
    pub kind: &'static str,
    pub from: String,
    pub note: String,
    pub at: String,
    pub due: String,
    pub overdue: bool,
    pub acknowledged: bool,
    pub speed_label: &'static str,
    pub urgent: bool,
    pub secrecy_label: &'static str,
    pub secret: bool,
}

impl From<&crate::store::journey::BoxItem> for BoxRow {
    fn from(b: &crate::store::journey::BoxItem) -> Self {
        let a = AssignmentRow::from(&b.assignment);
        let register = crate::domain::register::Register::parse(&b.register);
        BoxRow {
            letter_id: b.assignment.letter_id,
            number: format!(
                "{} {}/{}",
                register.map(|r| r.number_label()).unwrap_or(""),
                b.number,
                b.year_be
            ),
            doc_no: b.doc_no.clone(),
            subject: b.subject.clone(),
            sender: b.sender.clone(),
            kind: a.kind,
            from: a.from,
            note: a.note,
            at: a.at,
            due: a.due,
            overdue: a.overdue,
            acknowledged: b.assignment.acknowledged_at.is_some(),
            speed_label: b.speed.label(),
            urgent: b.speed.is_urgent(),
            secrecy_label: b.secrecy.label(),
            secret: b.secrecy.is_secret(),
        }
    }
}

pub struct DeliveryRow {
    pub id: i64,
    pub to: String,
    pub channel: &'static str,
    pub status: &'static str,
    /// `done`, `wait` or `bad`: the colour of the status tag.
    pub tone: &'static str,
    pub detail: String,
    /// A failed or delayed e-mail can be sent again by the clerk.
    pub can_retry: bool,
}

impl From<&crate::store::deliveries::Delivery> for DeliveryRow {
    fn from(d: &crate::store::deliveries::Delivery) -> Self {
        use crate::domain::exchange::{DeliveryChannel, DeliveryKind};
        let attempts = if d.attempts > 1 {
            format!(" (พยายาม {} ครั้ง)", d.attempts)
        } else {
            String::new()
        };
        DeliveryRow {
            id: d.id,
            to: d
                .recipient_office_name
                .clone()
                .or_else(|| d.recipient_email.clone())
                .unwrap_or_default(),
            channel: match (d.channel, d.kind) {
                (DeliveryChannel::InSystem, _) => DeliveryChannel::InSystem.label(),
                (DeliveryChannel::Email, DeliveryKind::Notice) => "อีเมลแจ้งลงทะเบียนรับ",
                (DeliveryChannel::Email, _) => DeliveryChannel::Email.label(),
            },
            status: d.status.label_for(d.kind),
            tone: if d.status.is_done() {
                "done"
            } else if d.status.is_trouble() {
                "bad"
            } else {
                "wait"
            },
            detail: match (
                d.recipient_number,
                d.recipient_year_be,
                d.recipient_registered_at,
            ) {
                (Some(n), Some(y), Some(at)) => {
                    format!("เลขทะเบียนรับ {n}/{y} เมื่อ {}", thai_date::format_datetime(at))
                }
                _ => match (&d.error, d.next_attempt_at) {
                    (Some(e), Some(next)) if d.status.will_retry() => {
                        format!(
                            "{e}{attempts} · จะลองใหม่ {}",
                            thai_date::format_datetime(next)
                        )
                    }
                    (Some(e), _) => format!("{e}{attempts}"),
                    (None, _) => String::new(),
                },
            },
            can_retry: d.channel == DeliveryChannel::Email && d.status.is_trouble(),
        }
    }
}

pub struct CounterRow {
    pub series: &'static str,
    pub label: &'static str,
    pub start: i64,
    pub next: i64,
    pub issued: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    pub layout: Layout,
    pub auto_register: bool,
    pub office: OfficeSettingsInput,
    pub errors: FieldErrors,
    pub years: Vec<i32>,
    pub active_year: Option<i32>,
    pub selected_year: i32,
    pub counters: Vec<CounterRow>,
    pub flash: String,
}

impl SettingsPage {
    pub fn is_active(&self, year: &i32) -> bool {
        self.active_year == Some(*year)
    }

    pub fn error(&self, field: &str) -> String {
        self.errors.get(field).unwrap_or("").to_string()
    }

    pub fn counter_rows(
        states: &[crate::store::settings::SeriesState],
        circular_separate: bool,
    ) -> Vec<CounterRow> {
        states
            .iter()
            .filter(|s| circular_separate || s.series != Series::Circular)
            .map(|s| CounterRow {
                series: s.series.code(),
                label: s.series.label(),
                start: s.counter.start(),
                next: s.counter.next(),
                issued: s.counter.issued(),
            })
            .collect()
    }
}

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: &'static str,
    pub active: bool,
    pub manageable: bool,
    pub is_self: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub layout: Layout,
    pub users: Vec<UserRow>,
    pub input: NewUserInput,
    pub errors: FieldErrors,
    pub roles: Vec<Choice>,
    pub flash: String,
}

impl UsersPage {
    pub fn error(&self, field: &str) -> String {
        self.errors.get(field).unwrap_or("").to_string()
    }

    pub fn rows(users: &[User], viewer: &Nav) -> Vec<UserRow> {
        users
            .iter()
            .map(|u| UserRow {
                id: u.id,
                username: u.username.clone(),
                full_name: u.full_name.clone(),
                role: u.role.label(),
                active: u.active,
                manageable: viewer.actor.user.role.can_grant(u.role)
                    && u.id != viewer.actor.user.id,
                is_self: u.id == viewer.actor.user.id,
            })
            .collect()
    }

    pub fn role_choices(viewer: &Nav, current: &str) -> Vec<Choice> {
        Role::ALL
            .iter()
            .filter(|r| viewer.actor.user.role.can_grant(**r))
            .map(|r| {
                (
                    r.code().to_string(),
                    r.label().to_string(),
                    r.code() == current,
                )
            })
            .collect()
    }
}

pub fn search_field_choices(current: SearchField) -> Vec<Choice> {
    SearchField::ALL
        .iter()
        .map(|f| (f.code().to_string(), f.label().to_string(), *f == current))
        .collect()
}

/// One inbox line, with the manual's status legend.
pub struct EntryRow {
    pub id: i64,
    pub received_at: String,
    pub doc_no: String,
    pub subject: String,
    pub from: String,
    pub from_email: String,
    pub source: &'static str,
    pub registered: bool,
    pub letter_id: i64,
    pub letter_number: String,
    pub files: usize,
    pub refused: usize,
    pub speed: &'static str,
    pub urgent: bool,
}

impl From<&crate::store::inbox::InboxEntry> for EntryRow {
    fn from(e: &crate::store::inbox::InboxEntry) -> Self {
        EntryRow {
            id: e.id,
            received_at: thai_date::format_datetime(e.received_at),
            doc_no: e.doc_no.clone(),
            subject: e.subject.clone(),
            from: e.sender.clone(),
            from_email: e.sender_email.clone(),
            source: e.source.label(),
            registered: e.letter_id.is_some(),
            letter_id: e.letter_id.unwrap_or(0),
            letter_number: e.letter_number.map(|n| n.to_string()).unwrap_or_default(),
            files: e.attachments.len(),
            refused: e.refused.len(),
            speed: e.speed.label(),
            urgent: e.speed.is_urgent(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox.html")]
pub struct InboxPage {
    pub layout: Layout,
    pub box_: String,
    pub status: String,
    pub q: String,
    pub rows: Vec<EntryRow>,
    pub total: i64,
    pub page: i64,
    pub last_page: i64,
    pub quarantined: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox_entry.html")]
pub struct InboxEntryPage {
    pub layout: Layout,
    pub entry: EntryRow,
    pub body: String,
    pub attachments: Vec<AttachmentRow>,
    pub refused: Vec<(String, String)>,
    pub input: LetterInput,
    pub errors: FieldErrors,
    pub speeds: Vec<Choice>,
    pub secrecies: Vec<Choice>,
    pub letter_types: Vec<Choice>,
    pub can_register: bool,
    pub message: String,
}

impl InboxEntryPage {
    pub fn error(&self, field: &str) -> String {
        self.errors.get(field).unwrap_or("").to_string()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox_original.html")]
pub struct OriginalPage {
    pub layout: Layout,
    pub entry_id: i64,
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub has_html: bool,
}

pub struct QuarantineRow {
    pub id: i64,
    pub created_at: String,
    pub subject: String,
    pub reason: String,
    pub origin: String,
    pub size: String,
    pub has_raw: bool,
    pub status: &'static str,
    pub open: bool,
    pub entry_id: i64,
}

impl From<&crate::store::inbox::QuarantineItem> for QuarantineRow {
    fn from(q: &crate::store::inbox::QuarantineItem) -> Self {
        QuarantineRow {
            id: q.id,
            created_at: thai_date::format_datetime(q.created_at),
            subject: q.subject.clone(),
            reason: q.reason.clone(),
            origin: q.origin.clone(),
            size: human_size(q.raw_size),
            has_raw: q.raw_sha256.is_some(),
            status: q.status.label(),
            open: q.status == crate::domain::inbox::QuarantineStatus::Open,
            entry_id: q.entry_id.unwrap_or(0),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "quarantine.html")]
pub struct QuarantinePage {
    pub layout: Layout,
    pub rows: Vec<QuarantineRow>,
    pub show_all: bool,
    pub flash: String,
    pub problem: String,
}

pub struct FolderRow {
    pub folder: String,
    pub uidvalidity: i64,
    pub last_uid: i64,
    pub last_success: String,
    pub failures: i64,
    pub last_error: String,
}

pub struct MailboxRow {
    pub id: i64,
    pub address: String,
    pub security: &'static str,
    pub folders: String,
    pub poll_secs: i64,
    pub move_to: String,
    pub states: Vec<FolderRow>,
    pub healthy: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "mailboxes.html")]
pub struct MailboxesPage {
    pub layout: Layout,
    pub rows: Vec<MailboxRow>,
    pub input: crate::service::mailboxes::MailboxInput,
    pub errors: FieldErrors,
    pub flash: String,
    pub test_result: String,
    pub test_ok: bool,
    /// How the office's letters leave now, in words.
    pub smtp_route: String,
    pub smtp: crate::service::sending::SmtpInput,
    pub smtp_has_password: bool,
    pub smtp_errors: FieldErrors,
}

impl MailboxesPage {
    pub fn smtp_error(&self, field: &str) -> String {
        self.smtp_errors.get(field).unwrap_or("").to_string()
    }

    pub fn error(&self, field: &str) -> String {
        self.errors.get(field).unwrap_or("").to_string()
    }
}
