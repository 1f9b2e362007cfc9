//! The mail drivers: the IMAP poller and the drop folder that feed [`crate::service::ingest`],
//! and the SMTP outbox that sends what the use cases queued. The e-mail format itself (parsing,
//! charsets, composing) is [`crate::message`].

pub mod files;
pub mod imap;
pub mod outbox;
pub mod poller;
