//! What an operator asks of a running `serve`: is it ready (database and file store answer), and
//! the figures behind `/metrics`.

use super::{Result, ServiceError, Services};
use crate::store::ops::Figures;

/// What is not ready, in words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Readiness {
    pub database: Option<String>,
    pub files: Option<String>,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.database.is_none() && self.files.is_none()
    }
}

impl Services {
    pub async fn readiness(&self) -> Readiness {
        Readiness {
            database: self.store.ping().await.err().map(|e| e.to_string()),
            files: self.files.ready().await.err().map(|e| e.to_string()),
        }
    }

    pub async fn figures(&self) -> Result<Figures> {
        self.store
            .figures()
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))
    }
}
