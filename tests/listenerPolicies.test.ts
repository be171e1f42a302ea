/** `alb-listeners-https-only`, condition by condition, both ways: public and internal ALBs alike. */
import { expect } from "chai";
import { policies } from "../policy/policies";
import { runPolicies, RunnerResource } from "../policy/runner";

const policy = policies.find((p) => p.name === "alb-listeners-https-only")!;

function alb(name: string, internal: boolean, type = "application"): RunnerResource {
  const arn = `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/${name}/1`;
  return {
    urn: `urn:pulumi:test::p::aws:lb/loadBalancer:LoadBalancer::${name}`,
    type: "aws:lb/loadBalancer:LoadBalancer",
    name,
    inputs: { internal, loadBalancerType: type },
    outputs: { internal, loadBalancerType: type, arn },
  };
}
function listener(name: string, lb: RunnerResource, inputs: Record<string, unknown>): RunnerResource {
  const all = { loadBalancerArn: lb.outputs!.arn, ...inputs };
  return {
    urn: `urn:pulumi:test::p::aws:lb/listener:Listener::${name}`,
    type: "aws:lb/listener:Listener",
    name,
    inputs: all,
    outputs: all,
  };
}
const https = { protocol: "HTTPS", port: 443, defaultActions: [{ type: "forward" }] };
const redirect = {
  protocol: "HTTP",
  port: 80,
  defaultActions: [
    { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
  ],
};

async function messages(resources: RunnerResource[]): Promise<string[]> {
  const result = await runPolicies([policy], resources);
  return result.violations.map((v) => v.message.split("\n").slice(1).join(" "));
}

describe("policy alb-listeners-https-only", () => {
  const pub = alb("frontend-alb", false);
  const int = alb("backend-alb", true);

  it("passes HTTPS on both ALBs and a public port 80 that only redirects", async () => {
    expect(
      await messages([
        pub,
        int,
        listener("pub-https", pub, https),
        listener("pub-http", pub, redirect),
        listener("int-https", int, https),
      ]),
    ).to.deep.equal([]);
  });

  it("flags a plain-HTTP listener on the internal ALB (what the backend had before issue 12)", async () => {
    expect(
      await messages([
        int,
        listener("backend-http", int, {
          protocol: "HTTP",
          port: 8080,
          defaultActions: [{ type: "forward" }],
        }),
      ]),
    ).to.deep.equal(["Listener backend-http (HTTP) of an internal ALB backend-alb serves plain text."]);
  });

  it("flags a plain-HTTP listener that forwards on the public ALB", async () => {
    expect(
      await messages([
        pub,
        listener("pub-http", pub, { protocol: "HTTP", port: 80, defaultActions: [{ type: "forward" }] }),
      ]),
    ).to.have.length(1);
  });

  it("flags an HTTP listener whose redirect stays on HTTP, or that has no action", async () => {
    const toHttp = { ...redirect, defaultActions: [{ type: "redirect", redirect: { protocol: "HTTP" } }] };
    expect(
      await messages([int, listener("loop", int, toHttp), listener("none", int, { protocol: "HTTP" })]),
    ).to.have.length(2);
  });

  it("leaves network load balancers alone", async () => {
    const nlb = alb("nlb", true, "network");
    const result = await runPolicies([policy], [nlb, listener("tcp", nlb, { protocol: "TCP", port: 5432 })]);
    expect(result.violations).to.deep.equal([]);
    expect(result.notApplicable.map((n) => n.reason)).to.deep.equal(["No application load balancer"]);
  });
});
