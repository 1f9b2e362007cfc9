//! `saraban`: the command line. Each noun's commands live in `cli/`; everything real lives in the
//! library.

mod cli;

use clap::Parser;

fn main() -> anyhow::Result<()> {
    large_buffers_straight_from_the_os();
    // Every HTTPS client of the process (the object store's, the bucket check's) uses ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SARABAN_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(cli::Cli::parse().run())
}

/// Every buffer of 1 MiB or more (a scan, a stamped copy, a printed register) gets its own
/// mapping, given back when it is freed. glibc's default moves that line up after the first large
/// free, and then a large buffer sits in a shared heap: growing it (the stamp appends to the
/// file's own buffer) copies it whole, and its pages linger. Fixed here, before any thread starts,
/// so the process behaves the same from its first request to its thousandth.
fn large_buffers_straight_from_the_os() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only sets a parameter of the allocator; no thread exists yet.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        }
    }
}
