"""ripcord's moto launcher: moto's standalone server plus our fixes to it.

    .venv/bin/python tests/moto/launch.py --port PORT [--host 127.0.0.1]
        [--latency-ms N] [--account-id ID] [--log-requests] [--no-patches]
        [--execute-state-machines]

Protocol (what the Rust tests rely on): once the socket is listening, exactly
one line `READY http://HOST:PORT` is printed on stdout and flushed; nothing
else is ever written to stdout. With --port 0 the kernel picks a free port and
the READY line carries the real one. SIGTERM or SIGINT stops the server and
the process exits 0.
"""

import argparse
import ipaddress
import logging
import os
import signal
import sys
import time


def loopback_host(value: str) -> str:
    # The live tests must never expose a fake AWS beyond this machine.
    if value != "localhost" and not ipaddress.ip_address(value).is_loopback:
        raise argparse.ArgumentTypeError(f"{value} is not a loopback address")
    return value


def account_id(value: str) -> str:
    if not (len(value) == 12 and value.isdigit()):
        raise argparse.ArgumentTypeError(f"{value} is not a 12-digit AWS account id")
    return value


def with_latency(app, seconds: float):
    """Delay every request before moto sees it, to emulate network round trips.

    The server is threaded, so concurrent requests wait in parallel, as they
    would on a real network link.
    """

    def delayed(environ, start_response):
        time.sleep(seconds)
        return app(environ, start_response)

    return delayed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True, help="0 = pick a free port")
    parser.add_argument("--host", type=loopback_host, default="127.0.0.1")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument(
        "--account-id",
        type=account_id,
        help="AWS account moto reports and puts in ARNs (default 123456789012)",
    )
    parser.add_argument(
        "--log-requests",
        action="store_true",
        help="log every request on stderr (off by default: a parent that does "
        "not drain our stderr pipe would otherwise block the server)",
    )
    parser.add_argument(
        "--no-patches",
        action="store_true",
        help="serve upstream moto unchanged, to check what it does on its own",
    )
    parser.add_argument(
        "--execute-state-machines",
        action="store_true",
        help="run Step Functions executions (moto's ASL interpreter; its aws-sdk tasks "
        "call back into this server)",
    )
    args = parser.parse_args()

    def stop(signum, frame):
        # Raised in the main thread, this unwinds serve_forever() (or the slow
        # imports below, if the parent gives up early) and we exit 0.
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if args.account_id:
        # moto reads this on every request, ahead of any header or access key.
        os.environ["MOTO_ACCOUNT_ID"] = args.account_id

    # Without its ~6,000 stock AMIs, which moto would load for every region on the first EC2
    # request (seconds each) and list in full for DescribeImages. Nothing here looks an image
    # up: launch templates name a fixed id, which moto does not validate (AMI validation is off).
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

    # Imported only now so that bad arguments fail fast: moto takes ~1.5 s.
    from werkzeug.serving import make_server

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )

    if not args.no_patches:
        # No __pycache__ in the work tree (it is not git-ignored).
        sys.dont_write_bytecode = True
        import ripcord_moto_patches  # lives next to this file

        ripcord_moto_patches.apply()

    if not args.log_requests:
        # Errors (tracebacks of 500s) are logged at ERROR and stay visible.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    app = DomainDispatcherApplication(create_backend_app)
    if not args.no_patches:
        # CloudWatch in the protocol the AWS SDK for Rust speaks (rpcv2cbor.py says why).
        import rpcv2cbor

        app = rpcv2cbor.middleware(app)
    if args.latency_ms > 0:
        app = with_latency(app, args.latency_ms / 1000.0)

    server = make_server(
        args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler
    )

    host, port = server.server_address[:2]
    if args.execute_state_machines:
        # moto sends an execution's aws-sdk tasks with boto3 to localhost:$MOTO_PORT, read
        # at each task: the real port is only known once the socket is bound.
        os.environ["MOTO_PORT"] = str(port)
        from moto.core.config import default_user_config

        default_user_config["stepfunctions"]["execute_state_machine"] = True
    if ":" in host:
        host = f"[{host}]"
    print(f"READY http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    code = main()
    # Skip interpreter teardown: finalizing moto's module graph takes ~0.4 s,
    # and every live test pays for it when it stops its server.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
