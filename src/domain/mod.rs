//! The saraban domain: pure rules, no HTTP, SQL, IMAP or SMTP.

pub mod attachment;
pub mod audit;
pub mod codes;
pub mod digits;
pub mod disposal;
pub mod doc_no;
pub mod duplicate;
pub mod exchange;
pub mod file_text;
pub mod filing;
pub mod forms;
pub mod history;
pub mod import;
pub mod inbox;
pub mod journey;
pub mod letter;
pub mod mail_facts;
pub mod numbering;
pub mod office;
pub mod register;
pub mod retention;
pub mod search;
pub mod sender_auth;
pub mod stamp;
pub mod thai_date;
pub mod user;
