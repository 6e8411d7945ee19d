//! Whether a call the engine accepted may run: the connection's rate limit
//! first, then the method's need of a signed-in caller. One decision for a
//! WebSocket connection and for an HTTP POST alike.

use jrpc_shared::ErrorObject;
use tokio::time::Instant;

use crate::meter::Meter;
use crate::rate::Bucket;
use crate::{Connection, MethodSet};

/// The error to answer a call to `method` with instead of running it, if
/// any (counted in the server's metrics); `None` when it may run.
pub(crate) fn refusal(
    rate: Option<&mut Bucket>,
    methods: &MethodSet,
    method: &str,
    conn: &Connection,
    meter: &Meter,
) -> Option<ErrorObject> {
    let refusal = rate
        .and_then(|bucket| bucket.refusal(Instant::now()))
        .or_else(|| crate::auth::refusal(methods, method, conn))?;
    meter.refused_call(method, refusal.code);
    Some(refusal)
}
