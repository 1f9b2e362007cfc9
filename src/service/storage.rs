//! The files behind the records: `saraban storage verify` reads back every file a kept record
//! names, checking its sha256, and keeps the alarms the admin sees for those missing or damaged.

use futures_util::StreamExt;

use super::{Actor, Result, Services};
use crate::files::FileError;
use crate::store::file_alarms::FileAlarm;

/// A file that could not be read, in the words of its alarm.
fn problem_of(e: &FileError) -> String {
    match e {
        FileError::Missing(_) => "ไม่พบไฟล์ในที่เก็บ".to_string(),
        FileError::Corrupt(_) => "ไฟล์เสียหาย (SHA-256 ไม่ตรง)".to_string(),
        other => format!("อ่านไฟล์ไม่ได้: {other}"),
    }
}

/// What a verification found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub checked: u64,
    /// (sha256, the table that names it, what went wrong)
    pub problems: Vec<(String, String, String)>,
}

/// What a migration did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrateReport {
    pub copied: u64,
    pub already_there: u64,
    /// (sha256, why) for files that could not be copied: nothing is lost, run it again.
    pub failed: Vec<(String, String)>,
}

impl Services {
    pub async fn count_named_files(&self) -> Result<u64> {
        Ok(self.store.count_named_files().await?.max(0) as u64)
    }

    /// Reads back every file a kept record names, `concurrency` at a time, checking each against
    /// its sha256; raises an alarm for each missing or damaged one, and ends the alarms of
    /// those found whole. `progress` is told how many were checked so far.
    pub async fn verify_files(
        &self,
        concurrency: usize,
        progress: impl Fn(u64),
    ) -> Result<VerifyReport> {
        let mut report = VerifyReport::default();
        let mut named = self.store.named_files().chunks(1000);
        while let Some(chunk) = named.next().await {
            let chunk = chunk
                .into_iter()
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let results: Vec<(String, String, std::result::Result<(), FileError>)> =
                futures_util::stream::iter(chunk)
                    .map(|(sha, table)| async move {
                        let read = self.files.get(&sha).await.map(|_| ());
                        (sha, table, read)
                    })
                    .buffer_unordered(concurrency.max(1))
                    .collect()
                    .await;
            for (sha, table, read) in results {
                report.checked += 1;
                match read {
                    Ok(()) => self.store.clear_file_alarm(&sha).await?,
                    Err(e) => {
                        let problem = problem_of(&e);
                        self.store.raise_file_alarm(&sha, &table, &problem).await?;
                        report.problems.push((sha, table, problem));
                    }
                }
            }
            progress(report.checked);
        }
        Ok(report)
    }

    /// Copies every file a kept record names into `to` (another backend: `saraban storage
    /// migrate`), `concurrency` at a time: each is read here (checked against its sha256),
    /// skipped when `to` has it already (so a stopped migration resumes where it was), written
    /// there and read back to check. `progress` is told how many were done.
    pub async fn migrate_files(
        &self,
        to: &crate::files::FileStore,
        concurrency: usize,
        progress: impl Fn(u64),
    ) -> Result<MigrateReport> {
        let mut report = MigrateReport::default();
        let mut named = self.store.named_files().chunks(200);
        while let Some(chunk) = named.next().await {
            let chunk = chunk
                .into_iter()
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let results: Vec<(String, std::result::Result<bool, FileError>)> =
                futures_util::stream::iter(chunk)
                    .map(|(sha, _)| async move {
                        let copied = async {
                            if to.exists(&sha).await? {
                                return Ok(false);
                            }
                            let data = self.files.get(&sha).await?;
                            to.put(data).await?;
                            to.get(&sha).await?;
                            Ok(true)
                        }
                        .await;
                        (sha, copied)
                    })
                    .buffer_unordered(concurrency.max(1))
                    .collect()
                    .await;
            for (sha, copied) in results {
                match copied {
                    Ok(true) => report.copied += 1,
                    Ok(false) => report.already_there += 1,
                    Err(e) => report.failed.push((sha, e.to_string())),
                }
            }
            progress(report.copied + report.already_there + report.failed.len() as u64);
        }
        Ok(report)
    }

    /// A file a record names, read for someone; a missing or damaged one raises the alarm the
    /// admin sees (the reader gets an error, never wrong bytes).
    pub(crate) async fn read_named_file(
        &self,
        sha256: &str,
        named_in: &str,
    ) -> Result<bytes::Bytes> {
        match self.files.get(sha256).await {
            Ok(data) => Ok(data),
            Err(e @ (FileError::Missing(_) | FileError::Corrupt(_))) => {
                let problem = problem_of(&e);
                if let Err(alarm) = self
                    .store
                    .raise_file_alarm(sha256, named_in, &problem)
                    .await
                {
                    tracing::error!(error = %alarm, "file alarm not recorded");
                }
                tracing::error!(sha256, named_in, %problem, "a stored file could not be read");
                Err(e.into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The file alarms for the admin: how many, and the latest.
    pub async fn file_alarms(&self, actor: &Actor) -> Result<(i64, Vec<FileAlarm>)> {
        self.require_admin(actor)?;
        Ok(self.store.file_alarms(20).await?)
    }
}
