//! Mail adapter: parsing Thai e-mail, the ingestion pipeline, and the IMAP and file sources.

pub mod charset;
pub mod ingest;
pub mod parse;
pub mod files;
