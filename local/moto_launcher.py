"""Start moto's server on a free loopback port and print that port.

Used by the tests and the demo (DESIGN.md §5); never shipped. Run with the project venv's python:

    .venv-emulator/bin/python local/moto_launcher.py [--host 127.0.0.1] [--port 0]

Prints one line `MOTO_READY port=<n>` once the socket listens, then serves until SIGTERM/SIGINT.
Binding port 0 here (rather than probing for a free port and passing it on) leaves no window in
which another process can take the port.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys


def neutralise_conditional_bucket_policy_denial() -> None:
    """Make moto ignore bucket-policy statements that carry a Condition.

    moto 5.2 evaluates a bucket policy on every object request (FakeBucket.get_permission) but
    cannot evaluate conditions: a statement with a Condition is applied as if the condition held.
    A correct tenant bucket policy denies requests where aws:SecureTransport is false and denies
    principals other than the tenant role (both conditional), so moto would refuse every object
    read and write. Weakening the policy would make the real one untested, so instead the emulator
    skips conditional statements. Authorisation of the data path (including these conditions) is
    the local SFTP gateway's job, which evaluates the policies as AWS does.
    Condition-free statements are still evaluated by moto exactly as before.
    """
    import json

    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self, action: str, resource: str):  # type: ignore[no-untyped-def]
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy.decode())
        statements = document.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        unconditional = [s for s in statements if "Condition" not in s]
        if not unconditional:
            return PermissionResult.NEUTRAL
        document["Statement"] = unconditional
        return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    neutralise_conditional_bucket_policy_denial()

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(args.host, args.port, app, threaded=True)
    port = server.socket.getsockname()[1]
    # moto builds some URLs (e.g. presigned ones) from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)

    def stop(_signum, _frame):  # type: ignore[no-untyped-def]
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"MOTO_READY port={port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
