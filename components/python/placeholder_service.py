"""Placeholder service: answers the health checks and shows the request path.

Every answer is generic (the public ALB shows it to anyone): no host name, no address, no exception
class, no Server header; the details go to the journal (stderr, which systemd keeps). /healthz is this
process alone (the ALB target groups probe it). /healthz/deep follows the dependencies (Route 53 and
probers call it on the public ALB): the frontend asks the backend's /healthz/deep, the backend checks
Aurora and DynamoDB. AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SSM
and AWS_EC2_METADATA_SERVICE_ENDPOINT are the AWS SDKs' endpoint overrides: never set on an instance,
they let the tests run this file against local fakes.
"""
import datetime
import hashlib
import hmac
import http.client
import json
import os
import re
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TIER = os.environ.get("APP_TIER", "app")
BACKEND_URL = os.environ.get("BACKEND_URL", "")
SSM_PREFIX = os.environ.get("APP_SSM_PREFIX", "")
REGION = os.environ.get("APP_REGION", "")

# Route 53 wants a 2xx within 2 s of connecting: the frontend gives the backend 1.5 s, and the backend
# checks Aurora and DynamoDB in parallel well within that.
BACKEND_TIMEOUT = 1.5
AURORA_TIMEOUT = 0.8
DYNAMODB_TIMEOUT = 0.8
IMDS_TIMEOUT = 0.5
SSM_TIMEOUT = 3.0
# Route 53 has many checkers per health check: they share one check of the dependencies per period.
DEEP_CACHE_SECONDS = 5.0
# IMDS offers new role credentials well before the old ones expire.
CREDENTIALS_MARGIN_SECONDS = 300

# Certificates verified against the system CA bundle, for AWS and an https:// BACKEND_URL alike.
TLS = ssl.create_default_context()
IMDS_URL = os.environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254").rstrip("/")
DOMAIN = "amazonaws.com.cn" if REGION.startswith("cn-") else "amazonaws.com"
JSON_VERSIONS = {"dynamodb": "1.0", "ssm": "1.1"}
# PostgreSQL's SSLRequest (length 8, code 80877103): a server with SSL answers the single byte S.
SSL_REQUEST = struct.pack("!II", 8, 80877103)


class CheckFailed(Exception):
    """A failed check: `public` is what the answer says, `detail` what only the journal gets."""

    def __init__(self, public, detail=None):
        Exception.__init__(self, public if detail is None else "%s (%s)" % (public, detail))
        self.public = public


def log(message):
    print(message, file=sys.stderr, flush=True)


def describe(error):
    """Why a check failed, from a fixed vocabulary, safe to show on the public ALB: no endpoint, no
    address, no exception class. The error itself goes to the journal (Check.run)."""
    if isinstance(error, CheckFailed):
        return error.public
    if isinstance(error, socket.timeout):
        return "timed out"
    return "unavailable"


def http_call(method, url, headers=None, body=None, timeout=1.0):
    """(status, body) of one HTTP(S) request. The timeout bounds each socket operation, not their sum:
    callers with a total budget run this in a Check."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout, context=TLS)
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, parts.path or "/", body, headers or {})
        response = connection.getresponse()
        return response.status, response.read(65536)
    finally:
        connection.close()


def sigv4(method, url, headers, body, region, service, credentials, now):
    """The headers of an AWS Signature Version 4 request: the given ones plus Host, X-Amz-Date, the
    session token and Authorization. Path as given, no query string: enough for JSON-protocol APIs."""
    parts = urllib.parse.urlsplit(url)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    headers = dict(headers)
    headers["Host"] = parts.netloc
    headers["X-Amz-Date"] = amz_date
    if credentials.get("Token"):
        headers["X-Amz-Security-Token"] = credentials["Token"]
    canonical = dict((name.lower(), " ".join(str(value).split())) for name, value in headers.items())
    names = sorted(canonical)
    request = "\n".join(
        [method, parts.path or "/", ""]
        + ["%s:%s" % (name, canonical[name]) for name in names]
        + ["", ";".join(names), hashlib.sha256(body).hexdigest()]
    )
    scope = "%s/%s/%s/aws4_request" % (amz_date[:8], region, service)
    headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        credentials["AccessKeyId"],
        scope,
        ";".join(names),
        signature(credentials, amz_date, scope, request),
    )
    return headers


def signature(credentials, amz_date, scope, request):
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(request.encode()).hexdigest()])
    key = ("AWS4" + credentials["SecretAccessKey"]).encode()
    for part in scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


# IAM database authentication (Aurora User Guide, "Connecting to your DB cluster using IAM
# authentication"): the password is a SigV4 presigned GET of https://host:port/?Action=connect&DBUser=
# for the service rds-db, valid 15 minutes, without its scheme. tests/userData.test.ts holds it to
# botocore's generate_db_auth_token, byte for byte.
def db_auth_token(host, port, user, region, credentials, now):
    """botocore's generate_db_auth_token, the same string: a presigned rds-db URL, no scheme."""
    date = now.strftime("%Y%m%dT%H%M%SZ")
    scope = "%s/%s/rds-db/aws4_request" % (date[:8], region)
    query = [("Action", "connect"), ("DBUser", user), ("X-Amz-Algorithm", "AWS4-HMAC-SHA256")]
    query += [("X-Amz-Credential", credentials["AccessKeyId"] + "/" + scope), ("X-Amz-Date", date)]
    query += [("X-Amz-Expires", "900"), ("X-Amz-SignedHeaders", "host")]
    query += [("X-Amz-Security-Token", credentials["Token"])]
    encode = lambda pairs: urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote)
    address = "%s:%d" % (host, port)
    empty = hashlib.sha256(b"").hexdigest()
    request = "GET\n/\n%s\nhost:%s\n\nhost\n%s" % (encode(sorted(query)), address, empty)
    return "%s/?%s&X-Amz-Signature=%s" % (address, encode(query), signature(credentials, date, scope, request))


def imds(method, path, headers):
    status, body = http_call(method, IMDS_URL + path, headers, timeout=IMDS_TIMEOUT)
    if status != 200:
        raise CheckFailed("unavailable", "instance metadata HTTP %d" % status)
    return body.decode()


class InstanceCredentials:
    """The instance role's credentials from IMDSv2, kept until shortly before they expire."""

    def __init__(self):
        self.lock = threading.Lock()
        self.value = None
        self.refresh_at = 0.0

    def get(self):
        with self.lock:
            if self.value is None or time.time() >= self.refresh_at:
                token = imds("PUT", "/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "60"})
                auth = {"X-aws-ec2-metadata-token": token}
                path = "/latest/meta-data/iam/security-credentials/"
                role = imds("GET", path, auth).split()[0]
                value = json.loads(imds("GET", path + role, auth))
                if value.get("Code", "Success") != "Success":
                    raise CheckFailed("unavailable", "instance credentials %s" % value.get("Code"))
                # Python 3.9's fromisoformat does not read the Z suffix.
                expiration = datetime.datetime.fromisoformat(value["Expiration"].replace("Z", "+00:00"))
                self.value = value
                self.refresh_at = expiration.timestamp() - CREDENTIALS_MARGIN_SECONDS
            return self.value


CREDENTIALS = InstanceCredentials()


def aws_json(service, target, payload, timeout):
    """One call to an AWS JSON-protocol API (DynamoDB, SSM): a signed POST to the regional endpoint."""
    url = os.environ.get("AWS_ENDPOINT_URL_" + service.upper())
    url = url or "https://%s.%s.%s/" % (service, REGION, DOMAIN)
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/x-amz-json-" + JSON_VERSIONS[service], "X-Amz-Target": target}
    now = datetime.datetime.now(datetime.timezone.utc)
    signed = sigv4("POST", url, headers, body, REGION, service, CREDENTIALS.get(), now)
    status, answer = http_call("POST", url, signed, body, timeout)
    if status != 200:
        try:
            error = json.loads(answer).get("__type", "").rsplit("#", 1)[-1]
        except ValueError:
            error = ""
        raise CheckFailed("HTTP %d" % status, ("%s %s" % (url, error)).strip())
    return json.loads(answer)


class Check(threading.Thread):
    """A check in a daemon thread with a total budget: a DNS lookup or a peer that answers byte by byte
    cannot hold the answer past it, where socket timeouts bound each operation only."""

    def __init__(self, name, budget, function, *args):
        threading.Thread.__init__(self, name=name, daemon=True)
        self.budget = budget
        self.deadline = time.monotonic() + budget
        self.function = function
        self.args = args
        self.failure = None
        self.value = None
        self.start()

    def run(self):
        try:
            self.value = self.function(*self.args)
        except Exception as error:
            log("%s check failed: %r" % (self.name, error))
            self.failure = describe(error)

    def outcome(self):
        """None when the check passed in time, else why not."""
        self.join(max(0.0, self.deadline - time.monotonic()))
        # A socket timeout equal to the budget can fire just before the join gives up: the same
        # outcome, reported the same way whichever wins the race.
        if self.is_alive() or self.failure == "timed out":
            log("%s check timed out after %.1fs" % (self.name, self.budget))
            return "timed out after %.1fs" % self.budget
        return self.failure


def check_aurora(c):
    """Logs in as the app's database user with an IAM token, as the app does."""
    now = datetime.datetime.now(datetime.timezone.utc)
    token = db_auth_token(c["host"], c["port"], c["user"], REGION, CREDENTIALS.get(), now).encode()
    with socket.create_connection((c["host"], c["port"]), timeout=AURORA_TIMEOUT) as raw:
        raw.sendall(SSL_REQUEST)
        answer = raw.recv(1)
        if answer != b"S":
            raise CheckFailed("unavailable", "SSLRequest answered %r" % answer)
        # TLS encrypts the token but does not authenticate the server (libpq's sslmode=require): the RDS
        # CA is not in AL2023's trust store (unverified) and its bundle would not fit in the user data.
        # ssl._create_unverified_context is the documented opt-out (PEP 476). rds.force_ssl=1 refuses
        # the login without TLS anyway.
        with ssl._create_unverified_context().wrap_socket(raw) as tls, tls.makefile("rb") as replies:
            send = lambda kind, data: tls.sendall(kind + struct.pack("!I", len(data) + 4) + data)
            # StartupMessage, protocol 3.0; then the server's messages until ReadyForQuery (PostgreSQL
            # documentation, "Frontend/Backend Protocol": Message Flow, Start-up).
            send(b"", b"\0\3\0\0user\0%s\0database\0%s\0\0" % (c["user"].encode(), c["database"].encode()))
            while True:
                kind, length = struct.unpack("!cI", replies.read(5))
                body = replies.read(length - 4)
                code = body[:4]
                if kind == b"R" and code == b"\0\0\0\3":  # a cleartext password: the token
                    send(b"p", token + b"\0")
                elif kind == b"E" or kind == b"R" and code != b"\0\0\0\0":
                    # An ErrorResponse's fields are a type byte and a string each; M is the message.
                    fields = dict((f[:1], f[1:]) for f in body.split(b"\0") if f)
                    raise CheckFailed("login refused", fields.get(b"M", b"").decode("utf-8", "replace"))
                elif kind == b"Z":  # ready for queries: logged in
                    return send(b"X", b"")


def check_dynamodb(table):
    # The item need not exist: a 200 proves the endpoint, the signature, the role and the table.
    key = {"pk": {"S": "healthz"}, "sk": {"S": "healthz"}}
    aws_json("dynamodb", "DynamoDB_20120810.GetItem", {"TableName": table, "Key": key}, DYNAMODB_TIMEOUT)


# What the frontend passes on of the backend's answer: one of its own generic lines, nothing else
# (an ALB's error page or anything unexpected stays in the journal).
BACKEND_SUMMARY = re.compile(r"^(ok|failed|not configured)[:a-z0-9 ,;.()]{0,200}$")


def check_backend():
    status, body = http_call("GET", BACKEND_URL + "/healthz/deep", timeout=BACKEND_TIMEOUT)
    line = body.decode("utf-8", "replace").strip().split("\n")[0]
    summary = line if BACKEND_SUMMARY.match(line) else ""
    if status != 200:
        raise CheckFailed(("HTTP %d %s" % (status, summary)).strip(), None if summary else line[:200])
    return summary or "ok"


# The data tier's endpoints, read once from SSM; empty until then.
CONFIG = {}
DEEP_LOCK = threading.Lock()
DEEP_CACHE = {"at": None, "answer": None}


def read_config():
    values = {}
    request = {"Path": SSM_PREFIX + "/", "Recursive": True}
    while True:
        page = aws_json("ssm", "AmazonSSM.GetParametersByPath", request, SSM_TIMEOUT)
        for parameter in page.get("Parameters", []):
            values[parameter["Name"][len(SSM_PREFIX) + 1 :]] = parameter["Value"]
        if not page.get("NextToken"):
            break
        request["NextToken"] = page["NextToken"]
    return {
        "host": values["db/readerEndpoint"],
        "port": int(values["db/port"]),
        "user": values["db/user"],
        "database": values["db/name"],
        "table": values["dynamodb/tableName"],
    }


def load_config():
    """Reads the endpoints from SSM until it works: the instance can boot before its role's policy or
    its route to SSM does."""
    global CONFIG
    delay = 1.0
    while True:
        try:
            CONFIG = read_config()
            log("configured from SSM %s/" % SSM_PREFIX)
            return
        except Exception as error:
            log("SSM %s/ not read (%r), retrying in %.0fs" % (SSM_PREFIX, error, delay))
        time.sleep(delay)
        delay = min(delay * 2, 30.0)


def backend_deep_health():
    config = CONFIG
    if not config:
        return 503, "not configured\n"
    with DEEP_LOCK:
        if DEEP_CACHE["at"] is not None and time.monotonic() - DEEP_CACHE["at"] < DEEP_CACHE_SECONDS:
            return DEEP_CACHE["answer"]
        checks = [
            Check("aurora", AURORA_TIMEOUT, check_aurora, config),
            Check("dynamodb", DYNAMODB_TIMEOUT, check_dynamodb, config["table"]),
        ]
        outcomes = [(check.name, check.outcome()) for check in checks]
        failures = ["%s: %s" % (name, failure) for name, failure in outcomes if failure]
        if failures:
            answer = 503, "failed: %s\n" % "; ".join(failures)
        else:
            answer = 200, "ok: aurora, dynamodb\n"
        DEEP_CACHE["at"] = time.monotonic()
        DEEP_CACHE["answer"] = answer
        return answer


def frontend_deep_health():
    check = Check("backend", BACKEND_TIMEOUT, check_backend)
    failure = check.outcome()
    if failure:
        return 503, "failed: backend: %s\n" % failure
    return 200, "ok: backend (%s)\n" % check.value


def deep_health():
    if BACKEND_URL:
        return frontend_deep_health()
    if SSM_PREFIX:
        return backend_deep_health()
    return 200, "ok: no dependencies\n"


class Handler(BaseHTTPRequestHandler):
    def send_response(self, code, message=None):
        """BaseHTTPRequestHandler's, without the Server header (which names the Python version)."""
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def send_error(self, code, message=None, explain=None):
        """Malformed or unsupported requests: the status and its standard phrase in plain text, the
        details (which echo the request) in the journal."""
        self.log_error("code %d, message %s", code, message)
        phrase = self.responses.get(code, ("Error",))[0]
        body = ("%d %s\n" % (code, phrase)).encode()
        self.send_response(code, phrase)
        self.send_header("Connection", "close")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        if self.path == "/healthz":
            # This process only, never the backend (see the user data's comment).
            self.reply(200, "ok")
        elif self.path == "/healthz/deep":
            self.reply(*deep_health())
        elif self.path == "/" and BACKEND_URL:
            self.proxy()
        elif self.path == "/":
            self.reply(200, "%s: placeholder service\n" % TIER)
        else:
            self.reply(404, "not found\n")

    def proxy(self):
        try:
            with urllib.request.urlopen(BACKEND_URL + "/", timeout=3, context=TLS) as response:
                upstream = response.read(4096).decode("utf-8", "replace")
        except Exception as error:  # a failing backend is a 502 for this request, never a crash
            log("backend %s/ failed: %r" % (BACKEND_URL, error))
            self.reply(502, "%s: backend unavailable\n" % TIER)
            return
        self.reply(200, "%s -> %s" % (TIER, upstream))

    def reply(self, status, text):
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    if SSM_PREFIX:
        threading.Thread(target=load_config, name="ssm", daemon=True).start()
    ThreadingHTTPServer(("", int(os.environ["APP_PORT"])), Handler).serve_forever()


if __name__ == "__main__":
    main()
