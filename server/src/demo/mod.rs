//! The methods hosted by the `jrpc-server` binary.
