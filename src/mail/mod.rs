//! Mail adapter: parsing Thai e-mail, the ingestion pipeline, the IMAP and file sources, and the
//! SMTP outbox (composing letters and notices, sending them).

pub mod charset;
pub mod compose;
pub mod files;
pub mod imap;
pub mod ingest;
pub mod outbox;
pub mod parse;
pub mod poller;
