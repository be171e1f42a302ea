/**
 * User data for the placeholder service of a tier, until the real application is deployed: a small
 * Python HTTP server run by systemd that proves the whole path works (public ALB → frontend →
 * internal ALB → backend) and gives the target groups a health check to probe.
 *
 * Pure functions, testable without mocks; the result is plain text (cloud-init runs it as a shell
 * script) and `TierAsg` base64-encodes it for the launch template.
 */
import * as pulumi from "@pulumi/pulumi";

export interface PlaceholderServiceOptions {
  /** Tier name, shown in responses and in the unit's description (`frontend`, `backend`). */
  tier: string;
  /** Port the service listens on: the target group's port. */
  port: number;
  /** Frontend only: base URL of the backend's internal ALB; `/` is fetched from `${backendUrl}/`. @default none */
  backendUrl?: pulumi.Input<string>;
  /** Backend only: SSM Parameter Store prefix the real app reads its endpoints from. @default none */
  ssmPrefix?: string;
  /** Backend only, with `ssmPrefix`: the region of those parameters and of the DynamoDB table. @default none */
  region?: string;
}

/** The same options with every value known, for the string renderer. */
export type ResolvedPlaceholderServiceOptions = Omit<PlaceholderServiceOptions, "backendUrl"> & {
  backendUrl?: string;
};

/** Where the files land on the instance. */
export const SERVER_PATH = "/opt/app/server.py";
export const ENVIRONMENT_PATH = "/etc/sysconfig/app";
export const UNIT_NAME = "app.service";

/**
 * The server. Python 3.9 (AL2023's python3) standard library only. `/healthz` reports this process
 * alone: were it to follow the backend, one failing backend would fail every frontend's health check
 * and the public ALB would drain the whole frontend at once.
 */
const SERVER_PY = String.raw`"""Placeholder service: answers the ALB health check and shows the request path."""
import os
import socket
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TIER = os.environ.get("APP_TIER", "app")
PORT = int(os.environ["APP_PORT"])
BACKEND_URL = os.environ.get("BACKEND_URL", "")
HOST = socket.gethostname()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            # This process only, never the backend (see the user data's comment).
            self.reply(200, "ok")
        elif self.path == "/" and BACKEND_URL:
            self.proxy()
        elif self.path == "/":
            self.reply(200, "%s on %s\n" % (TIER, HOST))
        else:
            self.reply(404, "not found\n")

    def proxy(self):
        try:
            with urllib.request.urlopen(BACKEND_URL + "/", timeout=3) as response:
                upstream = response.read(4096).decode("utf-8", "replace")
        except Exception as error:  # a failing backend is a 502 for this request, never a crash
            self.reply(502, "%s on %s: backend unavailable (%s)\n" % (TIER, HOST, type(error).__name__))
            return
        self.reply(200, "%s on %s -> %s" % (TIER, HOST, upstream))

    def reply(self, status, text):
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer(("", PORT), Handler).serve_forever()
`;

// Values end up in a systemd EnvironmentFile and a unit file: allow only characters that need no
// quoting there, so that no value can break out of its line.
const TIER_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const URL_PATTERN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;
const SSM_PREFIX_PATTERN = /^(\/[A-Za-z0-9_.-]+)+$/;
const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** Throws when an option would produce a broken or unsafe script. */
export function validatePlaceholderServiceOptions(opts: ResolvedPlaceholderServiceOptions): void {
  if (!TIER_PATTERN.test(opts.tier)) {
    throw new Error(`placeholderService tier "${opts.tier}" must match ${String(TIER_PATTERN)}`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
    throw new Error(`placeholderService port ${opts.port} must be an integer from 1 to 65535`);
  }
  if (opts.backendUrl !== undefined && !URL_PATTERN.test(opts.backendUrl)) {
    throw new Error(
      `placeholderService backendUrl "${opts.backendUrl}" must be http(s)://host[:port] without a path`,
    );
  }
  if (opts.ssmPrefix !== undefined && !SSM_PREFIX_PATTERN.test(opts.ssmPrefix)) {
    throw new Error(
      `placeholderService ssmPrefix "${opts.ssmPrefix}" must be an SSM path such as /project/stack`,
    );
  }
  if (opts.region !== undefined && !REGION_PATTERN.test(opts.region)) {
    throw new Error(`placeholderService region "${opts.region}" must be an AWS region such as us-east-1`);
  }
  // The backend's deep health check reads the parameters and calls DynamoDB in that region.
  if ((opts.ssmPrefix === undefined) !== (opts.region === undefined)) {
    throw new Error("placeholderService ssmPrefix and region go together (the backend's, for /healthz/deep)");
  }
}

/** The user data script, with every value known. */
export function renderPlaceholderService(opts: ResolvedPlaceholderServiceOptions): string {
  validatePlaceholderServiceOptions(opts);
  const environment = [
    `APP_TIER=${opts.tier}`,
    `APP_PORT=${opts.port}`,
    ...(opts.backendUrl !== undefined ? [`BACKEND_URL=${opts.backendUrl}`] : []),
    ...(opts.ssmPrefix !== undefined ? [`APP_SSM_PREFIX=${opts.ssmPrefix}`] : []),
    ...(opts.region !== undefined ? [`APP_REGION=${opts.region}`] : []),
  ];
  // Ports below 1024 need the capability; the service never runs as root.
  const capability = opts.port < 1024 ? ["AmbientCapabilities=CAP_NET_BIND_SERVICE"] : [];
  const unit = [
    "[Unit]",
    `Description=Placeholder ${opts.tier} service on port ${opts.port}`,
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    `EnvironmentFile=${ENVIRONMENT_PATH}`,
    `ExecStart=/usr/bin/python3 ${SERVER_PATH}`,
    "DynamicUser=yes",
    ...capability,
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "Restart=always",
    "RestartSec=2",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  ];
  return [
    "#!/bin/bash",
    `# Placeholder ${opts.tier} service for Amazon Linux 2023, run by cloud-init at first boot.`,
    "# Uses only what the AMI ships (python3, systemd): nothing is downloaded, so instances come up",
    "# even when the NAT path or a package mirror is down.",
    "set -euo pipefail",
    "",
    "install -d -m 0755 /opt/app",
    `cat > ${SERVER_PATH} <<'PYEOF'`,
    SERVER_PY.trimEnd(),
    "PYEOF",
    "",
    `cat > ${ENVIRONMENT_PATH} <<'ENVEOF'`,
    ...environment,
    "ENVEOF",
    "",
    `cat > /etc/systemd/system/${UNIT_NAME} <<'UNITEOF'`,
    ...unit,
    "UNITEOF",
    "",
    "systemctl daemon-reload",
    `systemctl enable --now ${UNIT_NAME}`,
    "",
  ].join("\n");
}

/**
 * The user data script of a tier's placeholder service. An Output only because the frontend's
 * `backendUrl` is the internal ALB's DNS name, known after that ALB exists.
 */
export function placeholderService(opts: PlaceholderServiceOptions): pulumi.Output<string> {
  // Fail now, before any resource is registered, for everything that is already known.
  validatePlaceholderServiceOptions({ ...opts, backendUrl: undefined });
  return pulumi
    .output(opts.backendUrl)
    .apply((backendUrl) => renderPlaceholderService({ ...opts, backendUrl }));
}
