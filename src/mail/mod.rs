//! Mail adapter: parsing Thai e-mail and its charsets, the IMAP and file sources, and the SMTP
//! outbox (composing letters and notices, sending them). What a message becomes is decided by
//! [`crate::service::ingest`]; these are the drivers that feed it.

pub mod charset;
pub mod compose;
pub mod files;
pub mod imap;
pub mod outbox;
pub mod parse;
pub mod poller;
