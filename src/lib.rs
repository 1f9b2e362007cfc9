//! saraban: an e-mail gateway and web register for Thai official correspondence.
//!
//! `domain` holds the rules; `store`, `files` and `web` are adapters around it; `app` wires them.

#![recursion_limit = "512"]

pub mod app;
#[cfg(feature = "bench")]
pub mod bench;
pub mod config;
pub mod demo;
pub mod domain;
pub mod extract;
pub mod files;
pub mod import;
pub mod mail;
pub mod message;
pub mod outputs;
pub mod security;
pub mod sender_auth;
pub mod service;
pub mod store;
pub mod web;
