// JRPC.Error and the errors this side raises (codes of jrpc_shared::code).

import { stringify } from "./json.js";

export const INTERNAL_ERROR = -32603;
export const REQUEST_TIMEOUT = -32002;
export const CONNECTION_CLOSED = -32003;
export const QUEUE_FULL = -32004;
export const REQUEST_CANCELLED = -32800;

/**
 * The error every failed call rejects with: a real Error with `code` and
 * `data`. A browser method may throw one to answer with that code and data.
 */
export class JrpcError extends Error {
  constructor(message, code, data) {
    super(message);
    this.name = "JRPC.Error";
    this.code = code ?? INTERNAL_ERROR;
    if (data !== undefined) this.data = data;
  }
}

/** The error of a call whose AbortSignal was aborted. */
export const aborted = () => new JrpcError("Request cancelled: its AbortSignal was aborted", REQUEST_CANCELLED);

/** The error of a call made on a closed client. */
export const closed = () => new JrpcError("the client is closed", CONNECTION_CLOSED);

/**
 * The JSON-RPC error object for a value a browser method threw: an Error with
 * an integer `code` keeps its code (and `data`), anything else is -32603.
 */
export function describeThrown(e) {
  try {
    const hasCode = e !== null && typeof e === "object" && Number.isInteger(e.code);
    const message = e instanceof Error || (e !== null && typeof e === "object" && typeof e.message === "string")
      ? e.message
      : String(e);
    const error = { code: hasCode ? e.code : INTERNAL_ERROR, message: hasCode ? message : `Internal error: ${message}` };
    if (hasCode && e.data !== undefined) {
      try {
        error.data = JSON.parse(stringify(e.data));
      } catch {
        // Data that cannot be sent is left out rather than failing the reply.
      }
    }
    return error;
  } catch {
    // Exotic throwables (no prototype, revoked Proxy) must still get an answer.
    return { code: INTERNAL_ERROR, message: "Internal error: the method threw a value that cannot be described" };
  }
}
