"""Deep health of the home region's app, seen from this region, as a CloudWatch metric."""
import http.client
import json
import os
import socket
import ssl
import time
from datetime import datetime, timezone

import boto3
import botocore.config

METRIC_NAME = "HomeDeepHealth"
USER_AGENT = "multi-region-web-home-probe"
# The run's timings come from the function's environment (homeProbe.ts HOME_PROBE_SETTINGS, which
# checks that the worst case fits in the function's timeout): no default here could drift from it.


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


def probe(address, domain, path, port, timeout, context=None):
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


def check(attempt, attempts, pause, sleep=time.sleep):
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


def metric_datum(domain, home_region, probe_region, healthy, timestamp):
    return {
        "MetricName": METRIC_NAME,
        "Dimensions": [
            {"Name": "Domain", "Value": domain},
            {"Name": "HomeRegion", "Value": home_region},
            {"Name": "ProbeRegion", "Value": probe_region},
        ],
        "Timestamp": timestamp,
        "Value": 1.0 if healthy else 0.0,
    }


def settings_from(environ):
    """The function's environment as settings; a missing variable fails the run (KeyError)."""
    return {
        "address": environ["HOME_ALB_DNS_NAME"],
        "domain": environ["APP_DOMAIN"],
        "path": environ["PROBE_PATH"],
        "home_region": environ["HOME_REGION"],
        "probe_region": environ["AWS_REGION"],
        "metric_region": environ["METRIC_REGION"],
        "namespace": environ["METRIC_NAMESPACE"],
        "port": int(environ.get("PROBE_PORT", "443")),
        "timeout": float(environ["PROBE_TIMEOUT_SECONDS"]),
        "attempts": int(environ["PROBE_ATTEMPTS"]),
        "pause": float(environ["PROBE_PAUSE_SECONDS"]),
        "cloudwatch_connect_timeout": float(environ["CLOUDWATCH_CONNECT_TIMEOUT_SECONDS"]),
        "cloudwatch_read_timeout": float(environ["CLOUDWATCH_READ_TIMEOUT_SECONDS"]),
    }


def cloudwatch_config(settings):
    """One PutMetricData attempt, bounded: botocore's defaults (60 s to connect, 60 s to read, and
    retries) would outlive the function's timeout. total_max_attempts "includes the initial request,
    so a value of 1 indicates that no requests will be retried" (botocore.config.Config)."""
    return botocore.config.Config(
        connect_timeout=settings["cloudwatch_connect_timeout"],
        read_timeout=settings["cloudwatch_read_timeout"],
        retries={"total_max_attempts": 1, "mode": "standard"},
    )


def run(settings, cloudwatch, sleep=time.sleep):
    """Probe, then publish one data point stamped with the run's start."""
    started = datetime.now(timezone.utc)
    healthy, details = check(
        lambda: probe(
            settings["address"], settings["domain"], settings["path"], settings["port"], settings["timeout"]
        ),
        settings["attempts"],
        settings["pause"],
        sleep=sleep,
    )
    cloudwatch.put_metric_data(
        Namespace=settings["namespace"],
        MetricData=[
            metric_datum(settings["domain"], settings["home_region"], settings["probe_region"], healthy, started)
        ],
    )
    result = {"healthy": healthy, "attempts": details}
    print(json.dumps(result))
    return result


def handler(event, context):
    settings = settings_from(os.environ)
    # The metric's region: the function's own, or the standby's for a witness in a third region.
    cloudwatch = boto3.client(
        "cloudwatch", region_name=settings["metric_region"], config=cloudwatch_config(settings)
    )
    return run(settings, cloudwatch)
