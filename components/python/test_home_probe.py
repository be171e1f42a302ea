"""Unit tests of home_probe.py's parts, with boto3 stubbed (the Lambda runtime provides it; this
machine need not): the retry, the metric, the settings, a run with a recording CloudWatch client, and
the probe against local sockets that refuse or hang. tests/homeProbe.test.ts runs the probe against a
local HTTPS server with certificates. Run: python3 -m unittest discover -s components/python.
"""
import contextlib
import datetime
import io
import json
import os
import socket
import sys
import time
import types
import unittest
from unittest import mock

# The probe imports boto3 and botocore at load; the tests never reach AWS, so placeholders are enough:
# botocore.config.Config records its arguments.
sys.modules.setdefault("boto3", types.ModuleType("boto3"))
if "botocore.config" not in sys.modules:
    botocore = types.ModuleType("botocore")
    botocore.config = types.ModuleType("botocore.config")
    botocore.config.Config = lambda **kwargs: ("Config", kwargs)
    sys.modules["botocore"] = botocore
    sys.modules["botocore.config"] = botocore.config

import home_probe as probe


class RecordingCloudWatch:
    def __init__(self):
        self.calls = []

    def put_metric_data(self, **kwargs):
        self.calls.append(kwargs)


SETTINGS = {
    "address": "home-alb.us-east-1.elb.amazonaws.com",
    "domain": "app.example.com",
    "path": "/healthz/deep",
    "home_region": "us-east-1",
    "probe_region": "us-west-2",
    "metric_region": "ca-central-1",
    "namespace": "MultiRegionWeb/Failover",
    "port": 443,
    "timeout": 4.0,
    "attempts": 2,
    "pause": 1.0,
    "cloudwatch_connect_timeout": 2.0,
    "cloudwatch_read_timeout": 5.0,
}


class Remaining(unittest.TestCase):
    def test_counts_down_then_raises(self):
        self.assertGreater(probe.remaining(time.monotonic() + 10), 9)
        with self.assertRaises(TimeoutError):
            probe.remaining(time.monotonic() - 0.001)


class Check(unittest.TestCase):
    def run_check(self, answers, attempts=2, pause=1.0):
        sleeps = []
        answers = iter(answers)
        result = probe.check(lambda: next(answers), attempts, pause, sleep=sleeps.append)
        return result, sleeps

    def test_healthy_at_the_first_try_stops_there(self):
        self.assertEqual(self.run_check([(True, "HTTP 200")]), ((True, ["HTTP 200"]), []))

    def test_one_lost_try_is_not_a_failure(self):
        result, sleeps = self.run_check([(False, "timeout"), (True, "HTTP 200")], pause=1.5)
        self.assertEqual(result, (True, ["timeout", "HTTP 200"]))
        self.assertEqual(sleeps, [1.5])

    def test_unhealthy_when_every_try_is(self):
        result, sleeps = self.run_check([(False, "HTTP 503"), (False, "timeout"), (True, "never asked")])
        self.assertEqual(result, (False, ["HTTP 503", "timeout"]))
        self.assertEqual(len(sleeps), 1)

    def test_tries_as_often_as_the_settings_say(self):
        result, sleeps = self.run_check([(False, "a"), (False, "b"), (False, "c"), (True, "d")], attempts=3)
        self.assertEqual(result, (False, ["a", "b", "c"]))
        self.assertEqual(sleeps, [1.0, 1.0])


class Metric(unittest.TestCase):
    def test_datum_has_the_dimensions_the_alarms_read(self):
        at = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
        self.assertEqual(
            probe.metric_datum("app.example.com", "us-east-1", "us-west-2", True, at),
            {
                "MetricName": "HomeDeepHealth",
                "Dimensions": [
                    {"Name": "Domain", "Value": "app.example.com"},
                    {"Name": "HomeRegion", "Value": "us-east-1"},
                    {"Name": "ProbeRegion", "Value": "us-west-2"},
                ],
                "Timestamp": at,
                "Value": 1.0,
            },
        )
        self.assertEqual(probe.metric_datum("d", "r", "p", False, at)["Value"], 0.0)


class Settings(unittest.TestCase):
    ENVIRON = {
        "HOME_ALB_DNS_NAME": SETTINGS["address"],
        "APP_DOMAIN": SETTINGS["domain"],
        "PROBE_PATH": SETTINGS["path"],
        "HOME_REGION": SETTINGS["home_region"],
        "AWS_REGION": SETTINGS["probe_region"],
        "METRIC_REGION": SETTINGS["metric_region"],
        "METRIC_NAMESPACE": SETTINGS["namespace"],
        "PROBE_TIMEOUT_SECONDS": "4",
        "PROBE_ATTEMPTS": "2",
        "PROBE_PAUSE_SECONDS": "1",
        "CLOUDWATCH_CONNECT_TIMEOUT_SECONDS": "2",
        "CLOUDWATCH_READ_TIMEOUT_SECONDS": "5",
    }

    def test_reads_the_functions_environment(self):
        self.assertEqual(probe.settings_from(self.ENVIRON), SETTINGS)
        self.assertEqual(probe.settings_from(dict(self.ENVIRON, PROBE_PORT="8443"))["port"], 8443)

    def test_a_missing_variable_fails_the_run(self):
        # The timings have no default of their own: homeProbe.ts checks them against the function's
        # timeout, and a default here could differ from what it checked.
        for name in ["APP_DOMAIN", "METRIC_REGION", "PROBE_TIMEOUT_SECONDS", "PROBE_ATTEMPTS", "PROBE_PAUSE_SECONDS"]:
            environ = dict(self.ENVIRON)
            del environ[name]
            with self.assertRaises(KeyError, msg=name):
                probe.settings_from(environ)

    def test_bounds_the_cloudwatch_call_to_one_attempt(self):
        self.assertEqual(
            probe.cloudwatch_config(SETTINGS),
            (
                "Config",
                {
                    "connect_timeout": 2.0,
                    "read_timeout": 5.0,
                    "retries": {"total_max_attempts": 1, "mode": "standard"},
                },
            ),
        )


class Run(unittest.TestCase):
    def test_publishes_one_data_point_stamped_with_the_start(self):
        cloudwatch = RecordingCloudWatch()
        answers = iter([(False, "timeout"), (False, "HTTP 502")])
        before = datetime.datetime.now(datetime.timezone.utc)
        with mock.patch.object(probe, "probe", side_effect=lambda *args: next(answers)) as called:
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                result = probe.run(SETTINGS, cloudwatch, sleep=lambda seconds: None)
        called.assert_called_with(SETTINGS["address"], SETTINGS["domain"], SETTINGS["path"], 443, 4.0)
        self.assertEqual(called.call_count, 2)
        self.assertEqual(result, {"healthy": False, "attempts": ["timeout", "HTTP 502"]})
        self.assertEqual(json.loads(output.getvalue()), result)
        [call] = cloudwatch.calls
        self.assertEqual(call["Namespace"], "MultiRegionWeb/Failover")
        [datum] = call["MetricData"]
        self.assertEqual(datum["Value"], 0.0)
        self.assertIn({"Name": "ProbeRegion", "Value": "us-west-2"}, datum["Dimensions"])
        self.assertTrue(before <= datum["Timestamp"] <= datetime.datetime.now(datetime.timezone.utc))

    def test_handler_publishes_in_the_metric_region_with_a_bounded_client(self):
        clients = []
        cloudwatch = RecordingCloudWatch()

        def client(name, region_name, config):
            clients.append((name, region_name, config))
            return cloudwatch

        environ = dict(Settings.ENVIRON)
        with contextlib.ExitStack() as stack:
            stack.enter_context(mock.patch.dict(os.environ, environ, clear=True))
            stack.enter_context(mock.patch.object(probe, "boto3", types.SimpleNamespace(client=client)))
            stack.enter_context(mock.patch.object(probe, "probe", return_value=(True, "HTTP 200")))
            stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
            self.assertEqual(probe.handler({}, None), {"healthy": True, "attempts": ["HTTP 200"]})
        self.assertEqual(clients, [("cloudwatch", "ca-central-1", probe.cloudwatch_config(SETTINGS))])
        self.assertEqual(cloudwatch.calls[0]["MetricData"][0]["Value"], 1.0)


class Probe(unittest.TestCase):
    def test_a_refused_connection_is_unhealthy(self):
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]
        healthy, detail = probe.probe("127.0.0.1", "app.example.com", "/healthz/deep", port, timeout=1.0)
        self.assertFalse(healthy)
        self.assertTrue(detail.startswith("ConnectionRefusedError: "), detail)

    def test_a_peer_that_never_answers_is_a_timeout_within_the_budget(self):
        # The kernel completes the TCP handshake for the listen backlog; nobody speaks TLS.
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(1)
            started = time.monotonic()
            answer = probe.probe("127.0.0.1", "app.example.com", "/", silent.getsockname()[1], timeout=0.2)
            elapsed = time.monotonic() - started
        self.assertEqual(answer, (False, "timeout"))
        self.assertLess(elapsed, 1.0)


if __name__ == "__main__":
    unittest.main()
