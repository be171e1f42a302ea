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

# The probe imports boto3 at load; the tests never reach AWS, so a placeholder module is enough.
sys.modules.setdefault("boto3", types.ModuleType("boto3"))

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
    "namespace": "MultiRegionWeb/Failover",
    "port": 443,
    "timeout": 4.0,
}


class Remaining(unittest.TestCase):
    def test_counts_down_then_raises(self):
        self.assertGreater(probe.remaining(time.monotonic() + 10), 9)
        with self.assertRaises(TimeoutError):
            probe.remaining(time.monotonic() - 0.001)


class Check(unittest.TestCase):
    def run_check(self, answers):
        sleeps = []
        answers = iter(answers)
        result = probe.check(lambda: next(answers), sleep=sleeps.append)
        return result, sleeps

    def test_healthy_at_the_first_try_stops_there(self):
        self.assertEqual(self.run_check([(True, "HTTP 200")]), ((True, ["HTTP 200"]), []))

    def test_one_lost_try_is_not_a_failure(self):
        result, sleeps = self.run_check([(False, "timeout"), (True, "HTTP 200")])
        self.assertEqual(result, (True, ["timeout", "HTTP 200"]))
        self.assertEqual(sleeps, [probe.PAUSE_SECONDS])

    def test_unhealthy_when_every_try_is(self):
        result, sleeps = self.run_check([(False, "HTTP 503"), (False, "timeout"), (True, "never asked")])
        self.assertEqual(result, (False, ["HTTP 503", "timeout"]))
        self.assertEqual(len(sleeps), probe.ATTEMPTS - 1)


class Metric(unittest.TestCase):
    def test_datum_has_the_dimensions_the_alarms_read(self):
        at = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
        self.assertEqual(
            probe.metric_datum("app.example.com", "us-east-1", True, at),
            {
                "MetricName": "HomeDeepHealth",
                "Dimensions": [
                    {"Name": "Domain", "Value": "app.example.com"},
                    {"Name": "HomeRegion", "Value": "us-east-1"},
                ],
                "Timestamp": at,
                "Value": 1.0,
            },
        )
        self.assertEqual(probe.metric_datum("d", "r", False, at)["Value"], 0.0)


class Settings(unittest.TestCase):
    ENVIRON = {
        "HOME_ALB_DNS_NAME": SETTINGS["address"],
        "APP_DOMAIN": SETTINGS["domain"],
        "PROBE_PATH": SETTINGS["path"],
        "HOME_REGION": SETTINGS["home_region"],
        "METRIC_NAMESPACE": SETTINGS["namespace"],
    }

    def test_reads_the_functions_environment(self):
        self.assertEqual(probe.settings_from(self.ENVIRON), SETTINGS)
        self.assertEqual(probe.settings_from(dict(self.ENVIRON, PROBE_PORT="8443"))["port"], 8443)

    def test_a_missing_variable_fails_the_run(self):
        environ = dict(self.ENVIRON)
        del environ["APP_DOMAIN"]
        with self.assertRaises(KeyError):
            probe.settings_from(environ)


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
        self.assertEqual(result, {"healthy": False, "attempts": ["timeout", "HTTP 502"]})
        self.assertEqual(json.loads(output.getvalue()), result)
        [call] = cloudwatch.calls
        self.assertEqual(call["Namespace"], "MultiRegionWeb/Failover")
        [datum] = call["MetricData"]
        self.assertEqual(datum["Value"], 0.0)
        self.assertTrue(before <= datum["Timestamp"] <= datetime.datetime.now(datetime.timezone.utc))

    def test_handler_uses_a_client_in_the_functions_own_region(self):
        clients = []
        cloudwatch = RecordingCloudWatch()

        def client(name, region_name):
            clients.append((name, region_name))
            return cloudwatch

        environ = dict(Settings.ENVIRON, AWS_REGION="ca-central-1")
        with contextlib.ExitStack() as stack:
            stack.enter_context(mock.patch.dict(os.environ, environ, clear=True))
            stack.enter_context(mock.patch.object(probe, "boto3", types.SimpleNamespace(client=client)))
            stack.enter_context(mock.patch.object(probe, "probe", return_value=(True, "HTTP 200")))
            stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
            self.assertEqual(probe.handler({}, None), {"healthy": True, "attempts": ["HTTP 200"]})
        self.assertEqual(clients, [("cloudwatch", "ca-central-1")])
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
