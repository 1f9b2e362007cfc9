//! Mail adapter: parsing Thai e-mail, the ingestion pipeline, and the IMAP and file sources.

pub mod charset;
pub mod files;
pub mod imap;
pub mod ingest;
pub mod parse;
pub mod poller;
