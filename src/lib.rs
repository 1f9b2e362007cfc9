//! saraban: an e-mail gateway and web register for Thai official correspondence.
//!
//! `domain` holds the rules; `store`, `files` and `web` are adapters around it; `app` wires them.

pub mod domain;
pub mod config;
pub mod security;
pub mod store;
pub mod files;
