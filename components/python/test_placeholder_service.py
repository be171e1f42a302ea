"""Unit tests of placeholder_service.py's parts, without a network or AWS: the signer, the checks,
the deep health logic, the SSM and IMDS readers with stubbed calls, and the request routing.
tests/userData.test.ts runs the whole server against local fakes of AWS; this is the finer grain.
Run: python3 -m unittest discover -s components/python (npm test does).
"""
import datetime
import http.client
import json
import socket
import threading
import unittest
from unittest import mock

import placeholder_service as service


class Describe(unittest.TestCase):
    def test_says_why_without_details(self):
        failed = service.CheckFailed("HTTP 500", "https://dynamodb.us-east-1.amazonaws.com/ InternalError")
        self.assertEqual(service.describe(failed), "HTTP 500")
        self.assertIn("InternalError", str(failed))
        self.assertEqual(service.describe(socket.timeout("timed out")), "timed out")
        # Behaviour change (issue 21.5): no exception class, no address.
        refused = ConnectionRefusedError(111, "refused 10.0.0.1")
        self.assertEqual(service.describe(refused), "unavailable")
        self.assertEqual(service.describe(ssl_error()), "unavailable")


def ssl_error():
    return service.ssl.SSLCertVerificationError("certificate verify failed: self-signed (_ssl.c:1006)")


class Sigv4(unittest.TestCase):
    CREDENTIALS = {
        "AccessKeyId": "AKIDEXAMPLE",
        "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    }
    NOW = datetime.datetime(2015, 8, 30, 12, 36, 0)

    def test_reproduces_aws_get_vanilla(self):
        # AWS's Signature Version 4 test suite, get-vanilla.
        url = "https://example.amazonaws.com/"
        signed = service.sigv4("GET", url, {}, b"", "us-east-1", "service", self.CREDENTIALS, self.NOW)
        self.assertEqual(
            signed["Authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        )
        self.assertEqual(signed["Host"], "example.amazonaws.com")
        self.assertEqual(signed["X-Amz-Date"], "20150830T123600Z")
        self.assertNotIn("X-Amz-Security-Token", signed)

    def test_signs_the_session_token_and_leaves_the_callers_headers_alone(self):
        headers = {"X-Amz-Target": "DynamoDB_20120810.GetItem"}
        credentials = dict(self.CREDENTIALS, Token="session")
        url = "https://dynamodb.ca-central-1.amazonaws.com/"
        signed = service.sigv4("POST", url, headers, b"{}", "ca-central-1", "dynamodb", credentials, self.NOW)
        self.assertEqual(signed["X-Amz-Security-Token"], "session")
        signed_headers = "SignedHeaders=host;x-amz-date;x-amz-security-token;x-amz-target,"
        self.assertIn(signed_headers, signed["Authorization"])
        self.assertIn("/20150830/ca-central-1/dynamodb/aws4_request,", signed["Authorization"])
        self.assertEqual(headers, {"X-Amz-Target": "DynamoDB_20120810.GetItem"})


class CheckThread(unittest.TestCase):
    def setUp(self):
        patcher = mock.patch.object(service, "log")
        self.log = patcher.start()
        self.addCleanup(patcher.stop)

    def test_passes_with_the_functions_value(self):
        check = service.Check("backend", 1.0, lambda a, b: a + b, 1, 2)
        self.assertIsNone(check.outcome())
        self.assertEqual(check.value, 3)

    def test_names_the_failure_and_logs_the_details(self):
        def fail():
            raise service.CheckFailed("unavailable", "SSLRequest answered b'N'")

        self.assertEqual(service.Check("aurora", 1.0, fail).outcome(), "unavailable")
        self.assertIn("SSLRequest answered b'N'", self.log.call_args[0][0])

    def test_logs_an_unexpected_error_and_answers_unavailable(self):
        def fail():
            raise OSError(113, "No route to host 10.0.3.7")

        self.assertEqual(service.Check("aurora", 1.0, fail).outcome(), "unavailable")
        self.assertIn("No route to host 10.0.3.7", self.log.call_args[0][0])

    def test_gives_up_at_its_budget_whatever_the_function_does(self):
        release = threading.Event()
        self.addCleanup(release.set)
        check = service.Check("dynamodb", 0.1, release.wait, 2.0)
        self.assertEqual(check.outcome(), "timed out after 0.1s")

    def test_reports_a_socket_timeout_as_the_budget_running_out(self):
        def hang():
            raise socket.timeout("timed out")

        self.assertEqual(service.Check("aurora", 0.5, hang).outcome(), "timed out after 0.5s")


class BackendDeepHealth(unittest.TestCase):
    CONFIG = {"host": "reader.example", "port": 5432, "user": "app", "database": "app", "table": "app-table"}

    def setUp(self):
        for patcher in (
            mock.patch.dict(service.DEEP_CACHE, {"at": None, "answer": None}),
            mock.patch.object(service, "CONFIG", dict(self.CONFIG)),
            mock.patch.object(service, "check_aurora"),
            mock.patch.object(service, "check_dynamodb"),
            mock.patch.object(service, "log"),
        ):
            patcher.start()
            self.addCleanup(patcher.stop)

    def test_is_503_until_configured(self):
        with mock.patch.object(service, "CONFIG", {}):
            self.assertEqual(service.backend_deep_health(), (503, "not configured\n"))
        service.check_aurora.assert_not_called()

    def test_checks_aurora_and_dynamodb_from_the_config(self):
        self.assertEqual(service.backend_deep_health(), (200, "ok: aurora, dynamodb\n"))
        service.check_aurora.assert_called_once_with(self.CONFIG)
        service.check_dynamodb.assert_called_once_with("app-table")

    def test_names_every_failed_check(self):
        service.check_aurora.side_effect = service.CheckFailed("login refused", 'role "app" does not exist')
        service.check_dynamodb.side_effect = service.CheckFailed("HTTP 400", "ResourceNotFoundException")
        self.assertEqual(
            service.backend_deep_health(),
            (503, "failed: aurora: login refused; dynamodb: HTTP 400\n"),
        )

    def test_answers_from_the_cache_for_five_seconds(self):
        service.backend_deep_health()
        service.check_aurora.side_effect = service.CheckFailed("down")
        self.assertEqual(service.backend_deep_health(), (200, "ok: aurora, dynamodb\n"))
        self.assertEqual(service.check_aurora.call_count, 1)
        service.DEEP_CACHE["at"] -= service.DEEP_CACHE_SECONDS
        self.assertEqual(service.backend_deep_health(), (503, "failed: aurora: down\n"))
        self.assertEqual(service.check_aurora.call_count, 2)


class FrontendAndDispatch(unittest.TestCase):
    def setUp(self):
        patcher = mock.patch.object(service, "log")
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_frontend_passes_the_backends_summary_on(self):
        with mock.patch.object(service, "check_backend", return_value="ok: aurora, dynamodb"):
            self.assertEqual(service.frontend_deep_health(), (200, "ok: backend (ok: aurora, dynamodb)\n"))
        failed = service.CheckFailed("HTTP 503 failed: aurora: timed out after 0.5s")
        with mock.patch.object(service, "check_backend", side_effect=failed):
            self.assertEqual(
                service.frontend_deep_health(),
                (503, "failed: backend: HTTP 503 failed: aurora: timed out after 0.5s\n"),
            )

    def test_frontend_passes_on_only_the_backends_own_generic_lines(self):
        answers = [
            (503, b"failed: aurora: login refused\n", "HTTP 503 failed: aurora: login refused"),
            (503, b"not configured\n", "HTTP 503 not configured"),
            (502, b"<html><head><title>502 Bad Gateway</title></head></html>", "HTTP 502"),
            (500, b"Traceback (most recent call last): ip-10-0-1-2", "HTTP 500"),
        ]
        for status, body, public in answers:
            with mock.patch.object(service, "http_call", return_value=(status, body)):
                with self.assertRaises(service.CheckFailed) as raised:
                    service.check_backend()
                self.assertEqual(raised.exception.public, public)
        with mock.patch.object(service, "http_call", return_value=(200, b"ok: aurora, dynamodb\n")):
            self.assertEqual(service.check_backend(), "ok: aurora, dynamodb")
        with mock.patch.object(service, "http_call", return_value=(200, b"OK from host ip-10-0-1-2")):
            self.assertEqual(service.check_backend(), "ok")

    def test_the_tier_decides_what_deep_means(self):
        with mock.patch.object(service, "frontend_deep_health", return_value="frontend"), mock.patch.object(
            service, "backend_deep_health", return_value="backend"
        ):
            with mock.patch.object(service, "BACKEND_URL", "https://backend.internal"):
                self.assertEqual(service.deep_health(), "frontend")
            with mock.patch.object(service, "BACKEND_URL", ""):
                with mock.patch.object(service, "SSM_PREFIX", "/p/s"):
                    self.assertEqual(service.deep_health(), "backend")
                with mock.patch.object(service, "SSM_PREFIX", ""):
                    self.assertEqual(service.deep_health(), (200, "ok: no dependencies\n"))


class ReadConfig(unittest.TestCase):
    def test_reads_every_page_under_the_prefix(self):
        pages = [
            {
                "Parameters": [
                    {"Name": "/app/us-east-1/db/readerEndpoint", "Value": "reader.example"},
                    {"Name": "/app/us-east-1/db/port", "Value": "5432"},
                    {"Name": "/app/us-east-1/db/user", "Value": "app"},
                    {"Name": "/app/us-east-1/db/name", "Value": "appdb"},
                ],
                "NextToken": "page-2",
            },
            {"Parameters": [{"Name": "/app/us-east-1/dynamodb/tableName", "Value": "app-table"}]},
        ]
        requests = []

        def aws_json(service_name, target, payload, timeout):
            requests.append((service_name, target, dict(payload)))
            return pages[len(requests) - 1]

        with mock.patch.object(service, "SSM_PREFIX", "/app/us-east-1"), mock.patch.object(
            service, "aws_json", aws_json
        ):
            config = service.read_config()
        self.assertEqual(
            config,
            {"host": "reader.example", "port": 5432, "user": "app", "database": "appdb", "table": "app-table"},
        )
        call = ("ssm", "AmazonSSM.GetParametersByPath")
        self.assertEqual(
            requests,
            [
                call + ({"Path": "/app/us-east-1/", "Recursive": True},),
                call + ({"Path": "/app/us-east-1/", "Recursive": True, "NextToken": "page-2"},),
            ],
        )

    def test_a_missing_parameter_is_an_error_the_loader_retries(self):
        page = {"Parameters": [{"Name": "/p/db/port", "Value": "5432"}]}
        with mock.patch.object(service, "SSM_PREFIX", "/p"), mock.patch.object(
            service, "aws_json", return_value=page
        ):
            with self.assertRaises(KeyError):
                service.read_config()


class AwsJson(unittest.TestCase):
    def setUp(self):
        for patcher in (
            mock.patch.object(service, "REGION", "ca-central-1"),
            mock.patch.object(service.CREDENTIALS, "get", return_value=Sigv4.CREDENTIALS),
        ):
            patcher.start()
            self.addCleanup(patcher.stop)

    def test_posts_a_signed_request_to_the_regional_endpoint(self):
        with mock.patch.dict("os.environ", clear=True), mock.patch.object(
            service, "http_call", return_value=(200, b'{"Item": {}}')
        ) as http_call:
            answer = service.aws_json("dynamodb", "DynamoDB_20120810.GetItem", {"TableName": "t"}, 0.8)
        self.assertEqual(answer, {"Item": {}})
        method, url, headers, body, timeout = http_call.call_args[0]
        self.assertEqual(method, "POST")
        self.assertEqual(url, "https://dynamodb.ca-central-1.amazonaws.com/")
        self.assertEqual(timeout, 0.8)
        self.assertEqual(json.loads(body), {"TableName": "t"})
        self.assertEqual(headers["Content-Type"], "application/x-amz-json-1.0")
        self.assertEqual(headers["X-Amz-Target"], "DynamoDB_20120810.GetItem")
        self.assertTrue(headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))

    def test_answers_the_status_and_keeps_the_error_type_for_the_journal(self):
        answer = json.dumps(
            {"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "arn:..."}
        ).encode()
        with mock.patch.dict("os.environ", {"AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:9"}), mock.patch.object(
            service, "http_call", return_value=(400, answer)
        ) as http_call:
            with self.assertRaises(service.CheckFailed) as raised:
                service.aws_json("ssm", "AmazonSSM.GetParametersByPath", {}, 3.0)
        self.assertEqual(raised.exception.public, "HTTP 400")
        self.assertEqual(str(raised.exception), "HTTP 400 (http://127.0.0.1:9 ResourceNotFoundException)")
        self.assertNotIn("arn:", str(raised.exception))
        self.assertEqual(http_call.call_args[0][1], "http://127.0.0.1:9")
        with mock.patch.object(service, "http_call", return_value=(502, b"<html>bad gateway</html>")):
            with self.assertRaises(service.CheckFailed) as raised:
                service.aws_json("ssm", "AmazonSSM.GetParametersByPath", {}, 3.0)
        self.assertEqual(raised.exception.public, "HTTP 502")


class InstanceCredentials(unittest.TestCase):
    def answers(self, expires_in_seconds, code="Success"):
        now = datetime.datetime.now(datetime.timezone.utc)
        expiration = (now + datetime.timedelta(seconds=expires_in_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
        credentials = {"Code": code, "AccessKeyId": "ASIA", "Expiration": expiration}

        def imds(method, path, headers):
            if method == "PUT":
                return "token"
            self.assertEqual(headers, {"X-aws-ec2-metadata-token": "token"})
            return "app-role\n" if path.endswith("/") else json.dumps(credentials)

        return mock.patch.object(service, "imds", side_effect=imds)

    def test_keeps_credentials_until_five_minutes_before_they_expire(self):
        credentials = service.InstanceCredentials()
        with self.answers(3600) as imds:
            self.assertEqual(credentials.get()["AccessKeyId"], "ASIA")
            credentials.get()
        self.assertEqual(imds.call_count, 3)
        self.assertEqual(imds.call_args[0][1], "/latest/meta-data/iam/security-credentials/app-role")
        fresh = service.InstanceCredentials()
        with self.answers(service.CREDENTIALS_MARGIN_SECONDS - 60) as imds:
            fresh.get()
            fresh.get()
        self.assertEqual(imds.call_count, 6)

    def test_refuses_credentials_imds_reports_as_failed(self):
        with self.answers(3600, code="Failure"):
            with self.assertRaisesRegex(service.CheckFailed, r"^unavailable \(instance credentials Fail"):
                service.InstanceCredentials().get()


class Handler(unittest.TestCase):
    DEEP = "failed: aurora: timed out after 0.5s\n"

    def setUp(self):
        for patcher in (
            mock.patch.object(service.Handler, "log_message"),
            mock.patch.object(service, "deep_health", return_value=(503, self.DEEP)),
            mock.patch.object(service, "BACKEND_URL", ""),
            mock.patch.object(service, "TIER", "backend"),
            mock.patch.object(service.Handler, "log_error"),
        ):
            patcher.start()
            self.addCleanup(patcher.stop)
        self.server = service.ThreadingHTTPServer(("127.0.0.1", 0), service.Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)

    def request(self, method, path):
        connection = http.client.HTTPConnection("127.0.0.1", self.server.server_address[1], timeout=2)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return response, response.read().decode()
        finally:
            connection.close()

    def get(self, path):
        response, body = self.request("GET", path)
        return response.status, body, response.getheader("Content-Type")

    def test_routes_each_path(self):
        text = "text/plain; charset=utf-8"
        self.assertEqual(self.get("/healthz"), (200, "ok", text))
        self.assertEqual(self.get("/healthz/deep"), (503, self.DEEP, text))
        # Behaviour change (issue 21.5): the tier, not the host name.
        self.assertEqual(self.get("/"), (200, "backend: placeholder service\n", text))
        self.assertEqual(self.get("/admin"), (404, "not found\n", text))
        service.deep_health.assert_called_once_with()

    def test_sends_no_server_header(self):
        for method, path in [("GET", "/"), ("GET", "/nowhere"), ("POST", "/"), ("DELETE", "/healthz")]:
            response, _ = self.request(method, path)
            self.assertIsNone(response.getheader("Server"), (method, path))
            self.assertIsNotNone(response.getheader("Date"), (method, path))

    def test_answers_unsupported_requests_with_the_standard_phrase_only(self):
        response, body = self.request("POST", "/healthz")
        expected = (501, "Not Implemented", "501 Not Implemented\n")
        self.assertEqual((response.status, response.reason, body), expected)
        self.assertEqual(response.getheader("Content-Type"), "text/plain; charset=utf-8")
        self.assertNotIn("POST", body)
        self.assertIn("POST", service.Handler.log_error.call_args[0][2])
        response, body = self.request("HEAD", "/")
        self.assertEqual((response.status, body), (501, ""))

    def test_answers_a_malformed_request_line_generically(self):
        with socket.create_connection(("127.0.0.1", self.server.server_address[1]), timeout=2) as raw:
            raw.sendall(b"GET / HTTP/9.9\r\n\r\n")
            answer = raw.makefile("rb").read().decode()
        # Before the version is read the request counts as HTTP/0.9: a body without a status line.
        self.assertEqual(answer, "505 HTTP Version Not Supported\n")
        self.assertIn("9.9", service.Handler.log_error.call_args[0][2])


if __name__ == "__main__":
    unittest.main()
