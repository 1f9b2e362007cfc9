//! Password hashing (argon2id), random tokens, and the sha256 we store instead of tokens.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};
use thiserror::Error;

pub mod client_ip;

#[derive(Debug, Error)]
pub enum SecurityError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the operating system gave no random bytes: {0}")]
    Random(String),
}

/// A PHC string (`$argon2id$v=19$…`) with a fresh salt. Slow on purpose: call it off the async
/// threads (`spawn_blocking`).
pub fn hash_password(password: &str) -> Result<String, SecurityError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| SecurityError::Hash(e.to_string()))
}

/// False for a wrong password and for a hash that cannot be read.
pub fn verify_password(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// 32 random bytes as 64 hex characters.
pub fn random_token() -> Result<String, SecurityError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| SecurityError::Random(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// A name for one worker of this process (a lease holder): the process id and a random suffix,
/// so two `serve` processes on one database never take each other's leases for their own.
pub fn worker_id() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        random_token().unwrap_or_default().get(..8).unwrap_or("x")
    )
}

/// True for `localhost` and loopback addresses (`[::1]` too): the only hosts a mail server may
/// be reached without encryption.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim();
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_count_as_local() {
        for h in [
            "localhost",
            "LocalHost",
            "127.0.0.1",
            "::1",
            "[::1]",
            " 127.0.0.1 ",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in ["smtp.example.go.th", "10.0.0.1", "localhost.evil.test", ""] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn passwords_verify_only_when_right() {
        let h = hash_password("รหัสผ่านยาวพอ").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("รหัสผ่านยาวพอ", &h));
        assert!(!verify_password("รหัสผ่านผิด", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_long() {
        let a = random_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token().unwrap());
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &random_token().unwrap()));
    }
}

/// A password or other secret. Its `Debug` and `Display` print `***`, so a struct holding one can
/// derive `Debug` and be logged without leaking it; the value is read only through
/// [`Secret::expose`]. It serialises as the value itself because the configuration's defaults
/// are built through serde; no page or API answer holds one.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send or hash it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Secret {
        Secret(value.to_string())
    }
}

#[cfg(test)]
mod secret_tests {
    use super::Secret;

    #[derive(Debug, serde::Deserialize)]
    struct Login {
        user: String,
        password: Secret,
    }

    #[test]
    fn a_secret_never_prints() {
        let login: Login = serde_json::from_str(r#"{"user":"som","password":"hunter2"}"#).unwrap();
        let shown = format!("{login:?} {}", login.password);
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("som"), "{shown}");
        assert_eq!(login.user, "som");
        assert_eq!(login.password.expose(), "hunter2");
    }
}
