/**
 * What a tier's instances run at first boot (the tier's `userData` key): the placeholder service (the
 * default), nothing, or the user's own file.
 *
 * The placeholder service is there until the real application is deployed: a small Python HTTP server
 * run by systemd that proves the whole path works (public ALB → frontend → internal ALB → backend →
 * Aurora and DynamoDB) and answers two health checks:
 *
 * - `/healthz`, shallow: this process alone. The target groups probe it, so one slow or failing
 *   dependency never makes an ALB drain a whole Auto Scaling group.
 * - `/healthz/deep`, for Route 53 (HTTPS, a 2xx within 2 s of connecting) and probers on the public
 *   ALB. The frontend asks the backend's `/healthz/deep` (1.5 s budget, TLS verified against the
 *   system CA bundle when `backendUrl` is https). The backend checks, in parallel, Aurora (a login to
 *   this region's reader endpoint as the application's database user with an IAM authentication token,
 *   over TLS, 0.8 s) and DynamoDB (a SigV4-signed `GetItem` on the table, 0.8 s), both with the
 *   instance role's credentials from IMDSv2, and caches the answer for 5 s so that Route 53's many
 *   checkers cost one check per 5 s. It finds the reader endpoint, the port, the database, its user
 *   and the table in SSM Parameter Store under `ssmPrefix` (`GetParametersByPath`
 *   in `region`), retrying in the background until that works; until then it answers 503
 *   `not configured`. Every answer is generic (a 503 names the failed check and a reason from a fixed
 *   list, never an endpoint, address, account or exception class, and no response carries a Server
 *   header): the public ALB shows it to anyone; the details go to the journal.
 *
 * The server is Python, components/python/placeholder_service.py, with its own unittest module. The
 * script is plain text (cloud-init runs it as a shell script); the launch template gets it
 * gzip-compressed (`gzipUserData`), base64-encoded.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { gzipSync } from "fflate";
import { readUserDataFile, TierConfig, USER_DATA_LIMIT_BYTES } from "../config";

export interface PlaceholderServiceOptions {
  /** Tier name, shown in responses and in the unit's description (`frontend`, `backend`). */
  tier: string;
  /** Port the service listens on: the target group's port. */
  port: number;
  /**
   * Frontend only: base URL of the backend's internal ALB, http or https (certificate verified);
   * `/` and `/healthz/deep` are fetched from there. @default none
   */
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
 * The server, components/python/placeholder_service.py (tests next to it), read when this module loads
 * and written to SERVER_PATH by the user data as it is, comments included. It runs on the AMI's
 * /usr/bin/python3, which "will remain as Python 3.9 for the life of AL2023" (Amazon Linux 2023 User
 * Guide, "Python in AL2023"), so it is Python 3.9 and standard library only: one SigV4 signer for the
 * AWS JSON-protocol calls (SSM, DynamoDB) and the IAM database authentication token (boto3's
 * generate_db_auth_token, which AL2023's python3 is not known to ship: unverified) instead of an SDK,
 * so nothing is installed at boot. `/healthz` reports this process alone: were it to follow the
 * backend, one failing backend would fail every frontend's health check and the public ALB would
 * drain the whole frontend at once.
 */
export const SERVER_SOURCE_FILE = path.join(__dirname, "python", "placeholder_service.py");
export const SERVER_PY = fs.readFileSync(SERVER_SOURCE_FILE, "utf8");

/**
 * gzip of the user data, the same bytes on every machine: cloud-init uncompresses gzip content and
 * uses it "as if it were not compressed. Compression of data is useful because user-data is limited
 * to 16384 bytes" (cloud-init documentation, "User data formats": gzip compressed content), and the
 * placeholder's script is about that size uncompressed. fflate (pure JavaScript, pinned in
 * package-lock.json) rather than node:zlib, whose output changes with Node's bundled zlib (its version
 * and CPU-specific code: nodejs/node#33610, #50138): a different byte would be a new launch template
 * version, and an instance refresh, each time someone deployed with another Node. The header is
 * fixed too: mtime 0 (fflate writes the current time otherwise) and OS 3 (Unix).
 */
export function gzipUserData(data: string | Uint8Array): Buffer {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  return Buffer.from(gzipSync(bytes, { level: 9, mtime: 0 }));
}

/**
 * The launch template's `userData`, which the provider takes base64-encoded ("The base64-encoded user
 * data to provide when launching the instance", aws.ec2.LaunchTemplate), so binary (gzip) content
 * passes as it is. Refused above EC2's limit, which applies to the bytes before base64.
 */
export function encodeUserData(what: string, raw: Uint8Array): string {
  if (raw.length > USER_DATA_LIMIT_BYTES) {
    throw new Error(
      `${what}: ${raw.length} bytes of user data, more than EC2's ${USER_DATA_LIMIT_BYTES} (before base64)`,
    );
  }
  return Buffer.from(raw).toString("base64");
}

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
 * The launch template's user data for the tier's placeholder service: the script, gzip-compressed,
 * base64-encoded. An Output only because the frontend's `backendUrl` is the internal ALB's DNS name,
 * known after that ALB exists.
 */
export function placeholderService(opts: PlaceholderServiceOptions): pulumi.Output<string> {
  // Fail now, before any resource is registered, for everything that is already known.
  validatePlaceholderServiceOptions({ ...opts, backendUrl: undefined });
  return pulumi
    .output(opts.backendUrl)
    .apply((backendUrl) =>
      encodeUserData(
        `${opts.tier} placeholder service`,
        gzipUserData(renderPlaceholderService({ ...opts, backendUrl })),
      ),
    );
}

/**
 * A tier's user data as its `userData` key says, base64-encoded for the launch template: the
 * placeholder service, none (undefined), or the user's file as it is (no compression: cloud-init is
 * not the only reader of user data, and a file may be gzip-compressed already).
 */
export function tierUserData(
  key: string,
  tier: Pick<TierConfig, "userData">,
  placeholder: PlaceholderServiceOptions,
): pulumi.Output<string> | undefined {
  switch (tier.userData) {
    case "placeholder":
      return placeholderService(placeholder);
    case "none":
      return undefined;
    default:
      return pulumi.output(encodeUserData(key, readUserDataFile(key, tier.userData)));
  }
}
