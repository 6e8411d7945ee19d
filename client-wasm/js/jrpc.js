// The package's namespace: `new JRPC.WebSocket(url, options)`, `JRPC.Error`, `JRPC.Batch`.

import { Batch } from "./batch.js";
import { Client } from "./client.js";
import { JrpcError } from "./errors.js";

export const JRPC = { WebSocket: Client, Error: JrpcError, Batch };
