"""Runs the original `jrpc` command line (PyPI `jrpc` 0.1.2) unchanged in
what it does, with the small fixes it needs to run on Python 3.11 and
today's autobahn, applied to this virtualenv's own copy:

- `collections.MutableMapping` moved to `collections.abc` (Python 3.10);
- autobahn's `createWsUrl` is now `autobahn.websocket.util.create_url`;
- autobahn's `sendMessage` takes bytes, where Python 2 had `str`;
- the script's Python 2 `print` statements;
- it always connected to localhost:9000: the host and port are the tests'.

Usage: python original_jrpc_cli.py HOST PORT METHOD [-a ARGS] [-k KWARGS]
"""

import importlib.util
import os
import subprocess
import sys
import tempfile


def patch(path, fixes):
    with open(path) as f:
        text = f.read()
    for old, new in fixes:
        text = text.replace(old, new)
    with open(path, "w") as f:
        f.write(text)


def fix_package():
    spec = importlib.util.find_spec("jrpc")
    root = spec.submodule_search_locations[0]
    patch(os.path.join(root, "dispatcher.py"), [
        ("collections.MutableMapping", "collections.abc.MutableMapping"),
        ("import collections\n", "import collections.abc\n"),
    ])
    patch(os.path.join(root, "factory.py"), [
        ("from autobahn.websocket.protocol import createWsUrl",
         "from autobahn.websocket.util import create_url as createWsUrl"),
    ])
    patch(os.path.join(root, "manager.py"), [
        ("sendMessage(request.json())", "sendMessage(request.json().encode())"),
        ("sendMessage(response.json())", "sendMessage(response.json().encode())"),
    ])


def fixed_script(host, port):
    with open(os.path.join(sys.prefix, "bin", "jrpc")) as f:
        text = f.read()
    for old, new in [
        ("print msg", "print(msg)"),
        ("print failure.value", "print(failure.value)"),
        ("JRPCClientEndpoint(CallProtocol)",
         "JRPCClientEndpoint(CallProtocol, host=%r, port=%d)" % (host, port)),
    ]:
        text = text.replace(old, new)
    script = tempfile.NamedTemporaryFile("w", suffix=".py", delete=False)
    script.write(text)
    script.close()
    return script.name


def main():
    host, port, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    fix_package()
    script = fixed_script(host, port)
    try:
        done = subprocess.run([sys.executable, script] + args, timeout=30)
    finally:
        os.unlink(script)
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
