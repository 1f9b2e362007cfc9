//! `saraban serve [--demo]` and `saraban demo`.

use saraban::demo;
use saraban::service::Services;

use super::{Ctx, describe};

/// What one `serve` process does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    All,
    Web,
    Worker,
}

/// Serves the web pages and runs the workers (mail in, the outbox) until Ctrl-C or SIGTERM; with
/// a role, only one of the two (the worker still answers the operator's routes).
pub async fn run(ctx: &Ctx, with_demo: bool, role: Role) -> anyhow::Result<()> {
    if with_demo {
        print_demo(&ctx.services).await?;
    }
    let listener = saraban::app::bind(&ctx.config.server.listen).await?;
    let addr = listener.local_addr()?;
    let router = match role {
        Role::Worker => {
            println!("saraban worker is running (health and metrics on http://{addr}/metrics)");
            saraban::app::ops_router_for(ctx.services.clone(), ctx.config.clone())
        }
        Role::All | Role::Web => {
            println!("saraban is running: http://{addr}/");
            saraban::app::router_for(ctx.services.clone(), ctx.config.clone())
        }
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let workers = match role {
        Role::Web => Vec::new(),
        Role::All | Role::Worker => {
            saraban::app::spawn_workers(ctx.services.clone(), &ctx.config, stop_rx)
        }
    };
    saraban::app::serve_on(listener, router, shutdown_signal()).await?;
    let _ = stop_tx.send(true);
    for w in workers {
        let _ = w.await;
    }
    Ok(())
}

pub async fn print_demo(services: &Services) -> anyhow::Result<()> {
    let logins = demo::create(services).await.map_err(describe)?;
    println!("Demo logins (password for all: {}):", demo::DEMO_PASSWORD);
    for l in logins {
        println!("  {:<16} {:<9} office {}", l.username, l.role, l.office);
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
