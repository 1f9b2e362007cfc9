//! DKIM for the mail saraban sends: making an office's key (Ed25519 or RSA-2048) and signing a
//! built message with it (`mail-auth` signs; `rsa` only makes RSA keys, which ring cannot).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::Utc;
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use thiserror::Error;

use crate::domain::dns_records::KeyAlgorithm;
use crate::store::dkim_keys::DkimKey;

#[derive(Debug, Error)]
pub enum SigningError {
    #[error("สร้างกุญแจ DKIM ไม่ได้: {0}")]
    Generate(String),
    #[error("กุญแจ DKIM ที่เก็บไว้ใช้ไม่ได้: {0}")]
    Key(String),
    #[error("ลงลายมือชื่อ DKIM ไม่ได้: {0}")]
    Sign(String),
}

/// The headers signed: those a receiver shows or threads by, when the message has them.
const SIGNED_HEADERS: [&str; 11] = [
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Reply-To",
    "MIME-Version",
    "Content-Type",
];

/// A new key for `domain` with `selector`: the private key (PKCS#8 DER, base64) and the public
/// key as the DKIM record publishes it (Ed25519: the raw 32 bytes; RSA: SubjectPublicKeyInfo).
pub fn generate(
    office_id: &str,
    domain: &str,
    selector: &str,
    algorithm: KeyAlgorithm,
) -> Result<DkimKey, SigningError> {
    let (private_der, public) = match algorithm {
        KeyAlgorithm::Ed25519 => {
            let pkcs8 =
                Ed25519Key::generate_pkcs8().map_err(|e| SigningError::Generate(e.to_string()))?;
            let key = Ed25519Key::from_pkcs8_der(&pkcs8)
                .map_err(|e| SigningError::Generate(e.to_string()))?;
            (pkcs8, key.public_key())
        }
        KeyAlgorithm::Rsa2048 => {
            use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
            let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
                .map_err(|e| SigningError::Generate(e.to_string()))?;
            let der = private
                .to_pkcs8_der()
                .map_err(|e| SigningError::Generate(e.to_string()))?;
            let public = rsa::RsaPublicKey::from(&private)
                .to_public_key_der()
                .map_err(|e| SigningError::Generate(e.to_string()))?;
            (der.as_bytes().to_vec(), public.as_bytes().to_vec())
        }
    };
    Ok(DkimKey {
        office_id: office_id.to_string(),
        domain: domain.to_string(),
        selector: selector.to_string(),
        algorithm,
        private_key: B64.encode(private_der),
        public_key: B64.encode(public),
        created_at: Utc::now(),
    })
}

/// The message with a `DKIM-Signature` header in front (relaxed/relaxed, SHA-256).
pub fn sign(key: &DkimKey, raw: &[u8]) -> Result<Vec<u8>, SigningError> {
    let der = B64
        .decode(key.private_key.trim())
        .map_err(|e| SigningError::Key(e.to_string()))?;
    let header = match key.algorithm {
        KeyAlgorithm::Ed25519 => {
            let pair =
                Ed25519Key::from_pkcs8_der(&der).map_err(|e| SigningError::Key(e.to_string()))?;
            signature_header(DkimSigner::from_key(pair), key, raw)?
        }
        KeyAlgorithm::Rsa2048 => {
            let pair =
                RsaKey::<Sha256>::from_key_der(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)))
                    .map_err(|e| SigningError::Key(e.to_string()))?;
            signature_header(DkimSigner::from_key(pair), key, raw)?
        }
    };
    let mut out = Vec::with_capacity(header.len() + raw.len());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(raw);
    Ok(out)
}

fn signature_header<T: mail_auth::common::crypto::SigningKey>(
    signer: DkimSigner<T, mail_auth::dkim::NeedDomain>,
    key: &DkimKey,
    raw: &[u8],
) -> Result<String, SigningError> {
    let signature = signer
        .domain(key.domain.clone())
        .selector(key.selector.clone())
        .headers(SIGNED_HEADERS)
        .sign(raw)
        .map_err(|e| SigningError::Sign(e.to_string()))?;
    Ok(signature.to_header())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIL: &[u8] = b"From: =?utf-8?B?4Liq4Lie4LiQ?= <saraban@school.go.th>\r\nTo: x@y.th\r\nSubject: test\r\nMessage-ID: <1@school.go.th>\r\n\r\nbody\r\n";

    #[test]
    fn both_kinds_of_key_sign() {
        for algorithm in [KeyAlgorithm::Ed25519, KeyAlgorithm::Rsa2048] {
            let key = generate("s", "school.go.th", "saraban", algorithm).unwrap();
            let signed = sign(&key, MAIL).unwrap();
            let text = String::from_utf8(signed).unwrap();
            assert!(text.starts_with("DKIM-Signature:"), "{text}");
            assert!(text.contains("d=school.go.th"), "{text}");
            assert!(text.contains("s=saraban"), "{text}");
            assert!(text.ends_with("\r\n\r\nbody\r\n"));
            let want = match algorithm {
                KeyAlgorithm::Ed25519 => "a=ed25519-sha256",
                KeyAlgorithm::Rsa2048 => "a=rsa-sha256",
            };
            assert!(text.contains(want), "{text}");
        }
    }

    #[test]
    fn a_broken_stored_key_is_an_error_not_a_panic() {
        let mut key = generate("s", "school.go.th", "saraban", KeyAlgorithm::Ed25519).unwrap();
        key.private_key = "not base64!".into();
        assert!(matches!(sign(&key, MAIL), Err(SigningError::Key(_))));
    }
}
