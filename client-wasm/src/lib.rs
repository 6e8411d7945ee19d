//! # jrpc-client-wasm
//!
//! The browser side of jrpc: the `JRPC.WebSocket` JavaScript class for
//! two-way JSON-RPC 2.0 over WebSocket, as an npm package.
//!
//! The package is two layers. This crate is the lower one: the protocol
//! engine of [`jrpc_shared`], the same one the native server runs, compiled to
//! wasm and exported as one class, `Engine` (ids, request text, parsing and
//! classifying frames, dispatch, batches, cancellation, subscriptions,
//! limits, error objects; feature `engine`, the default). Built with only
//! feature `dialect`, it is instead the second, optional module: `translate`,
//! the original jrpc dialect's translators, which the driver fetches only for
//! a client that chooses that dialect. The upper layer is the browser driver in `js/`, hand-written
//! JavaScript: the socket, promises, timeouts, `AbortSignal`s, the queue of
//! calls made before the socket opens, reconnects, events and the options. A
//! driver written in JavaScript keeps promises, closures and strings on the
//! JavaScript side: the wasm holds no callbacks and formats no messages, which
//! keeps the package small and each call to a few crossings.
//!
//! Invariants: the engine decides everything the protocol decides (the driver
//! never reads or writes JSON-RPC itself); nothing here panics on network
//! input; the engine never runs JavaScript code of the app (it reports to the
//! driver's [`Sink`], which defers app code until the engine returns).
//!
//! The crate is `no_std` (and builds [`jrpc_shared`] without `std`): std's
//! panic machinery would link `core::fmt` and its tables into the wasm,
//! although nothing here formats anything. In the wasm, a panic (there is
//! none on any path input reaches) traps, as `panic = "abort"` does anyway.

// Unit tests run natively, on std and its test harness.
// `no_std` where it ships (wasm32); a native build (unit tests, `cargo test
// -p jrpc-client-wasm`) links std, which brings the panic handler.
#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]

extern crate alloc;

#[cfg(feature = "dialect")]
mod dialect;
#[cfg(feature = "engine")]
mod engine;
#[cfg(feature = "engine")]
mod sink;
#[cfg(feature = "engine")]
mod utf16;

#[cfg(feature = "dialect")]
pub use dialect::translate;
#[cfg(feature = "engine")]
pub use engine::Engine;
#[cfg(feature = "engine")]
pub use sink::Sink;

/// The allocator, which std would otherwise bring (std's is dlmalloc;
/// talc frees and reuses memory as well, in about 4 KiB less wasm). It grows
/// the wasm memory as needed and extends its heap into the new pages.
#[cfg(all(target_arch = "wasm32", not(test)))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// A panic traps: the JavaScript driver sees a `RuntimeError`, as it would
/// under std with `panic = "abort"`, without std's message formatting.
#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
