// A stand-in for the original jrpc.js (the browser half of the Python `jrpc`
// package, not on any registry we can reach), written to the letter of its
// wire protocol, so that the legacy endpoint is tested from a real page:
//
// - `new JRPC.WebSocket(host, port, localMethods)` connects to ws://HOST:PORT
//   (no path);
// - `request(method, args, kwargs, callback, errback)` sends
//   `{"method","args","kwargs","id"}` (compact JSON.stringify, ids counting
//   from 0); `invoke(method, args, kwargs)` the same without an `id`;
// - a response `{"id","result","error"}` goes to `callback(result)`, or, when
//   `error` is set, to `errback(error, result)` (type name, message);
// - a message with a `method` calls `localMethods[method](args, kwargs)` and
//   answers with its result, or with the thrown error's name and message.
//   Like the original, it never answers a request whose id is 0 (a falsy id).
window.JRPC = {
  WebSocket: class {
    constructor(host, port, localMethods) {
      this.localMethods = localMethods || {};
      this.nextId = 0;
      this.waiting = {};
      /** Every message received, for the test to look at. */
      this.received = [];
      this.ws = new window.WebSocket("ws://" + host + ":" + port);
      this.opened = new Promise((resolve) => (this.ws.onopen = resolve));
      this.ws.onmessage = (event) => this.onmessage(JSON.parse(event.data));
    }

    request(method, args, kwargs, callback, errback) {
      const id = this.nextId++;
      this.waiting[id] = { callback, errback };
      this.ws.send(JSON.stringify({ method: method, args: args, kwargs: kwargs, id: id }));
    }

    invoke(method, args, kwargs) {
      this.ws.send(JSON.stringify({ method: method, args: args, kwargs: kwargs }));
    }

    onmessage(message) {
      this.received.push(message);
      if ("method" in message) {
        let response;
        try {
          const result = this.localMethods[message.method](message.args || [], message.kwargs || {});
          response = { id: message.id, result: result, error: null };
        } catch (e) {
          response = { id: message.id, result: e.message, error: e.name };
        }
        if (message.id) this.ws.send(JSON.stringify(response));
      } else if ("result" in message) {
        const waiting = this.waiting[message.id];
        delete this.waiting[message.id];
        if (message.error) waiting.errback(message.error, message.result);
        else waiting.callback(message.result);
      }
    }
  },
};
