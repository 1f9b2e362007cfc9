//! Files made for people outside the browser: spreadsheets (XLSX) and CSV for counting in Excel,
//! the registers as printed forms (PDF), and the receipt stamp on a letter's PDF. They render what
//! the domain describes (a [`crate::domain::forms::RegisterSheet`], a
//! [`crate::domain::stamp::ReceiptStamp`]) and know nothing of where it came from.

pub mod csv;
pub mod fonts;
pub mod stamp;
pub mod table_pdf;
pub mod xlsx;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("สร้างไฟล์ Excel ไม่ได้: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("สร้างไฟล์ CSV ไม่ได้: {0}")]
    Csv(String),
}
