//! Who signed an S/MIME mail (`multipart/signed` with `smime.p7s`, or opaque `smime.p7m`): the
//! signer's certificate, read from the CMS SignedData, with the signature and the signed bytes
//! kept for [`super::smime_verify`], which judges them against the certificates the office
//! trusts (`sender_auth.smime_roots`).

use cms::cert::x509::Certificate;
use cms::cert::x509::der::asn1::{Ia5StringRef, PrintableStringRef, Utf8StringRef};
use cms::cert::x509::der::{Decode, Tag, Tagged};
use cms::cert::x509::name::Name;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};

/// An S/MIME signature found on a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmimeSignature {
    /// The signer's certificate, when the signature could be read.
    pub signer: Option<Signer>,
    /// The CMS SignedData as sent.
    pub p7: Vec<u8>,
    /// The bytes that were signed (the MIME entity; empty when they could not be found).
    pub content: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// Common name (CN) of the certificate's subject.
    pub name: String,
    pub organization: String,
    pub email: String,
    /// CN (or O) of the certificate's issuer.
    pub issuer: String,
    /// "YYYY-MM-DD" the certificate expires.
    pub valid_until: String,
}

const CN: &str = "2.5.4.3";
const O: &str = "2.5.4.10";
const EMAIL: &str = "1.2.840.113549.1.9.1";

/// The signer of a `smime.p7s`; `None` inside when it is not DER CMS we can read (some clients
/// write BER), which still counts as a signed mail.
pub fn read(p7s: &[u8]) -> SmimeSignature {
    SmimeSignature {
        signer: signer(p7s),
        p7: p7s.to_vec(),
        content: Vec::new(),
    }
}

/// The signed content of an opaque S/MIME signature (`application/pkcs7-mime;
/// smime-type=signed-data`, `smime.p7m`): the MIME entity the letter is in. `None` when it is not
/// a DER SignedData carrying its content (an encrypted `enveloped-data` cannot be read).
pub fn signed_content(p7m: &[u8]) -> Option<Vec<u8>> {
    use cms::cert::x509::der::asn1::OctetString;
    let signed = signed_data(p7m)?;
    let content = signed.encap_content_info.econtent?;
    let octets: OctetString = content.decode_as().ok()?;
    Some(octets.into_bytes())
}

/// The SignedData of a DER `ContentInfo`.
pub(super) fn signed_data(p7: &[u8]) -> Option<SignedData> {
    let info = ContentInfo::from_der(p7).ok()?;
    info.content.decode_as().ok()
}

/// The certificates a SignedData carries.
pub(super) fn certificates(signed: &SignedData) -> Vec<Certificate> {
    signed
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The certificate of the first signer, among `certificates`.
pub(super) fn signer_certificate<'a>(
    signed: &SignedData,
    certificates: &'a [Certificate],
) -> Option<&'a Certificate> {
    let first = signed.signer_infos.0.iter().next()?;
    match &first.sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => certificates.iter().find(|c| {
            c.tbs_certificate.issuer == id.issuer
                && c.tbs_certificate.serial_number == id.serial_number
        }),
        SignerIdentifier::SubjectKeyIdentifier(_) => None,
    }
    .or_else(|| certificates.first())
}

fn signer(p7s: &[u8]) -> Option<Signer> {
    let signed = signed_data(p7s)?;
    let certificates = certificates(&signed);
    let cert = signer_certificate(&signed, &certificates)?;
    let tbs = &cert.tbs_certificate;
    let valid_until = tbs
        .validity
        .not_after
        .to_date_time()
        .to_string()
        .chars()
        .take(10)
        .collect();
    let issuer = attribute(&tbs.issuer, CN)
        .or_else(|| attribute(&tbs.issuer, O))
        .unwrap_or_default();
    Some(Signer {
        name: attribute(&tbs.subject, CN).unwrap_or_default(),
        organization: attribute(&tbs.subject, O).unwrap_or_default(),
        email: attribute(&tbs.subject, EMAIL).unwrap_or_default(),
        issuer,
        valid_until,
    })
}

/// The first value of attribute `oid` in a name, as text.
pub(super) fn attribute(name: &Name, oid: &str) -> Option<String> {
    name.0.iter().flat_map(|rdn| rdn.0.iter()).find_map(|atv| {
        if atv.oid.to_string() != oid {
            return None;
        }
        let v = &atv.value;
        match v.tag() {
            Tag::Utf8String => Utf8StringRef::try_from(v).ok().map(|s| s.to_string()),
            Tag::PrintableString => PrintableStringRef::try_from(v).ok().map(|s| s.to_string()),
            Tag::Ia5String => Ia5StringRef::try_from(v).ok().map(|s| s.to_string()),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_cms_is_a_signature_without_a_signer() {
        assert_eq!(read(b"not der").signer, None);
        assert_eq!(read(&[]).signer, None);
    }
}
