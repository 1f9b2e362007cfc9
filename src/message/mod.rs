//! The e-mail format, with no I/O: reading a message (MIME, Thai charsets such as TIS-620 and
//! windows-874) into what it says, and composing the messages saraban sends. The use cases in
//! [`crate::service`] and the drivers in [`crate::mail`] both build on it.

pub mod charset;
pub mod compose;
pub mod parse;
pub mod smime;
pub mod smime_verify;
pub mod tnef;
