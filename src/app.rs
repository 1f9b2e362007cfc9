//! Start-up: connect the store, apply migrations, build the services and the router, serve.

use std::net::SocketAddr;

use axum::Router;
use thiserror::Error;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::files::{FileStore, PackHome};
use crate::service::Services;
use crate::store::{Store, StoreError};
use crate::web::{AppState, router};

#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
    #[error("file storage: {0}")]
    Files(#[from] crate::files::FileError),
    #[error("storage.backend = {0:?}: use \"fs\" or \"s3\"")]
    Backend(String),
}

/// Connects to the configured database and applies pending migrations.
pub async fn open_store(config: &Config) -> Result<Store, AppError> {
    let store = Store::connect(&config.database.url, config.database.max_connections).await?;
    store.migrate().await?;
    Ok(store)
}

/// The files, as `[storage]` says: on the local disk, or in an S3-compatible object store (its
/// bucket created when missing).
pub async fn open_files(store: &Store, config: &Config) -> Result<FileStore, AppError> {
    open_backend(store, config, &config.storage.backend).await
}

/// The files of one backend ("fs" or "s3") as `[storage]` configures it, whichever is in use
/// (`saraban storage migrate` copies from one to the other).
pub async fn open_backend(
    store: &Store,
    config: &Config,
    backend: &str,
) -> Result<FileStore, AppError> {
    let files = match backend.trim() {
        "" | "fs" => FileStore::local(
            &config.storage.root,
            std::sync::Arc::new(store.pack_index(PackHome::Disk)),
        ),
        "s3" => {
            // object_store's HTTP client needs a TLS provider chosen: ring, as everywhere here.
            let _ = rustls::crypto::ring::default_provider().install_default();
            FileStore::s3(
                &config.storage.s3,
                config.storage.root.join("staging"),
                std::sync::Arc::new(store.pack_index(PackHome::ObjectStore)),
            )?
        }
        other => return Err(AppError::Backend(other.to_string())),
    };
    files.ready().await?;
    Ok(files)
}

/// [`open_backend`] for a command that holds only the services.
pub async fn open_backend_of(
    services: &Services,
    config: &Config,
    backend: &str,
) -> Result<FileStore, AppError> {
    open_backend(services.store(), config, backend).await
}

/// The use cases over an opened store and its files.
pub async fn services(store: Store, config: &Config) -> Result<Services, AppError> {
    let files = open_files(&store, config).await?;
    Ok(services_with(store, files, config))
}

pub fn services_with(store: Store, files: FileStore, config: &Config) -> Services {
    let mut services = Services::new(store, files, config);
    let roots_file = &config.sender_auth.smime_roots;
    if !roots_file.as_os_str().is_empty() {
        // Unreadable roots leave signatures shown but not judged, loudly.
        match std::fs::read_to_string(roots_file)
            .map_err(|e| e.to_string())
            .and_then(|pem| crate::message::smime_verify::roots_from_pem(&pem))
        {
            Ok(roots) => services.smime_roots = std::sync::Arc::new(roots),
            Err(e) => tracing::error!(
                file = %roots_file.display(),
                error = %e,
                "sender_auth.smime_roots not read: S/MIME signatures are not judged"
            ),
        }
    }
    if config.sender_auth.verify {
        // A resolver that cannot be made (a bad name server setting) leaves mail unchecked,
        // loudly, rather than refusing to start the register.
        match crate::sender_auth::SenderChecker::new(&config.sender_auth) {
            Ok(checker) => {
                services.sender_auth = Some(crate::service::sender_checks::SenderAuth {
                    checker: std::sync::Arc::new(checker),
                    recheck_after: chrono::Duration::minutes(
                        config.sender_auth.recheck_minutes.max(1),
                    ),
                    batch_budget: std::time::Duration::from_secs(
                        config.sender_auth.batch_budget_secs.max(1),
                    ),
                    wake: Default::default(),
                    intake: Default::default(),
                })
            }
            Err(e) => tracing::error!(error = %e, "sender checks are off"),
        }
    }
    services
}

/// The whole web application over an opened store.
pub async fn build_router(store: Store, config: Config) -> Result<Router, AppError> {
    let services = services(store, &config).await?;
    Ok(router(AppState::new(services, config)))
}

/// The web application over services shared with the workers (so a letter queued on a page
/// wakes the outbox at once).
pub fn router_for(services: Services, config: Config) -> Router {
    router(AppState::new(services, config))
}

/// Only `/healthz`, `/readyz` and `/metrics`: what a `serve --role worker` process answers.
pub fn ops_router_for(services: Services, config: Config) -> Router {
    crate::web::ops_router(AppState::new(services, config))
}

/// Serves until `shutdown` resolves; the client's address reaches the handlers (login throttle).
pub async fn serve_on(
    listener: TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), AppError> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(AppError::Serve)
}

pub async fn bind(addr: &str) -> Result<TcpListener, AppError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| AppError::Listen {
            addr: addr.to_string(),
            source,
        })
}

/// Starts the background workers (the mail-in poller, the file-text reader, the outbox) until `shutdown` turns true.
pub fn spawn_workers(
    services: Services,
    config: &Config,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut workers = Vec::new();
    if config.mail.fetch {
        workers.push(tokio::spawn(crate::mail::poller::run(
            services.clone(),
            config.mail.clone(),
            shutdown.clone(),
        )));
    }
    workers.push(tokio::spawn(yearly_survey(
        services.clone(),
        shutdown.clone(),
    )));
    if config.text.extract {
        workers.push(tokio::spawn(crate::extract::worker::run(
            services.clone(),
            config.text.clone(),
            shutdown.clone(),
        )));
    }
    if services.sender_auth.is_some() {
        match crate::sender_auth::spawn_checks(services.clone(), shutdown.clone()) {
            // The thread is waited for like the tasks.
            Ok(thread) => workers.push(tokio::task::spawn_blocking(move || {
                if thread.join().is_err() {
                    tracing::error!("the sender checks' thread panicked");
                }
            })),
            Err(e) => tracing::error!(error = %e, "sender checks' thread not started"),
        }
    }
    if config.smtp.send {
        workers.push(tokio::spawn(crate::mail::outbox::run(
            services,
            config.smtp.clone(),
            shutdown,
        )));
    }
    workers
}

/// Once an hour: the destruction survey of every office whose window is open (January–February
/// by default), so the draft list is there when the clerk looks.
async fn yearly_survey(services: Services, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        let today = crate::domain::thai_date::to_bangkok(chrono::Utc::now()).date();
        match services.survey_due_offices(today).await {
            Ok(n) if n > 0 => tracing::info!(lists = n, "yearly destruction surveys made"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "yearly destruction survey"),
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
            _ = shutdown.changed() => {}
        }
    }
}
