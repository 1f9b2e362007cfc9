//! Judging an S/MIME signature against the certificates an office trusts: the signed bytes'
//! digest is the one the signer signed, the signature verifies with the signer's key, and the
//! signer's certificate chains (each link's signature checked, each certificate in its validity
//! period) to one of the trusted roots. RSA signatures with SHA-256/384/512, which is what Thai
//! government certification authorities issue; anything else is reported as not checkable.
//! Pure: no I/O, the time is given.

use chrono::{DateTime, Utc};
use cms::cert::x509::Certificate;
use cms::cert::x509::der::asn1::OctetString;
use cms::cert::x509::der::{Decode, Encode};
use sha2::Digest;

use super::smime::{self, SmimeSignature};

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmimeVerdict {
    /// No trusted roots are configured: the signature is shown, not judged.
    Unchecked,
    /// The signature is right and the certificate chains to this trusted root (its name).
    Trusted(String),
    /// The signature is right, but the certificate does not chain to a trusted root (why).
    Untrusted(String),
    /// The signature does not match the mail, or cannot be read (why).
    Invalid(String),
}

const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const SHA384: &str = "2.16.840.1.101.3.4.2.2";
const SHA512: &str = "2.16.840.1.101.3.4.2.3";
const RSA: &str = "1.2.840.113549.1.1.1";
const RSA_SHA256: &str = "1.2.840.113549.1.1.11";
const RSA_SHA384: &str = "1.2.840.113549.1.1.12";
const RSA_SHA512: &str = "1.2.840.113549.1.1.13";
const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";

/// Reads the trusted roots from PEM text (one or more `BEGIN CERTIFICATE` blocks).
pub fn roots_from_pem(pem: &str) -> Result<Vec<Certificate>, String> {
    use base64::Engine;
    let mut roots = Vec::new();
    for block in pem.split("-----BEGIN CERTIFICATE-----").skip(1) {
        let body = block
            .split("-----END CERTIFICATE-----")
            .next()
            .unwrap_or_default();
        let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| format!("certificate {}: {e}", roots.len() + 1))?;
        roots.push(
            Certificate::from_der(&der)
                .map_err(|e| format!("certificate {}: {e}", roots.len() + 1))?,
        );
    }
    if roots.is_empty() {
        return Err("no certificate (-----BEGIN CERTIFICATE-----) found".into());
    }
    Ok(roots)
}

fn digest(oid: &str, data: &[u8]) -> Result<Vec<u8>, String> {
    Ok(match oid {
        SHA256 => sha2::Sha256::digest(data).to_vec(),
        SHA384 => sha2::Sha384::digest(data).to_vec(),
        SHA512 => sha2::Sha512::digest(data).to_vec(),
        other => return Err(format!("ระบบยังตรวจค่าย่อยแบบ {other} ไม่ได้")),
    })
}

/// Verifies an RSA PKCS#1 v1.5 signature over `message` by the key in `spki_der`; the hash is
/// named by the signature algorithm, or by `digest_oid` when the algorithm is plain RSA.
fn verify_rsa(
    spki_der: &[u8],
    algorithm: &str,
    digest_oid: Option<&str>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    use rsa::pkcs8::DecodePublicKey;
    use rsa::signature::Verifier;
    let key = rsa::RsaPublicKey::from_public_key_der(spki_der)
        .map_err(|_| "กุญแจไม่ใช่แบบ RSA ที่ระบบตรวจได้".to_string())?;
    let hash = match (algorithm, digest_oid) {
        (RSA_SHA256, _) | (RSA, Some(SHA256)) => SHA256,
        (RSA_SHA384, _) | (RSA, Some(SHA384)) => SHA384,
        (RSA_SHA512, _) | (RSA, Some(SHA512)) => SHA512,
        (other, _) => return Err(format!("ระบบยังตรวจลายมือชื่อแบบ {other} ไม่ได้")),
    };
    let signature =
        rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| "อ่านลายมือชื่อไม่ได้".to_string())?;
    let checked = match hash {
        SHA256 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key).verify(message, &signature),
        SHA384 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha384>::new(key).verify(message, &signature),
        _ => rsa::pkcs1v15::VerifyingKey::<sha2::Sha512>::new(key).verify(message, &signature),
    };
    checked.map_err(|_| "ลายมือชื่อไม่ตรง".to_string())
}

fn spki_of(cert: &Certificate) -> Result<Vec<u8>, String> {
    cert.tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| e.to_string())
}

fn name_of(cert: &Certificate) -> String {
    let tbs = &cert.tbs_certificate;
    smime::attribute(&tbs.subject, "2.5.4.3")
        .or_else(|| smime::attribute(&tbs.subject, "2.5.4.10"))
        .unwrap_or_else(|| tbs.subject.to_string())
}

fn in_validity(cert: &Certificate, at: DateTime<Utc>) -> bool {
    let validity = &cert.tbs_certificate.validity;
    let secs = at.timestamp().max(0) as u64;
    validity.not_before.to_unix_duration().as_secs() <= secs
        && secs <= validity.not_after.to_unix_duration().as_secs()
}

/// The signature of `cert` made by `issuer`'s key.
fn issued_by(cert: &Certificate, issuer: &Certificate) -> Result<(), String> {
    let tbs = cert.tbs_certificate.to_der().map_err(|e| e.to_string())?;
    verify_rsa(
        &spki_of(issuer)?,
        &cert.signature_algorithm.oid.to_string(),
        None,
        &tbs,
        cert.signature.raw_bytes(),
    )
}

/// Follows the issuers of `signer` (among the mail's certificates and the roots) up to a root;
/// the root's name.
fn chain_to_root(
    signer: &Certificate,
    carried: &[Certificate],
    roots: &[Certificate],
    at: DateTime<Utc>,
) -> Result<String, String> {
    let mut current = signer.clone();
    for _ in 0..8 {
        if !in_validity(&current, at) {
            return Err(format!("ใบรับรอง {} หมดอายุหรือยังไม่เริ่มใช้", name_of(&current)));
        }
        if roots.contains(&current) {
            return Ok(name_of(&current));
        }
        let issuer = roots
            .iter()
            .chain(carried)
            .find(|c| c.tbs_certificate.subject == current.tbs_certificate.issuer && **c != current)
            .ok_or_else(|| {
                format!(
                    "ผู้ออกใบรับรอง {} ไม่อยู่ในรายการที่หน่วยงานเชื่อถือ",
                    name_of(&current)
                )
            })?
            .clone();
        issued_by(&current, &issuer).map_err(|e| {
            format!(
                "ใบรับรอง {} ไม่ได้ออกโดย {}: {e}",
                name_of(&current),
                name_of(&issuer)
            )
        })?;
        current = issuer;
    }
    Err("สายใบรับรองยาวเกินไป".into())
}

/// Judges `signature` against `roots` at time `at`.
pub fn verify(
    signature: &SmimeSignature,
    roots: &[Certificate],
    at: DateTime<Utc>,
) -> SmimeVerdict {
    if roots.is_empty() {
        return SmimeVerdict::Unchecked;
    }
    match signature_matches(signature) {
        Err(why) => SmimeVerdict::Invalid(why),
        Ok((signer, carried)) => match chain_to_root(&signer, &carried, roots, at) {
            Ok(root) => SmimeVerdict::Trusted(root),
            Err(why) => SmimeVerdict::Untrusted(why),
        },
    }
}

/// Whether the signature is the signer's over these bytes; the signer's certificate and the
/// others the mail carries.
fn signature_matches(
    signature: &SmimeSignature,
) -> Result<(Certificate, Vec<Certificate>), String> {
    let signed = smime::signed_data(&signature.p7).ok_or("อ่านลายมือชื่อไม่ได้")?;
    let carried = smime::certificates(&signed);
    let signer = smime::signer_certificate(&signed, &carried)
        .ok_or("ไม่มีใบรับรองของผู้ลงนามในอีเมล")?
        .clone();
    let info = signed.signer_infos.0.iter().next().ok_or("ไม่มีผู้ลงนาม")?;
    if signature.content.is_empty() {
        return Err("ไม่พบเนื้อหาที่ลงนาม".into());
    }
    let digest_oid = info.digest_alg.oid.to_string();
    let content_digest = digest(&digest_oid, &signature.content)?;
    let algorithm = info.signature_algorithm.oid.to_string();
    let spki = spki_of(&signer)?;
    let mismatch = |e: String| format!("ลายมือชื่อไม่ตรงกับเนื้อหาอีเมล ({e})");
    match &info.signed_attrs {
        Some(attrs) => {
            let signed_digest = attrs
                .iter()
                .find(|a| a.oid.to_string() == MESSAGE_DIGEST)
                .and_then(|a| a.values.iter().next())
                .and_then(|v| v.decode_as::<OctetString>().ok())
                .ok_or("ไม่มีค่าย่อยของเนื้อหาในลายมือชื่อ")?;
            if signed_digest.as_bytes() != content_digest.as_slice() {
                return Err("เนื้อหาอีเมลถูกแก้ไขหลังลงนาม".into());
            }
            let der = attrs.to_der().map_err(|e| e.to_string())?;
            verify_rsa(
                &spki,
                &algorithm,
                Some(&digest_oid),
                &der,
                info.signature.as_bytes(),
            )
            .map_err(mismatch)?;
        }
        None => verify_rsa(
            &spki,
            &algorithm,
            Some(&digest_oid),
            &signature.content,
            info.signature.as_bytes(),
        )
        .map_err(mismatch)?,
    }
    Ok((signer, carried))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signature_of(eml: &[u8]) -> SmimeSignature {
        crate::message::parse::parse(eml)
            .unwrap()
            .smime
            .expect("signed")
    }

    fn carried(signature: &SmimeSignature) -> Vec<Certificate> {
        smime::certificates(&smime::signed_data(&signature.p7).unwrap())
    }

    const DETACHED: &[u8] = include_bytes!("../../tests/fixtures/clients/smime-signed.eml");
    const OPAQUE: &[u8] = include_bytes!("../../tests/fixtures/clients/smime-opaque.eml");

    #[test]
    fn a_signature_is_judged_against_the_trusted_roots() {
        let now = Utc::now();
        let detached = signature_of(DETACHED);
        let opaque = signature_of(OPAQUE);
        // The signers' certificates are self-signed: trusting one makes its mail trusted.
        let (own, other) = (carried(&detached), carried(&opaque));
        assert_eq!(verify(&detached, &[], now), SmimeVerdict::Unchecked);
        assert_eq!(
            verify(&detached, &own, now),
            SmimeVerdict::Trusted("งานสารบรรณ โรงเรียนทดสอบ".into())
        );
        assert_eq!(
            verify(&opaque, &other, now),
            SmimeVerdict::Trusted("งานสารบรรณ โรงเรียนทดสอบ".into())
        );
        // A root of the same name but another key did not issue it.
        assert!(
            matches!(verify(&detached, &other, now), SmimeVerdict::Untrusted(ref why) if why.contains("ไม่ได้ออกโดย")),
            "{:?}",
            verify(&detached, &other, now)
        );
        // Long after the certificate's end.
        let later = now + chrono::Duration::days(365 * 30);
        assert!(
            matches!(verify(&detached, &own, later), SmimeVerdict::Untrusted(ref why) if why.contains("หมดอายุ"))
        );
        // One byte of the signed mail changed.
        let mut changed = detached.clone();
        let at = changed.content.len() / 2;
        changed.content[at] ^= 0x01;
        assert_eq!(
            verify(&changed, &own, now),
            SmimeVerdict::Invalid("เนื้อหาอีเมลถูกแก้ไขหลังลงนาม".into())
        );
        let mut unreadable = detached.clone();
        unreadable.p7.truncate(20);
        assert!(matches!(
            verify(&unreadable, &own, now),
            SmimeVerdict::Invalid(_)
        ));
    }

    #[test]
    fn roots_are_read_from_pem() {
        use base64::Engine;
        let der = carried(&signature_of(DETACHED))[0].to_der().unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let pem = format!("junk\n-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n");
        assert_eq!(roots_from_pem(&pem).unwrap().len(), 1);
        assert!(roots_from_pem("nothing here").is_err());
        assert!(
            roots_from_pem("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----").is_err()
        );
    }
}
