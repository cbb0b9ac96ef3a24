//! A Customer.io connector for workflow platforms, built as a WebAssembly component.
//!
//! The crate is a plain-Rust core — operation catalog, request building, retries, typed errors —
//! that never touches wasm directly: the network and the clock come in through the
//! [`http::Transport`] and [`http::Clock`] traits. The `component` module (wasm32 only) is the thin
//! WIT export layer that implements those traits over WASI and converts types.
#![deny(missing_docs)]

pub mod auth;
pub mod call;
pub mod catalog;
pub mod engine;
pub mod entity;
pub mod error;
pub mod filter;
pub mod http;
pub mod identity;
pub mod messaging;
pub mod region;
pub mod run;
pub mod schema;
pub mod types;
pub mod util;

#[cfg(test)]
mod engine_tests;
#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod reliability_tests;
#[cfg(test)]
pub(crate) mod testing;

#[cfg(target_arch = "wasm32")]
mod component;
#[cfg(target_arch = "wasm32")]
mod wasi_impl;

pub use engine::Connector;
pub use error::{ConnectorError, ErrorKind, FixBy};
pub use types::*;
