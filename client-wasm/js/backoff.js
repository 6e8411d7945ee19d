// Reconnect delays: exponential backoff with "equal jitter".

/** Settings of the `reconnect` option. */
export const DEFAULT_BACKOFF = { initialDelayMs: 250, maxDelayMs: 30000, maxRetries: Infinity };

/**
 * The delay before reconnect attempt `attempt` (0-based), for `random` in
 * [0, 1): it doubles per attempt up to the maximum, and the jitter keeps it
 * between half and all of that, so clients dropped together by a server
 * restart do not come back in lockstep.
 */
export function delayMs(backoff, attempt, random) {
  const ceiling = Math.max(0, Math.min(backoff.initialDelayMs * 2 ** Math.min(attempt, 60), backoff.maxDelayMs));
  return ceiling / 2 + (ceiling / 2) * Math.min(Math.max(random, 0), 1);
}
