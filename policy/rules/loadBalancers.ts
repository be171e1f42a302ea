/**
 * Load balancers and listeners: logs, header hygiene, deletion protection, TLS in transit on every
 * listener (public and internal), and the internal tier staying internal.
 */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import {
  isApplicationLoadBalancer,
  isSet,
  ofType,
  PackResourcePolicy,
  PackStackPolicy,
  perResource,
  prop,
  refersTo,
  TYPES,
} from "./common";

/** The TLS 1.3 security policies of ELB (TLS 1.2 minimum, forward secrecy, no CBC ciphers). */
export const MODERN_SSL_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
];

export const albAccessLogs: PackResourcePolicy = {
  name: "alb-access-logs",
  description: "Load balancers write access logs to S3.",
  rationale: "Access logs are the only record of who called the app and what the ALB answered.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps: "Set `accessLogs: { bucket, enabled: true, prefix }` on the load balancer.",
  validateResource: validateResourceOfType(aws.lb.LoadBalancer, (lb, _args, report) => {
    if (lb.accessLogs?.enabled !== true || !isSet(lb.accessLogs, "bucket")) {
      report("Access logs are not enabled (accessLogs.enabled with a bucket).");
    }
  }),
};

export const albDropInvalidHeaders: PackResourcePolicy = {
  name: "alb-drop-invalid-headers",
  description: "Application load balancers drop HTTP headers with invalid names.",
  rationale: "Malformed headers are a request-smuggling vector towards the instances behind the ALB.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps: "Set `dropInvalidHeaderFields: true` on the load balancer.",
  validateResource: validateResourceOfType(aws.lb.LoadBalancer, (lb, args, report) => {
    if ((lb.loadBalancerType ?? "application") !== "application") {
      args.notApplicable("Only application load balancers parse HTTP headers");
    }
    if (lb.dropInvalidHeaderFields !== true) report("dropInvalidHeaderFields is not true.");
  }),
};

export const albDeletionProtection: PackResourcePolicy = {
  name: "alb-deletion-protection",
  description: "Load balancers have deletion protection on.",
  rationale: "Deleting an ALB changes its DNS name and breaks the failover alias until the next update.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps: "Set `enableDeletionProtection: true` (config `albDeletionProtection`).",
  validateResource: validateResourceOfType(aws.lb.LoadBalancer, (lb, _args, report) => {
    if (lb.enableDeletionProtection !== true) report("enableDeletionProtection is not true.");
  }),
};

/** The tier an ALB serves: its `tier` tag, or else the first word of its logical name (`backend-alb`). */
export function loadBalancerTier(tags: Record<string, string> | undefined, logicalName: string): string {
  return (tags?.tier ?? tags?.Tier ?? logicalName.split(/[^A-Za-z0-9]/)[0]).toLowerCase();
}

export const albInternalTier: PackResourcePolicy = {
  name: "alb-internal-tier-not-internet-facing",
  description:
    "Load balancers of an internal tier (tag `tier`, or the logical name's first word, in `internalTiers`) are internal.",
  rationale:
    "The backend is reached only through the frontend; an internet-facing backend ALB bypasses the WAF.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Set `internal: true` and place the ALB in private subnets.",
  configSchema: {
    properties: {
      internalTiers: {
        type: "array",
        items: { type: "string" },
        default: ["backend"],
        description: "Tiers whose load balancers must be internal.",
      },
    },
  },
  validateResource: validateResourceOfType(aws.lb.LoadBalancer, (lb, args, report) => {
    const { internalTiers } = args.getConfig<{ internalTiers: string[] }>();
    const tier = loadBalancerTier(lb.tags, args.name);
    if (!internalTiers.map((t) => t.toLowerCase()).includes(tier)) {
      args.notApplicable(`Tier "${tier}" may be internet-facing`);
    }
    if (lb.internal !== true)
      report(`The ${tier} tier's load balancer is internet-facing (internal is not true).`);
  }),
};

export const listenerHttpRedirect: PackResourcePolicy = {
  name: "alb-listener-http-redirects-to-https",
  description: "A plain-HTTP listener on port 80 only redirects (301) to HTTPS on 443.",
  rationale: "Port 80 is the public web port; anything it forwards travels unencrypted.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    'Give the port-80 listener one default action `{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }`.',
  validateResource: validateResourceOfType(aws.lb.Listener, (listener, args, report) => {
    if (listener.protocol !== "HTTP" || listener.port !== 80) {
      args.notApplicable("Not a plain-HTTP listener on port 80");
    }
    const actions = listener.defaultActions ?? [];
    const redirects = actions.every(
      (a) =>
        a.type === "redirect" &&
        a.redirect?.protocol === "HTTPS" &&
        a.redirect.port === "443" &&
        a.redirect.statusCode === "HTTP_301",
    );
    if (actions.length === 0 || !redirects) {
      report("The HTTP:80 listener does something other than a 301 redirect to HTTPS:443.");
    }
  }),
};

export const listenerTlsPolicy: PackResourcePolicy = {
  name: "alb-listener-modern-tls",
  description: "HTTPS/TLS listeners use a TLS 1.3 security policy (TLS 1.2 minimum) and a certificate.",
  rationale: "Older ELB policies still negotiate TLS 1.0/1.1 and CBC ciphers.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: 'Set `sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06"` (or another allowed policy).',
  configSchema: {
    properties: {
      allowedSslPolicies: {
        type: "array",
        items: { type: "string" },
        default: MODERN_SSL_POLICIES,
        description: "ELB security policies accepted on HTTPS/TLS listeners.",
      },
    },
  },
  validateResource: validateResourceOfType(aws.lb.Listener, (listener, args, report) => {
    if (listener.protocol !== "HTTPS" && listener.protocol !== "TLS") {
      args.notApplicable("Not an HTTPS/TLS listener");
    }
    const { allowedSslPolicies } = args.getConfig<{ allowedSslPolicies: string[] }>();
    if (!listener.sslPolicy || !allowedSslPolicies.includes(listener.sslPolicy)) {
      report(
        `sslPolicy ${listener.sslPolicy ?? "(unset: the ELB default)"} is not an allowed TLS 1.3 policy.`,
      );
    }
    if (!("certificateArn" in listener)) report("The listener has no certificateArn.");
  }),
};

export const listenersHttpsOnly: PackStackPolicy = {
  name: "alb-listeners-https-only",
  description:
    "Every listener of an application load balancer, internet-facing or internal, is HTTPS, or plain HTTP that only redirects to HTTPS.",
  rationale:
    "Encryption in transit end to end: traffic between the tiers crosses the VPC's network like any other, and the compliance frameworks rate a plain-HTTP listener critical wherever it is.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Serve HTTPS on 443 with an ACM certificate for a name of ours (the internal ALB: `backend.internal.<domain>`, components/internalDns.ts) and turn every HTTP listener into a redirect to HTTPS:443.",
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const albs = ofType(args, TYPES.loadBalancer).filter(isApplicationLoadBalancer);
    if (albs.length === 0) args.notApplicable("No application load balancer");
    for (const listener of ofType(args, TYPES.listener)) {
      const alb = albs.find((lb) => refersTo(listener, "loadBalancerArn", lb));
      if (alb === undefined) continue;
      const protocol = prop<string>(listener, "protocol");
      if (protocol === "HTTPS") continue;
      const actions =
        prop<{ type?: string; redirect?: { protocol?: string } }[]>(listener, "defaultActions") ?? [];
      const redirectsOnly =
        actions.length > 0 && actions.every((a) => a.type === "redirect" && a.redirect?.protocol === "HTTPS");
      if (!redirectsOnly) {
        const where = prop<boolean>(alb, "internal") === true ? "an internal" : "an internet-facing";
        report(
          `Listener ${listener.name} (${protocol ?? "?"}) of ${where} ALB ${alb.name} serves plain text.`,
          listener,
        );
      }
    }
  },
};

export const loadBalancerPolicies = [
  albAccessLogs,
  albDropInvalidHeaders,
  albDeletionProtection,
  albInternalTier,
  listenerHttpRedirect,
  listenerTlsPolicy,
  listenersHttpsOnly,
];
