"""ripcord's fault-injecting proxy: stands in front of moto and breaks what a test says.

    .venv/bin/python tests/moto/faultproxy.py --upstream http://127.0.0.1:PORT --port 0
        [--host 127.0.0.1] [--seed N] [--rules JSON]

A regional outage, lost answers, throttling and hangs, by region, service and
operation, for the fault tests of the live backend. Each request is matched by
what its SigV4 signature names (`Credential=KEY/DATE/REGION/SERVICE/...`) and by
its operation (the query protocol's `Action`, the JSON protocols' `X-Amz-Target`,
RPC v2 CBOR's `/service/S/operation/OP`, the REST APIs' routes ripcord uses for Route 53
and S3 (`REST_ROUTES`), else `METHOD /path`).

Protocol (as launch.py): once listening, exactly one line `READY http://HOST:PORT`
on stdout; SIGTERM or SIGINT stops it and it exits 0. Control endpoints, not
forwarded (a test changes faults while the proxy runs):

    PUT  /__faults   body: a JSON list of rules (replaces them; the log is kept);
                     400 with {"error": ...} for a list that is not rules
    GET  /__log      the requests seen so far, as a JSON list
    DELETE /__log    forget them

A rule (every key but `fault` optional; the first rule that matches decides):

    {"region": "us-east-1", "service": "ec2", "operation": "CreateSnapshot",
     "fault": "pass" | "refuse" | "status" | "hang" | "lose" | "throttle" | "quota",
     "status": 503, "seconds": 30, "probability": 1.0, "first": N,
     "rate": 10, "burst": 10, "per_operation": false}

- `pass`: the request goes to moto untouched, and no later rule is asked: an exception
  carved out of a broader rule, e.g. `[{"service": "route53", "fault": "pass"},
  {"region": "us-east-1", "fault": "status"}]` is us-east-1 down but Route 53 (whose
  SigV4 scope is us-east-1) answering; logged as no fault (`null`);
- `refuse`: the connection is reset without an answer (nothing reaches moto);
- `status`: answer HTTP `status` (default 503) with an empty body (nothing reaches moto);
- `hang`: hold the request `seconds` (default 30), then reset it (nothing reaches moto):
  the client's own timeout ends it first;
- `lose`: moto carries the request out, then the answer is replaced by HTTP `status`
  (default 503), or by a reset with `"status": 0`: the lost answer;
- `throttle`: answer the service's own throttling error (nothing reaches moto);
- `quota`: AWS's request quota, a token bucket on wall time (full at first, `burst`
  tokens, `rate` added a second) per rule, region and service (and operation with
  `"per_operation": true`, as EC2 counts them): a request that finds a token goes to moto
  untouched (logged as no fault), one that finds none gets the service's throttling
  error (`Throttling` for all of Route 53's API, `RequestLimitExceeded`, ...), logged as
  `throttle` with `"quota": true`. A throttled request takes no token, as at AWS.

`probability` (default 1) and `first` (only the first N requests the rule matches)
make faults partial. Decisions are deterministic: the k-th request a rule matches
(counted per rule, region, service and operation) is faulted when a hash of
(seed, rule, region, service, operation, k) falls below the probability, so the
same sequence of requests gets the same faults whatever the thread timing.

The log records every request: region, service, operation, the fault applied
(or null, also for `pass`), the index of the rule that decided (`rule`, or null)
and whether it reached moto (`forwarded`), so a test counts how many times an
operation really took effect; and its `method`, `path` (with the query string) and
`params` (the query protocol's form parameters), so a test can tell what it named.

Region and service are the signature's scope: STS is `sts` in the region the client
signs for (its regional endpoint), Route 53 `route53` in us-east-1, S3 `s3` in the
bucket's region as the client believes it. An unsigned request has region and
service "".
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
# The Smithy RPC v2 CBOR protocol (CloudWatch from the AWS SDK for Rust).
RPC_V2 = re.compile(r"^/service/[^/]+/operation/([^/?]+)$")

# The error each service answers when it throttles a caller (its protocol's shape).
THROTTLING = {
    "ec2": (503, "RequestLimitExceeded", "ec2"),
    "route53": (400, "Throttling", "route53"),
    "route53:change": (400, "PriorRequestNotComplete", "route53"),
    "s3": (503, "SlowDown", "s3"),
    "json": (400, "ThrottlingException", "json"),
    "query": (400, "Throttling", "query"),
}


FAULTS = ("pass", "refuse", "status", "hang", "lose", "throttle", "quota")
RULE_KEYS = {
    "region", "service", "operation", "fault", "status", "seconds", "probability", "first",
    "rate", "burst", "per_operation",
}


def checked_rules(rules):
    """The rules, or ValueError naming the first one that is not a rule (a typo in a fault
    name must not silently let requests through)."""
    if not isinstance(rules, list):
        raise ValueError(f"the rules are a JSON list, not {type(rules).__name__}")
    for rule in rules:
        if not isinstance(rule, dict):
            raise ValueError(f"a rule is a JSON object: {rule!r}")
        unknown = set(rule) - RULE_KEYS
        if unknown:
            raise ValueError(f"unknown key(s) {sorted(unknown)} in rule {rule!r}")
        if rule.get("fault") not in FAULTS:
            raise ValueError(f"rule {rule!r}: fault must be one of {', '.join(FAULTS)}")
        if rule.get("fault") == "quota":
            rate, burst = rule.get("rate"), rule.get("burst")
            if not isinstance(rate, (int, float)) or rate <= 0:
                raise ValueError(f"rule {rule!r}: a quota needs a rate above 0")
            if not isinstance(burst, int) or burst < 1:
                raise ValueError(f"rule {rule!r}: a quota needs a burst of at least 1")
    return list(rules)


def loopback_host(value: str) -> str:
    if value != "localhost" and not ipaddress.ip_address(value).is_loopback:
        raise argparse.ArgumentTypeError(f"{value} is not a loopback address")
    return value


def throttling_body(service: str, operation: str, rate: bool = False):
    """The status, content type and body of `service`'s throttling error; `rate`: its
    request-rate error (a quota), not Route 53's one-change-at-a-time refusal."""
    if service == "route53":
        change = operation.startswith("POST") and "rrset" in operation
        key = "route53:change" if change and not rate else "route53"
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
        self.rules = checked_rules(rules)
        self.counters = {}
        self.buckets = {}
        self.log = []

    def set_rules(self, rules):
        rules = checked_rules(rules)
        with self.lock:
            self.rules = rules
            self.counters = {}
            self.buckets = {}

    def take(self, index: int, rule, region: str, service: str, operation: str) -> bool:
        """A token of the quota rule's bucket for this request, if it has one (under the
        lock). Buckets start full and refill continuously at `rate`."""
        key = (index, region, service, operation if rule.get("per_operation") else "")
        now = time.monotonic()
        burst, rate = float(rule["burst"]), float(rule["rate"])
        tokens, last = self.buckets.get(key, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens >= 1.0:
            self.buckets[key] = (tokens - 1.0, now)
            return True
        self.buckets[key] = (tokens, now)
        return False

    def decide(self, region: str, service: str, operation: str):
        """The index and rule that decide this request, if any (counting it against that
        rule); a `pass` rule decides too: no fault."""
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
                if rule.get("fault") == "quota":
                    if self.take(index, rule, region, service, operation):
                        return index, {"fault": "pass"}
                    return index, {"fault": "throttle", "quota": True}
                return index, rule
            return None, None

    def record(self, entry):
        with self.lock:
            self.log.append(entry)

    def entries(self):
        with self.lock:
            return list(self.log)

    def clear(self):
        with self.lock:
            self.log = []


# The REST operations ripcord sends to Route 53 and S3, by method, path and query key: their
# names are not in the request otherwise. (service, method, path pattern, query key, name)
REST_ROUTES = [
    ("route53", "POST", r"^/2013-04-01/hostedzone/[^/]+/rrset/?$", None, "ChangeResourceRecordSets"),
    ("route53", "GET", r"^/2013-04-01/hostedzone/[^/]+/rrset/?$", None, "ListResourceRecordSets"),
    ("route53", "GET", r"^/2013-04-01/hostedzonesbyname/?$", None, "ListHostedZonesByName"),
    ("route53", "GET", r"^/2013-04-01/hostedzone/?$", None, "ListHostedZones"),
    ("route53", "GET", r"^/2013-04-01/hostedzone/[^/]+/?$", None, "GetHostedZone"),
    ("route53", "POST", r"^/2013-04-01/healthcheck/[^/]+/?$", None, "UpdateHealthCheck"),
    ("route53", "GET", r"^/2013-04-01/healthcheck/?$", None, "ListHealthChecks"),
    ("route53", "GET", r"^/2013-04-01/healthcheck/[^/]+/?$", None, "GetHealthCheck"),
    ("route53", "POST", r"^/2013-04-01/tags/healthcheck/?$", None, "ListTagsForResources"),
    ("route53", "GET", r"^/2013-04-01/change/[^/]+/?$", None, "GetChange"),
    ("s3", "PUT", r"^/[^/]+/?$", "replication", "PutBucketReplication"),
    ("s3", "GET", r"^/[^/]+/?$", "replication", "GetBucketReplication"),
    ("s3", "GET", r"^/[^/]+/?$", "location", "GetBucketLocation"),
    ("s3", "GET", r"^/[^/]+/?$", "versioning", "GetBucketVersioning"),
    ("s3", "GET", r"^/?$", None, "ListBuckets"),
]
REST_ROUTES = [(svc, m, re.compile(p), q, name) for svc, m, p, q, name in REST_ROUTES]


def rest_operation(service: str, method: str, path: str):
    url = urllib.parse.urlparse(path)
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    for svc, m, pattern, key, name in REST_ROUTES:
        if svc == service and m == method and pattern.match(url.path):
            if key is None or key in query:
                return name
    return None


def operation_of(headers, path: str, method: str, body: bytes, service: str = "") -> str:
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
    rpc = RPC_V2.match(urllib.parse.urlparse(path).path)
    if rpc:
        return rpc.group(1)
    rest = rest_operation(service, method, path)
    if rest:
        return rest
    return f"{method} {urllib.parse.urlparse(path).path}"


def query_params(headers, body: bytes):
    """The query protocol's form parameters (first value each), for a test that reads which
    resource a request names; {} for the other protocols."""
    if "x-www-form-urlencoded" not in headers.get("Content-Type", "") or not body:
        return {}
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {key: values[0] for key, values in form.items()}


class Server(ThreadingHTTPServer):
    # http.server's listen backlog is 5: a failover opening a hundred connections at once
    # would see most of them dropped and retried by TCP a second later, and a test would
    # measure the proxy instead of the client.
    request_queue_size = 1024


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
                try:
                    faults.set_rules(json.loads(body or b"[]"))
                except ValueError as err:  # json.JSONDecodeError is one too
                    message = json.dumps({"error": str(err)}).encode()
                    self.answer(400, "application/json", message)
                    return True
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
            try:
                self.handle_request()
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (its own timeout) before the answer: nothing to tell it.
                self.close_connection = True

        def handle_request(self):
            body = self.read_body()
            if self.control(body):
                return
            match = CREDENTIAL.search(self.headers.get("Authorization", ""))
            region, service = (match.group(1), match.group(2)) if match else ("", "")
            operation = operation_of(self.headers, self.path, self.command, body, service)
            index, rule = faults.decide(region, service, operation)
            fault = rule.get("fault") if rule else None
            if fault == "pass":
                fault = None
            entry = {
                "region": region,
                "service": service,
                "operation": operation,
                "fault": fault,
                "rule": index,
                "forwarded": fault in (None, "lose"),
                "quota": bool(rule and rule.get("quota")),
                "at": time.time(),
                "method": self.command,
                "path": self.path,
                "params": query_params(self.headers, body),
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
                status, content_type, text = throttling_body(
                    service, operation, rate=bool(rule.get("quota"))
                )
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

    try:
        faults = Faults(args.seed, json.loads(args.rules))
    except ValueError as err:
        parser.error(f"--rules: {err}")
    server = Server((args.host, args.port), make_handler(upstream, faults))
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
