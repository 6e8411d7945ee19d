//! # jrpc-cli
//!
//! The programs of jrpc and what only they need: the `jrpc` command-line
//! client ([`cli`]) and the methods the `jrpc-server` binary hosts
//! ([`demo`]). An application embedding a server or a client depends on
//! the `jrpc` library instead, which carries none of this (no clap, no
//! tracing-subscriber).

pub mod cli;
pub mod demo;
