//! Being trusted where we send: the DKIM keys outgoing mail is signed with (which key signs an
//! office's mail, the admin's view and replacement of the office's key, made by
//! `crate::sender_auth::signing`), and the receiving domains paused after "try later".

use super::{Actor, Result, ServiceError, Services, single};
use crate::domain::dns_records::{valid_domain, valid_selector};
use crate::domain::sender_auth::domain_of;
use crate::store::dkim_keys::DkimKey;

/// The deployment's key is stored under this office id.
pub const DEPLOYMENT: &str = "";

/// Whether `address` may be signed with `key`: its domain is the key's domain or under it
/// (relaxed DMARC alignment), so the signature speaks for the From the reader sees.
pub fn aligned(key: &DkimKey, address: &str) -> bool {
    let domain = domain_of(address);
    !domain.is_empty() && (domain == key.domain || domain.ends_with(&format!(".{}", key.domain)))
}

impl Services {
    /// The key that signs mail of `office_id` sent from `from_addr`: the office's own, else the
    /// deployment's, whichever is of the address's domain.
    pub async fn signing_key(&self, office_id: &str, from_addr: &str) -> Result<Option<DkimKey>> {
        Ok(self
            .signing_keys(office_id)
            .await?
            .into_iter()
            .find(|k| aligned(k, from_addr)))
    }

    /// The keys that may sign an office's mail, its own first.
    pub async fn signing_keys(&self, office_id: &str) -> Result<Vec<DkimKey>> {
        let mut keys = Vec::new();
        for owner in [office_id, DEPLOYMENT] {
            keys.extend(self.store.dkim_key(owner).await?);
        }
        Ok(keys)
    }

    /// Receiving domains the outbox is leaving alone for now (they answered "try later").
    pub async fn paused_domains(
        &self,
        actor: &Actor,
    ) -> Result<Vec<crate::store::domain_pauses::DomainPause>> {
        self.require_admin(actor)?;
        Ok(self.store.paused_domains(chrono::Utc::now()).await?)
    }

    /// The admin's office key and the deployment's, as they are now.
    pub async fn dkim_keys(&self, actor: &Actor) -> Result<(Option<DkimKey>, Option<DkimKey>)> {
        self.require_admin(actor)?;
        Ok((
            self.store.dkim_key(&actor.office.id).await?,
            self.store.dkim_key(DEPLOYMENT).await?,
        ))
    }

    /// Stores a newly made key of the admin's office, replacing the old one.
    pub async fn replace_dkim_key(&self, actor: &Actor, key: &DkimKey) -> Result<()> {
        self.require_admin(actor)?;
        if key.office_id != actor.office.id {
            return Err(ServiceError::Forbidden(
                "ผู้ดูแลระบบสร้างกุญแจได้เฉพาะของสำนักงานตนเอง".into(),
            ));
        }
        self.save_dkim_key(key).await
    }

    /// Stores a key after checking its names (the CLI's path; the operator may make the
    /// deployment's key).
    pub async fn save_dkim_key(&self, key: &DkimKey) -> Result<()> {
        if !valid_domain(&key.domain) {
            return Err(ServiceError::Invalid(single(
                "domain",
                format!("โดเมน {:?} ไม่ถูกต้อง (เช่น school.go.th)", key.domain),
            )));
        }
        if !valid_selector(&key.selector) {
            return Err(ServiceError::Invalid(single(
                "selector",
                format!(
                    "selector {:?} ไม่ถูกต้อง (ตัวอักษรอังกฤษตัวเล็ก ตัวเลข และ - เท่านั้น)",
                    key.selector
                ),
            )));
        }
        if key.office_id != DEPLOYMENT {
            self.store.find_office(&key.office_id).await?;
        }
        self.store.save_dkim_key(key).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dns_records::KeyAlgorithm;

    fn key(domain: &str) -> DkimKey {
        DkimKey {
            office_id: String::new(),
            domain: domain.into(),
            selector: "saraban".into(),
            algorithm: KeyAlgorithm::Ed25519,
            private_key: String::new(),
            public_key: String::new(),
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn only_the_keys_domain_is_signed_for() {
        let k = key("obec.go.th");
        assert!(aligned(&k, "saraban@obec.go.th"));
        assert!(aligned(&k, "Saraban <saraban@spm1.obec.go.th>"));
        assert!(!aligned(&k, "saraban@gmail.com"));
        assert!(!aligned(&k, "saraban@notobec.go.th"));
        assert!(!aligned(&k, "no address"));
    }
}
