"""ripcord's fault-injecting proxy: stands in front of moto and breaks what a test says.

    .venv/bin/python tests/moto/faultproxy.py --upstream http://127.0.0.1:PORT --port 0
        [--host 127.0.0.1] [--seed N] [--rules JSON]

A regional outage, lost answers, throttling and hangs, by region, service and
operation, for the fault tests of the live backend. Each request is matched by
what its SigV4 signature names (`Credential=KEY/DATE/REGION/SERVICE/...`) and by
its operation (the query protocol's `Action`, the JSON protocols' `X-Amz-Target`,
else `METHOD /path`).

Protocol (as launch.py): once listening, exactly one line `READY http://HOST:PORT`
on stdout; SIGTERM or SIGINT stops it and it exits 0. Control endpoints, not
forwarded (a test changes faults while the proxy runs):

    PUT  /__faults   body: a JSON list of rules (replaces them; the log is kept)
    GET  /__log      the requests seen so far, as a JSON list
    DELETE /__log    forget them

A rule (every key but `fault` optional; the first rule that matches decides):

    {"region": "us-east-1", "service": "ec2", "operation": "CreateSnapshot",
     "fault": "refuse" | "status" | "hang" | "lose" | "throttle",
     "status": 503, "seconds": 30, "probability": 1.0, "first": N}

- `refuse`: the connection is reset without an answer (nothing reaches moto);
- `status`: answer HTTP `status` (default 503) with an empty body (nothing reaches moto);
- `hang`: hold the request `seconds` (default 30), then reset it (nothing reaches moto):
  the client's own timeout ends it first;
- `lose`: moto carries the request out, then the answer is replaced by HTTP `status`
  (default 503), or by a reset with `"status": 0`: the lost answer;
- `throttle`: answer the service's own throttling error (nothing reaches moto).

`probability` (default 1) and `first` (only the first N requests the rule matches)
make faults partial. Decisions are deterministic: the k-th request a rule matches
(counted per rule, region, service and operation) is faulted when a hash of
(seed, rule, region, service, operation, k) falls below the probability, so the
same sequence of requests gets the same faults whatever the thread timing.

The log records every request: region, service, operation, the fault applied
(or null) and whether it reached moto (`forwarded`), so a test counts how many
times an operation really took effect.
"""

import argparse
import hashlib
import http.client
import ipaddress
import json
import re
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREDENTIAL = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")

# The error each service answers when it throttles a caller (its protocol's shape).
THROTTLING = {
    "ec2": (503, "RequestLimitExceeded", "ec2"),
    "route53": (400, "Throttling", "route53"),
    "route53:change": (400, "PriorRequestNotComplete", "route53"),
    "s3": (503, "SlowDown", "s3"),
    "json": (400, "ThrottlingException", "json"),
    "query": (400, "Throttling", "query"),
}


def loopback_host(value: str) -> str:
    if value != "localhost" and not ipaddress.ip_address(value).is_loopback:
        raise argparse.ArgumentTypeError(f"{value} is not a loopback address")
    return value


def throttling_body(service: str, operation: str):
    """The status, content type and body of `service`'s throttling error."""
    if service == "route53":
        key = "route53:change" if operation.startswith("POST") and "rrset" in operation else "route53"
    elif service in ("ec2", "s3"):
        key = service
    elif service in ("dynamodb", "ecs", "states", "monitoring-json"):
        key = "json"
    else:
        key = "query"
    status, code, shape = THROTTLING[key]
    message = "Rate exceeded"
    if shape == "json":
        body = json.dumps({"__type": code, "message": message})
        return status, "application/x-amz-json-1.0", body
    if shape == "ec2":
        body = (
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error>"
            f"<Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            "<RequestID>faultproxy</RequestID></Response>"
        )
        return status, "text/xml", body
    if shape == "s3":
        body = f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
        return status, "application/xml", body
    if shape == "route53":
        body = (
            "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
            f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>faultproxy</RequestId></ErrorResponse>"
        )
        return status, "text/xml", body
    body = (
        "<ErrorResponse><Error><Type>Sender</Type>"
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>faultproxy</RequestId></ErrorResponse>"
    )
    return status, "text/xml", body


class Faults:
    """The rules in force, the per-rule counters and the request log (shared by threads)."""

    def __init__(self, seed: int, rules):
        self.seed = seed
        self.lock = threading.Lock()
        self.rules = list(rules)
        self.counters = {}
        self.log = []

    def set_rules(self, rules):
        with self.lock:
            self.rules = list(rules)
            self.counters = {}

    def decide(self, region: str, service: str, operation: str):
        """The rule that faults this request, if any (counting it against that rule)."""
        with self.lock:
            for index, rule in enumerate(self.rules):
                if not all(
                    rule.get(key, "*") in ("*", value)
                    for key, value in (("region", region), ("service", service), ("operation", operation))
                ):
                    continue
                key = (index, region, service, operation)
                k = self.counters.get(key, 0)
                self.counters[key] = k + 1
                first = rule.get("first")
                if first is not None and k >= first:
                    continue
                probability = float(rule.get("probability", 1.0))
                if probability < 1.0:
                    digest = hashlib.sha256(
                        f"{self.seed}|{index}|{region}|{service}|{operation}|{k}".encode()
                    ).digest()
                    draw = struct.unpack(">Q", digest[:8])[0] / 2**64
                    if draw >= probability:
                        continue
                return rule
            return None

    def record(self, entry):
        with self.lock:
            self.log.append(entry)

    def entries(self):
        with self.lock:
            return list(self.log)

    def clear(self):
        with self.lock:
            self.log = []


def operation_of(headers, path: str, method: str, body: bytes) -> str:
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    content_type = headers.get("Content-Type", "")
    if "x-www-form-urlencoded" in content_type and body:
        action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return action[0]
    query = urllib.parse.urlparse(path).query
    action = urllib.parse.parse_qs(query).get("Action")
    if action:
        return action[0]
    return f"{method} {urllib.parse.urlparse(path).path}"


def make_handler(upstream: urllib.parse.ParseResult, faults: Faults):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # quiet: the log endpoint tells all
            pass

        def reset(self):
            # An RST, not a FIN: the client sees the connection fail, not an empty answer.
            try:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            except OSError:
                pass
            self.close_connection = True
            try:
                self.connection.close()
            except OSError:
                pass

        def answer(self, status: int, content_type: str, body: bytes):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-amzn-RequestId", "faultproxy")
            self.end_headers()
            self.wfile.write(body)

        def read_body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def control(self, body: bytes) -> bool:
            path = urllib.parse.urlparse(self.path).path
            if path == "/__faults" and self.command == "PUT":
                faults.set_rules(json.loads(body or b"[]"))
                self.answer(200, "application/json", b"{}")
                return True
            if path == "/__log" and self.command == "GET":
                self.answer(200, "application/json", json.dumps(faults.entries()).encode())
                return True
            if path == "/__log" and self.command == "DELETE":
                faults.clear()
                self.answer(200, "application/json", b"{}")
                return True
            return False

        def forward(self, body: bytes):
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=300)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            result = (response.status, response.getheaders(), data)
            connection.close()
            return result

        def handle_any(self):
            body = self.read_body()
            if self.control(body):
                return
            match = CREDENTIAL.search(self.headers.get("Authorization", ""))
            region, service = (match.group(1), match.group(2)) if match else ("", "")
            operation = operation_of(self.headers, self.path, self.command, body)
            rule = faults.decide(region, service, operation)
            fault = rule.get("fault") if rule else None
            entry = {
                "region": region,
                "service": service,
                "operation": operation,
                "fault": fault,
                "forwarded": fault in (None, "lose"),
                "at": time.time(),
            }
            faults.record(entry)
            if fault == "refuse":
                return self.reset()
            if fault == "status":
                return self.answer(int(rule.get("status", 503)), "text/plain", b"")
            if fault == "hang":
                time.sleep(float(rule.get("seconds", 30)))
                return self.reset()
            if fault == "throttle":
                status, content_type, text = throttling_body(service, operation)
                return self.answer(status, content_type, text.encode())
            try:
                status, headers, data = self.forward(body)
            except OSError as err:
                return self.answer(502, "text/plain", f"faultproxy: upstream: {err}".encode())
            if fault == "lose":
                lost = int(rule.get("status", 503))
                if lost == 0:
                    return self.reset()
                return self.answer(lost, "text/plain", b"")
            self.send_response(status)
            for name, value in headers:
                if name.lower() in ("transfer-encoding", "connection", "content-length"):
                    continue
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any

    return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--upstream", required=True, help="moto's URL, http://127.0.0.1:PORT")
    parser.add_argument("--port", type=int, required=True, help="0 = pick a free port")
    parser.add_argument("--host", type=loopback_host, default="127.0.0.1")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rules", default="[]", help="the initial rules, as JSON")
    args = parser.parse_args()
    upstream = urllib.parse.urlparse(args.upstream)
    if not upstream.hostname or not ipaddress.ip_address(
        socket.gethostbyname(upstream.hostname)
    ).is_loopback:
        parser.error("--upstream must be on loopback")

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    faults = Faults(args.seed, json.loads(args.rules))
    server = ThreadingHTTPServer((args.host, args.port), make_handler(upstream, faults))
    server.daemon_threads = True
    host, port = server.server_address[:2]
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
    sys.stdout.flush()
    sys.exit(code)
