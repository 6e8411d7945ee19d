"""wsjsonrpc's own client (PyPI `wsjsonrpc` 0.1.0), unchanged, against a
jrpc server: a call, a batch, a notification, a server-to-client callback
and errors, with the codec named on the command line (`json` or
`msgpack`). Prints what it got as one JSON object.

Usage: python wsjsonrpc_client.py HOST PORT PATH CODEC
"""

import json
import sys

from twisted.internet import defer, task

from wsjsonrpc import factory, jsoncodec, msgpackcodec


def greet(protocol, name):
    return "hello " + name


@defer.inlineCallbacks
def main(reactor, host, port, path, codec):
    codec = msgpackcodec if codec == "msgpack" else jsoncodec
    protocol = yield factory.get_client(
        hostname=host, port=port, path=path, codec=codec, timeout=10
    )
    protocol.factory.registerMethod("client.greet", greet)
    # Which kinds of frame the server sent: binary for msgpack, text for JSON.
    seen = set()
    on_message = protocol.onMessage

    def record(payload, is_binary):
        seen.add("binary" if is_binary else "text")
        return on_message(payload, is_binary)

    protocol.onMessage = record
    out = {}

    out["call"] = yield protocol.request("math.sum", [1, 2])

    batch = protocol.batch()
    batch.request("math.sum", [2, 3])
    batch.request("Add", {"a": 4, "b": 5})
    batch.notify("math.sum", [0, 0])
    results = defer.gatherResults(batch.deferreds, consumeErrors=1)
    batch.sendBatch()
    out["batch"] = yield results

    protocol.notify("test.note", ["from python"])

    out["callback"] = yield protocol.request(
        "demo.callback", {"method": "client.greet", "params": ["jrpc"]}
    )

    try:
        yield protocol.request("no.such.method", [])
    except Exception as e:
        out["error"] = [type(e).__name__, e.errno, e.message]

    try:
        yield protocol.request("Divide", [1, 0])
    except Exception as e:
        out["app_error"] = [type(e).__name__, e.errno, e.message]

    out["frames"] = sorted(seen)
    print(json.dumps(out), flush=True)
    protocol.sendClose()


if __name__ == "__main__":
    host, port, path, codec = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    task.react(main, (host, port, path, codec))
