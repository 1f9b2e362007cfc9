//! Files made from the registers for people outside the browser: spreadsheets (XLSX) and CSV for
//! counting in Excel. They render a [`crate::domain::forms::RegisterSheet`] and know nothing of
//! where its rows came from.

pub mod csv;
pub mod xlsx;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("สร้างไฟล์ Excel ไม่ได้: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("สร้างไฟล์ CSV ไม่ได้: {0}")]
    Csv(String),
}
