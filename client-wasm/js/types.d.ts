/** A JSON value, as sent and received. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Params of a call: an array is positional, an object is named. */
export type Params = JsonValue[] | { [key: string]: JsonValue };

/** A method the server may call: receives the params (spread if positional). */
export type BrowserMethod = (...args: any[]) => unknown | Promise<unknown>;

/**
 * The shape of an `Api` that `jrpc types` generates from a server's
 * `rpc.discover`: its methods (params and result), subscriptions (params
 * and items) and the methods it calls on its clients. `new
 * JRPC.WebSocket<Api>(url)` then checks every name, params and result.
 */
export interface ApiShape {
    methods: { [name: string]: { params: unknown; result: unknown } };
    subscriptions: { [name: string]: { params: unknown; item: unknown } };
    clientMethods: { [name: string]: { params: unknown; result: unknown } };
}

/** The API when none is given: any name, any params, any result. */
export interface AnyApi {
    methods: { [name: string]: { params: any; result: any } };
    subscriptions: { [name: string]: { params: any; item: any } };
    clientMethods: { [name: string]: { params: any; result: any } };
}

/** The names of an API's methods, subscriptions, and client methods. */
export type MethodName<A extends ApiShape> = Extract<keyof A["methods"], string>;
export type SubscriptionName<A extends ApiShape> = Extract<keyof A["subscriptions"], string>;
export type ClientMethodName<A extends ApiShape> = Extract<keyof A["clientMethods"], string>;

/** A name for the untyped forms: any string without an `Api`, none with one. */
type Untyped<A> = AnyApi extends A ? string : never;
type IsAny<T> = 0 extends 1 & T ? true : false;
/** The params argument: optional when the method needs none. */
type ParamsArg<P> = undefined extends P ? [params?: P] : [params: P];
/** The params, then the options. */
type ArgsWith<P, O> = undefined extends P ? [params?: P, options?: O] : [params: P, options?: O];
/** The arguments a browser method gets: positional params spread, named ones as one object. */
type SpreadParams<P> = P extends readonly unknown[] ? P : P extends undefined ? [] : [params: P];
/** A browser method of a typed API. */
export type ClientMethodFn<M> = M extends { params: infer P; result: infer R }
    ? IsAny<P> extends true
        ? BrowserMethod
        : (...args: SpreadParams<P>) => R | Promise<R>
    : BrowserMethod;

/** Reconnect settings: exponential backoff with jitter. */
export interface ReconnectOptions {
    /** Delay before the first attempt, in ms (default 250). */
    initialDelayMs?: number;
    /** Largest delay, in ms (default 30000). */
    maxDelayMs?: number;
    /** Attempts after a drop before giving up (default Infinity). */
    maxRetries?: number;
}

/** Options of `new JRPC.WebSocket(url, options)`. */
export interface ClientOptions<A extends ApiShape = AnyApi> {
    /** Methods the server may call, by name. */
    methods?: { [M in ClientMethodName<A>]?: ClientMethodFn<A["clientMethods"][M]> };
    /** Default per-call timeout in ms (default 30000). */
    timeoutMs?: number;
    /** Reconnect settings, or `false` for none (default: on, with the defaults). */
    reconnect?: ReconnectOptions | boolean;
    /** Calls that may wait for the socket to open (default 1024). */
    maxQueued?: number;
    /** Calls from the server that may run at once (default 1024). */
    maxInFlight?: number;
    /**
     * A browser cannot see WebSocket pings: when the server has sent nothing
     * for this long, the client asks it something (`rpc.ping`; any answer,
     * even "method not found", proves it alive) and, with no answer within
     * as long again, gives the connection up and reconnects (default 30000;
     * 0 or Infinity never asks).
     */
    heartbeatMs?: number;
    /**
     * Signs every connection in before anything else: the token it returns
     * (or resolves to) is sent as `rpc.auth`, on the first connection and
     * after every reconnect, and calls made meanwhile wait for it. A
     * failure (thrown, or refused by the server) is an `error` event, and
     * the client reconnects with backoff, asking again.
     */
    auth?: () => string | Promise<string>;
    /**
     * `"json-rpc"` (JSON-RPC 2.0, the default) or `"jrpc"`: the original jrpc
     * protocol, for an original jrpc server or jrpc-server's `--legacy-addr`.
     * Same API; a failure's type name (`"ZeroDivisionError"`) is in `data.type`.
     */
    dialect?: "json-rpc" | "jrpc";
}

/** Per-call options. */
export interface CallOptions {
    /** Timeout in ms for this call. */
    timeoutMs?: number;
    /** Aborting the signal rejects the call at once and cancels it at the server. */
    signal?: AbortSignal;
}

/** Options of `rpc.subscribe`: those of a call (for the subscribe request; aborting the signal later ends the subscription) and these. */
export interface SubscribeOptions extends CallOptions {
    /**
     * Called, in order with the items, when items were lost before the next
     * one: how many, or `null` when unknown (the server restarted, or its
     * history no longer reaches back). A slow reader's dropped items count too.
     */
    onGap?: (missed: number | null) => void;
    /** The unsubscribe method, when the name does not tell it (see `subscribe`). */
    unsubscribe?: string;
    /** Items kept while the app does not read them (default 1024); beyond, the oldest go and count as a gap. */
    bufferSize?: number;
}

/**
 * A live subscription: `for await (const item of sub)`. The iterator ends
 * when the server completes the subscription, rejects with a `JRPC.Error`
 * when it fails (or the client closes, or the signal aborts), and keeps
 * going across reconnects: the client resubscribes from the last item got.
 * Leaving a `for await` loop early unsubscribes.
 */
export interface Subscription<T = any> extends AsyncIterableIterator<T> {
    /**
     * Ends it here and at the server; resolves with the server's answer
     * (`false` when nothing was live there, e.g. while reconnecting), or
     * rejects with the server's error (a wrong unsubscribe method, say).
     */
    unsubscribe(): Promise<boolean>;
}

/** `"connecting"`, `"open"`, `"reconnecting"` or `"closed"`. */
export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

/** Fired when the connection opens (also after each reconnect). */
export interface OpenEvent { type: "open"; }
/** Fired when a connection closes. */
export interface CloseEvent { type: "close"; code: number; reason: string; wasClean: boolean; willReconnect: boolean; }
/** Fired before each reconnect attempt. */
export interface ReconnectingEvent { type: "reconnecting"; attempt: number; delayMs: number; }
/** Fired for problems that belong to no call (e.g. a binary frame from the server). */
export interface ErrorEvent { type: "error"; error: JRPC__Error; }

/** The events by name. */
export interface ClientEventMap {
    open: OpenEvent;
    close: CloseEvent;
    reconnecting: ReconnectingEvent;
    error: ErrorEvent;
}

/**
 * The error every failed call rejects with. `code` is the JSON-RPC error code:
 * the server's own, or -32002 (timeout), -32003 (connection closed or lost),
 * -32004 (too many calls queued), -32800 (cancelled). Throw one from a browser
 * method to answer with a specific code.
 */
declare class JRPC__Error extends Error {
    constructor(message: string, code?: number, data?: JsonValue);
    readonly code: number;
    readonly data?: JsonValue;
}

/** The builder a `batch` callback receives. */
declare class JRPC__Batch<A extends ApiShape = AnyApi> {
    private constructor();
    /** Adds a request; its result is at this position in the batch's results. */
    request<M extends MethodName<A>>(method: M, ...params: ParamsArg<A["methods"][M]["params"]>): void;
    /** Adds a notification. */
    invoke<M extends MethodName<A>>(method: M, ...params: ParamsArg<A["methods"][M]["params"]>): void;
    /** Same as `invoke`. */
    notify<M extends MethodName<A>>(method: M, ...params: ParamsArg<A["methods"][M]["params"]>): void;
}

/**
 * A two-way JSON-RPC 2.0 connection to a server. With the `Api` that
 * `jrpc types` generates (`new JRPC.WebSocket<Api>(url)`), every method
 * name, params and result is checked at compile time; without, anything goes.
 */
declare class JRPC__WebSocket<A extends ApiShape = AnyApi> {
    /** Connects to `url` (e.g. `"ws://127.0.0.1:8080/rpc"`). */
    constructor(url: string, options?: ClientOptions<A>);
    /** The original jrpc.js form: connects to `ws://host:port/rpc`. */
    constructor(host: string, port: number | string, localMethods?: Record<string, BrowserMethod>, onOpen?: () => void);
    /** Resolves once the connection is first open; rejects if it closes for good before. */
    readonly ready: Promise<void>;
    /** The connection's state. */
    readonly state: ConnectionState;
    /** The server's URL. */
    readonly url: string;
    /** Calls `method`; resolves with its result or rejects with a `JRPC.Error`. */
    request<M extends MethodName<A>>(method: M, ...args: ArgsWith<A["methods"][M]["params"], CallOptions>): Promise<A["methods"][M]["result"]>;
    /** Without an `Api`: the result's type as a type argument, `request<number>("Add", [1, 2])`. */
    request<T = any>(method: Untyped<A>, params?: Params, options?: CallOptions): Promise<T>;
    /** The original form: named `kwargs` when `args` is empty, optional callbacks. */
    request<T = any>(
        method: Untyped<A>,
        args: JsonValue[] | undefined,
        kwargs: { [key: string]: JsonValue } | undefined,
        onSuccess?: (result: T) => void,
        onError?: (error: JRPC__Error) => void,
    ): Promise<T | void>;
    /** Sends a notification (no answer). */
    invoke<M extends MethodName<A>>(method: M, ...params: ParamsArg<A["methods"][M]["params"]>): void;
    /** Same as `invoke`. */
    notify<M extends MethodName<A>>(method: M, ...params: ParamsArg<A["methods"][M]["params"]>): void;
    /** Sends several calls as one message; resolves with the requests' results in order. */
    batch<T extends any[] = any[]>(build: (batch: JRPC__Batch<A>) => void, options?: CallOptions): Promise<T>;
    /**
     * Subscribes: resolves, once the server accepted, with the items as an
     * async iterator. `name` is the subscribe method when it holds
     * `subscribe` (`"eth_subscribe"`: unsubscribe `"eth_unsubscribe"`),
     * else the subscription's name (`"demo.ticks"`: methods
     * `"demo.ticks.subscribe"` and `"demo.ticks.unsubscribe"`).
     * JSON-RPC 2.0 only (not the `"jrpc"` dialect).
     */
    subscribe<S extends SubscriptionName<A>>(
        name: S,
        ...args: ArgsWith<A["subscriptions"][S]["params"], SubscribeOptions>
    ): Promise<Subscription<A["subscriptions"][S]["item"]>>;
    /** Without an `Api`: the items' type as a type argument. */
    subscribe<T = any>(name: Untyped<A>, params?: Params, options?: SubscribeOptions): Promise<Subscription<T>>;
    /** Makes `method` callable by the server (replacing an earlier one). */
    register<M extends ClientMethodName<A>>(method: M, handler: ClientMethodFn<A["clientMethods"][M]>): void;
    /** Removes a browser method; returns whether it existed. */
    unregister(method: string): boolean;
    addEventListener<K extends keyof ClientEventMap>(type: K, listener: (event: ClientEventMap[K]) => void): void;
    removeEventListener<K extends keyof ClientEventMap>(type: K, listener: (event: ClientEventMap[K]) => void): void;
    /** Closes the connection for good: waiting calls reject with code -32003. */
    close(): void;
    /**
     * Does nothing; kept from earlier versions. Like a browser WebSocket, the
     * connection lives until `close()`, not until garbage collection.
     */
    free(): void;
}

/** A client, as a type: `Client<Api>` for one typed by a generated `Api` (handy in JSDoc). */
export type Client<A extends ApiShape = AnyApi> = JRPC__WebSocket<A>;

/** The package's classes. */
export declare const JRPC: {
    Batch: typeof JRPC__Batch,
    Error: typeof JRPC__Error,
    WebSocket: typeof JRPC__WebSocket,
};
