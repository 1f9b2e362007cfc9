//! `saraban bench`: measurements against real servers on loopback, printed as figures.

pub mod ingest;
pub mod maillab;
pub mod send;
