"""Deep health of the home region's app, seen from this region, as a CloudWatch metric."""
import http.client
import json
import os
import socket
import ssl
import time
from datetime import datetime, timezone

import boto3

METRIC_NAME = "HomeDeepHealth"
TIMEOUT_SECONDS = 4.0
ATTEMPTS = 2
PAUSE_SECONDS = 1.0
USER_AGENT = "multi-region-web-home-probe"


def remaining(deadline):
    """Seconds left before the deadline; a TimeoutError once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("deadline passed")
    return left


class PinnedConnection(http.client.HTTPSConnection):
    """HTTPS to 'address' with TLS for 'domain': SNI and certificate check are the domain's."""

    def __init__(self, address, domain, port, deadline, context):
        super().__init__(domain, port, context=context)
        self.address = address
        self.deadline = deadline
        self.tls = context

    def connect(self):
        sock = socket.create_connection((self.address, self.port), remaining(self.deadline))
        try:
            sock.settimeout(remaining(self.deadline))
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def probe(address, domain, path, port=443, timeout=TIMEOUT_SECONDS, context=None):
    """One GET. (True, detail) for a 2xx answered within 'timeout' seconds, else (False, why)."""
    deadline = time.monotonic() + timeout
    connection = PinnedConnection(address, domain, port, deadline, context or ssl.create_default_context())
    try:
        connection.request(
            "GET", path, headers={"Host": domain, "User-Agent": USER_AGENT, "Connection": "close"}
        )
        connection.sock.settimeout(remaining(deadline))
        status = connection.getresponse().status
        remaining(deadline)
        return 200 <= status < 300, "HTTP %d" % status
    except ssl.SSLCertVerificationError as error:
        return False, "certificate: %s" % error.verify_message
    except TimeoutError:
        return False, "timeout"
    except (OSError, http.client.HTTPException) as error:
        return False, "%s: %s" % (type(error).__name__, error)
    # Anything else is a fault of the probe, not of the home: it propagates, the run publishes
    # nothing, and probe-silent tells the operators instead of a 0 that could start a failover.
    finally:
        connection.close()


def check(attempt, attempts=ATTEMPTS, pause=PAUSE_SECONDS, sleep=time.sleep):
    """Healthy when any of 'attempts' tries is: one lost packet must not report the home down."""
    details = []
    for i in range(attempts):
        if i:
            sleep(pause)
        healthy, detail = attempt()
        details.append(detail)
        if healthy:
            return True, details
    return False, details


def metric_datum(domain, home_region, healthy, timestamp):
    return {
        "MetricName": METRIC_NAME,
        "Dimensions": [
            {"Name": "Domain", "Value": domain},
            {"Name": "HomeRegion", "Value": home_region},
        ],
        "Timestamp": timestamp,
        "Value": 1.0 if healthy else 0.0,
    }


def settings_from(environ):
    return {
        "address": environ["HOME_ALB_DNS_NAME"],
        "domain": environ["APP_DOMAIN"],
        "path": environ["PROBE_PATH"],
        "home_region": environ["HOME_REGION"],
        "namespace": environ["METRIC_NAMESPACE"],
        "port": int(environ.get("PROBE_PORT", "443")),
        "timeout": TIMEOUT_SECONDS,
    }


def run(settings, cloudwatch, sleep=time.sleep):
    """Probe, then publish one data point stamped with the run's start."""
    started = datetime.now(timezone.utc)
    healthy, details = check(
        lambda: probe(
            settings["address"], settings["domain"], settings["path"], settings["port"], settings["timeout"]
        ),
        sleep=sleep,
    )
    cloudwatch.put_metric_data(
        Namespace=settings["namespace"],
        MetricData=[metric_datum(settings["domain"], settings["home_region"], healthy, started)],
    )
    result = {"healthy": healthy, "attempts": details}
    print(json.dumps(result))
    return result


def handler(event, context):
    cloudwatch = boto3.client("cloudwatch", region_name=os.environ["AWS_REGION"])
    return run(settings_from(os.environ), cloudwatch)
