"""Checks tests/moto/faultproxy.py in front of the launcher, with boto3.

    .venv/bin/python tests/moto/test_faultproxy.py

Each fault is checked from both sides: what the client gets, and what moto
did (read back without the proxy). Ends with `N passed, M failed`; exits 1 on
any failure.
"""

import json
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

HERE = Path(__file__).parent
EAST, WEST = "us-east-1", "us-west-2"


def start(args):
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.PIPE, stderr=log, text=True
    )
    line = proc.stdout.readline().strip()
    if not line.startswith("READY http://127.0.0.1:"):
        proc.kill()
        proc.wait()
        log.seek(0)
        raise RuntimeError(f"no READY line from {args[0]}: {line!r} {log.read()}")
    return proc, line.split()[1]


def client(url, service, region=EAST, attempts=1):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(
            retries={"total_max_attempts": attempts, "mode": "standard"},
            connect_timeout=2,
            read_timeout=2,
        ),
    )


def control(url, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read() or b"null")


def expect_failure(call, *kinds):
    try:
        call()
    except kinds as err:
        return err
    raise AssertionError(f"expected one of {kinds}")


def main() -> int:
    moto, moto_url = start([str(HERE / "launch.py"), "--port", "0"])
    proxy, url = start(
        [str(HERE / "faultproxy.py"), "--upstream", moto_url, "--port", "0", "--seed", "7"]
    )
    passed = failed = 0

    def check(name, fn):
        nonlocal passed, failed
        control(url, "PUT", "/__faults", [])
        control(url, "DELETE", "/__log")
        try:
            fn()
            passed += 1
            print(f"ok   {name}")
        except Exception:
            failed += 1
            print(f"FAIL {name}")
            traceback.print_exc()

    def region_down_refuses_only_that_region():
        control(url, "PUT", "/__faults", [{"region": EAST, "fault": "refuse"}])
        expect_failure(
            lambda: client(url, "ec2", EAST).describe_volumes(),
            ConnectionClosedError,
            EndpointConnectionError,
        )
        client(url, "ec2", WEST).describe_volumes()
        log = control(url, "GET", "/__log")
        assert [(e["region"], e["fault"], e["forwarded"]) for e in log] == [
            (EAST, "refuse", False),
            (WEST, None, True),
        ], log

    def status_answers_without_reaching_moto():
        control(url, "PUT", "/__faults", [{"region": EAST, "service": "sns", "fault": "status"}])
        err = expect_failure(lambda: client(url, "sns", EAST).create_topic(Name="nope"), ClientError)
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 503, err.response
        topics = client(moto_url, "sns", EAST).list_topics()["Topics"]
        assert not any(t["TopicArn"].endswith(":nope") for t in topics), topics

    def lose_applies_then_loses_the_answer():
        control(
            url,
            "PUT",
            "/__faults",
            [{"service": "sns", "operation": "CreateTopic", "fault": "lose", "first": 1}],
        )
        err = expect_failure(lambda: client(url, "sns", WEST).create_topic(Name="lost"), ClientError)
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 503
        topics = client(moto_url, "sns", WEST).list_topics()["Topics"]
        assert any(t["TopicArn"].endswith(":lost") for t in topics), "moto carried it out"
        # `first: 1`: the second attempt goes through.
        client(url, "sns", WEST).create_topic(Name="lost")
        ops = [(e["operation"], e["fault"]) for e in control(url, "GET", "/__log")]
        assert ops == [("CreateTopic", "lose"), ("CreateTopic", None)], ops

    def lose_with_a_reset():
        control(url, "PUT", "/__faults", [{"service": "sns", "fault": "lose", "status": 0}])
        expect_failure(
            lambda: client(url, "sns", WEST).create_topic(Name="reset"),
            ConnectionClosedError,
            EndpointConnectionError,
        )
        topics = client(moto_url, "sns", WEST).list_topics()["Topics"]
        assert any(t["TopicArn"].endswith(":reset") for t in topics)

    def throttling_is_each_services_own_error():
        control(url, "PUT", "/__faults", [{"fault": "throttle"}])
        for service, call, code in [
            ("ec2", lambda c: c.describe_volumes(), "RequestLimitExceeded"),
            ("rds", lambda c: c.describe_db_instances(), "Throttling"),
            ("autoscaling", lambda c: c.describe_auto_scaling_groups(), "Throttling"),
            ("sns", lambda c: c.list_topics(), "Throttling"),
            ("route53", lambda c: c.list_hosted_zones(), "Throttling"),
        ]:
            err = expect_failure(lambda: call(client(url, service, WEST)), ClientError)
            assert err.response["Error"]["Code"] == code, (service, err.response)
        # boto3's standard retries treat it as throttling and try again (3 attempts).
        control(url, "DELETE", "/__log")
        expect_failure(lambda: client(url, "sns", WEST, attempts=3).list_topics(), ClientError)
        assert len(control(url, "GET", "/__log")) == 3

    def hang_holds_until_the_client_gives_up():
        control(url, "PUT", "/__faults", [{"region": EAST, "fault": "hang", "seconds": 5}])
        started = time.monotonic()
        expect_failure(lambda: client(url, "sns", EAST).list_topics(), Exception)
        assert time.monotonic() - started < 4.5, "the client's 2 s read timeout ended it"

    def pass_carves_route53_out_of_a_region_down():
        # us-east-1 down, Route 53 (signed for us-east-1) answering: the first rule decides.
        control(
            url,
            "PUT",
            "/__faults",
            [{"service": "route53", "fault": "pass"}, {"region": EAST, "fault": "status"}],
        )
        client(url, "route53", EAST).list_hosted_zones()
        err = expect_failure(lambda: client(url, "sns", EAST).list_topics(), ClientError)
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 503, err.response
        client(url, "sns", WEST).list_topics()
        log = control(url, "GET", "/__log")
        seen = [(e["region"], e["service"], e["fault"], e["rule"], e["forwarded"]) for e in log]
        assert seen == [
            (EAST, "route53", None, 0, True),
            (EAST, "sns", "status", 1, False),
            (WEST, "sns", None, None, True),
        ], seen
        # What passed took effect in moto.
        client(url, "route53", EAST).create_health_check(
            CallerReference="passed",
            HealthCheckConfig={"Type": "HTTP", "FullyQualifiedDomainName": "example.com"},
        )
        checks = client(moto_url, "route53", EAST).list_health_checks()["HealthChecks"]
        assert any(c["CallerReference"] == "passed" for c in checks), checks

    def pass_with_first_passes_n_then_falls_through():
        control(
            url,
            "PUT",
            "/__faults",
            [
                {"service": "sns", "fault": "pass", "first": 1},
                {"service": "sns", "fault": "status", "status": 500},
            ],
        )
        client(url, "sns", WEST).list_topics()
        err = expect_failure(lambda: client(url, "sns", WEST).list_topics(), ClientError)
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 500, err.response
        faults = [(e["fault"], e["rule"]) for e in control(url, "GET", "/__log")]
        assert faults == [(None, 0), ("status", 1)], faults

    def sts_is_signed_for_the_clients_region():
        # STS's regional endpoints: the signature names `sts` and the client's region, so a
        # region down takes its STS with it and another region's STS answers.
        control(url, "PUT", "/__faults", [{"region": EAST, "fault": "status"}])
        expect_failure(lambda: client(url, "sts", EAST).get_caller_identity(), ClientError)
        identity = client(url, "sts", WEST).get_caller_identity()
        assert identity["Account"] == "123456789012", identity
        log = control(url, "GET", "/__log")
        seen = [(e["region"], e["service"], e["operation"], e["forwarded"]) for e in log]
        assert seen == [
            (EAST, "sts", "GetCallerIdentity", False),
            (WEST, "sts", "GetCallerIdentity", True),
        ], seen

    def rules_that_are_not_rules_are_refused():
        control(url, "PUT", "/__faults", [{"region": EAST, "fault": "refuse"}])
        for bad in ([{"region": EAST, "fault": "passs"}], [{"regoin": EAST, "fault": "pass"}], {}):
            try:
                control(url, "PUT", "/__faults", bad)
            except urllib.error.HTTPError as err:
                assert err.code == 400, err.code
                assert "error" in json.loads(err.read()), bad
            else:
                raise AssertionError(f"accepted {bad!r}")
        # The rules in force are unchanged.
        expect_failure(
            lambda: client(url, "ec2", EAST).describe_volumes(),
            ConnectionClosedError,
            EndpointConnectionError,
        )
        # At startup, too: the proxy does not start on them.
        try:
            proc, _ = start(
                [str(HERE / "faultproxy.py"), "--upstream", moto_url, "--port", "0",
                 "--rules", '[{"fault": "hnag"}]']
            )
        except RuntimeError as err:
            assert "fault must be one of" in str(err), err
        else:
            proc.terminate()
            proc.wait(timeout=10)
            raise AssertionError("started with a bad rule")

    def rpc_v2_cbor_operations_are_named():
        # The AWS SDK for Rust sends CloudWatch as Smithy RPC v2 CBOR: the operation is in the
        # path. (Not forwarded here: only its name matters.)
        control(
            url,
            "PUT",
            "/__faults",
            [{"operation": "GetMetricStatistics", "fault": "status", "status": 503}],
        )
        request = urllib.request.Request(
            url + "/service/GraniteServiceVersion20100801/operation/GetMetricStatistics",
            data=b"\xa0",
            method="POST",
            headers={
                "Content-Type": "application/cbor",
                "Smithy-Protocol": "rpc-v2-cbor",
                "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20261202/us-west-2/"
                "monitoring/aws4_request, SignedHeaders=host, Signature=0",
            },
        )
        try:
            urllib.request.urlopen(request, timeout=5)
        except urllib.error.HTTPError as err:
            assert err.code == 503, err.code
        else:
            raise AssertionError("not faulted")
        log = control(url, "GET", "/__log")
        seen = [(e["region"], e["service"], e["operation"], e["fault"]) for e in log]
        assert seen == [(WEST, "monitoring", "GetMetricStatistics", "status")], seen

    def route53_and_s3_rest_operations_are_named():
        # Route 53 and S3 are REST APIs: the operation is the route. A lost answer of a health
        # check update is matched by its name, and moto still carried it out.
        control(url, "DELETE", "/__log", None)
        control(url, "PUT", "/__faults", [{"operation": "UpdateHealthCheck", "fault": "lose"}])
        r53 = client(moto_url, "route53", EAST)
        check_id = r53.create_health_check(
            CallerReference=f"rest-{time.time()}",
            HealthCheckConfig={"Type": "TCP", "IPAddress": "10.0.0.1", "Port": 80},
        )["HealthCheck"]["Id"]
        try:
            client(url, "route53", EAST).update_health_check(HealthCheckId=check_id, Disabled=True)
        except ClientError as err:
            assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 503, err
        else:
            raise AssertionError("the answer was not lost")
        check = r53.get_health_check(HealthCheckId=check_id)["HealthCheck"]
        assert check["HealthCheckConfig"]["Disabled"] is True, check
        control(url, "PUT", "/__faults", [])
        client(url, "route53", EAST).list_health_checks()
        s3 = client(url, "s3", EAST)
        s3.list_buckets()
        names = [(e["service"], e["operation"]) for e in control(url, "GET", "/__log", None)]
        for wanted in [
            ("route53", "UpdateHealthCheck"),
            ("route53", "ListHealthChecks"),
            ("s3", "ListBuckets"),
        ]:
            assert wanted in names, names

    def probability_is_deterministic_per_seed():
        rules = [{"service": "sns", "operation": "ListTopics", "fault": "status", "probability": 0.5}]
        outcomes = []
        for _ in range(2):
            control(url, "PUT", "/__faults", rules)
            run = []
            for _ in range(12):
                try:
                    client(url, "sns", WEST).list_topics()
                    run.append(True)
                except ClientError:
                    run.append(False)
            outcomes.append(run)
        assert outcomes[0] == outcomes[1], outcomes
        assert 0 < sum(outcomes[0]) < 12, outcomes

    def quota_throttles_above_the_rate_per_region():
        # Burst 3, then one a second: the 4th to 6th of six quick requests find no token.
        rules = [{"service": "autoscaling", "fault": "quota", "rate": 1, "burst": 3}]
        control(url, "PUT", "/__faults", rules)
        answers = []
        for _ in range(6):
            try:
                client(url, "autoscaling", WEST).describe_auto_scaling_groups()
                answers.append("ok")
            except ClientError as err:
                answers.append(err.response["Error"]["Code"])
        assert answers == ["ok"] * 3 + ["Throttling"] * 3, answers
        # Another region has a bucket of its own; a second later one token is back.
        client(url, "autoscaling", EAST).describe_auto_scaling_groups()
        time.sleep(1.1)
        client(url, "autoscaling", WEST).describe_auto_scaling_groups()
        log = control(url, "GET", "/__log")
        assert [(e["fault"], e["quota"], e["forwarded"]) for e in log[2:4]] == [
            (None, False, True),
            ("throttle", True, False),
        ], log
        # Route 53's quota is its request rate: `Throttling`, also for a change batch.
        control(url, "PUT", "/__faults", [{"service": "route53", "fault": "quota", "rate": 1, "burst": 1}])
        r53 = client(url, "route53", EAST)
        r53.list_hosted_zones()
        err = expect_failure(
            lambda: r53.change_resource_record_sets(
                HostedZoneId="Z0000000000000",
                ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
                    "Name": "a.example.com", "Type": "A", "TTL": 60,
                    "ResourceRecords": [{"Value": "10.0.0.1"}]}}]},
            ),
            ClientError,
        )
        assert err.response["Error"]["Code"] == "Throttling", err.response
        for bad in [
            {"fault": "quota", "burst": 1},
            {"fault": "quota", "rate": 0, "burst": 1},
            {"fault": "quota", "rate": 1, "burst": 0},
        ]:
            try:
                control(url, "PUT", "/__faults", [bad])
            except urllib.error.HTTPError as err:
                assert err.code == 400, bad
            else:
                raise AssertionError(f"accepted {bad}")

    try:
        for fn in [
            region_down_refuses_only_that_region,
            status_answers_without_reaching_moto,
            lose_applies_then_loses_the_answer,
            lose_with_a_reset,
            throttling_is_each_services_own_error,
            hang_holds_until_the_client_gives_up,
            pass_carves_route53_out_of_a_region_down,
            pass_with_first_passes_n_then_falls_through,
            sts_is_signed_for_the_clients_region,
            rules_that_are_not_rules_are_refused,
            rpc_v2_cbor_operations_are_named,
            route53_and_s3_rest_operations_are_named,
            probability_is_deterministic_per_seed,
            quota_throttles_above_the_rate_per_region,
        ]:
            check(fn.__name__, fn)
    finally:
        for proc in (proxy, moto):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                # Once seen on a loaded machine: the checks above are what this reports on.
                print(f"note: {proc.args[1]} did not stop on SIGTERM within 10 s; killed")
                proc.kill()
                proc.wait()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
