//! One integration-test binary (each extra binary costs a link on 2 cores).

mod helpers;

mod api_letters;
mod architecture;
mod browser_ui;
mod clerks_day;
mod cli;
mod client_mails;
mod dkim_out;
mod domain_pauses;
mod file_alarms;
mod file_packs;
mod file_reuse;
mod file_words;
mod hardening;
mod journey;
mod mail_imap;
mod mail_ingest;
mod mail_out;
mod manual;
mod numbering;
mod openapi_doc;
mod ops;
mod outputs;
mod pages;
mod records;
mod schema;
mod search_index;
mod security;
mod sender_auth;
mod sending;
mod setup_pages;
mod several_machines;
mod storage;
mod storage_gc;
mod storage_s3;
