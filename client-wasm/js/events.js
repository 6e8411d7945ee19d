// The client's own events: open, close, reconnecting, error.

/** The event types the client emits. */
const TYPES = ["open", "close", "reconnecting", "error"];

export class Listeners {
  constructor() {
    this.byType = new Map(TYPES.map((t) => [t, []]));
  }

  add(type, listener) {
    const list = this.byType.get(type);
    if (!list) throw new TypeError(`jrpc: unknown event "${type}"; the events are ${TYPES.join(", ")}`);
    if (typeof listener !== "function") throw new TypeError("jrpc: an event listener must be a function");
    // Like the DOM: adding the same listener twice has no effect.
    if (!list.includes(listener)) list.push(listener);
  }

  remove(type, listener) {
    const list = this.byType.get(type);
    const i = list ? list.indexOf(listener) : -1;
    if (i >= 0) list.splice(i, 1);
  }

  /** Calls each listener of `event.type`; one that throws is reported, not propagated. */
  emit(event) {
    // A copy: a listener may add or remove listeners.
    for (const listener of [...this.byType.get(event.type)]) {
      try {
        listener(event);
      } catch (e) {
        console.warn("jrpc: an event listener threw:", e);
      }
    }
  }
}
