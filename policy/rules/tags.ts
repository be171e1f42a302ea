/**
 * Tags: every taggable resource carries the tags that say whose it is and what it costs. Checked on
 * what AWS will hold (`tagsAll`: the provider's default tags merged with the resource's own), so
 * tags set once in `aws:defaultTags` count. Resources the provider's default tags never reach are
 * checked on their own tags: Auto Scaling groups (no `tags_all`; their `propagateAtLaunch` tags are
 * what the instances get) and launch templates' `tagSpecifications` (what instances and volumes get).
 */
import { PolicyResource } from "@pulumi/policy";
import { isSet, known, PackStackPolicy, perResource, prop, TYPES } from "./common";

/** The tags the lead's tagging strategy requires (issue 12); the policy's configurable default. */
export const REQUIRED_TAGS = ["Project", "Stack", "Role", "Home", "Owner", "CostCentre"];

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
/** What a launch template must tag on launch: the instance and its volumes. */
const TAGGED_ON_LAUNCH = ["instance", "volume"];

function present(tags: Record<string, unknown> | undefined, key: string): boolean {
  const value = tags?.[key];
  return typeof value === "string" && value !== "";
}

/** Each tag set of one resource that must carry the required tags, named for the message. */
function tagSets(resource: PolicyResource): { what: string; tags: Record<string, unknown> }[] | undefined {
  if (resource.type === TYPES.asg) {
    const tags = known(() =>
      prop<{ key?: string; value?: string; propagateAtLaunch?: boolean }[]>(resource, "tags"),
    );
    const propagated: Record<string, unknown> = {};
    for (const t of tags ?? []) {
      if (t.propagateAtLaunch === true && t.key) propagated[t.key] = t.value;
    }
    return [{ what: "tags propagated at launch", tags: propagated }];
  }
  const sets: { what: string; tags: Record<string, unknown> }[] = [];
  if (resource.type === LAUNCH_TEMPLATE) {
    const specs =
      known(() =>
        prop<{ resourceType?: string; tags?: Record<string, unknown> }[]>(resource, "tagSpecifications"),
      ) ?? [];
    for (const type of TAGGED_ON_LAUNCH) {
      sets.push({
        what: `tagSpecifications ${type}`,
        tags: specs.find((s) => s.resourceType === type)?.tags ?? {},
      });
    }
  }
  if (!isSet(resource.props, "tagsAll")) return sets.length > 0 ? sets : undefined;
  const all = known(() => prop<Record<string, unknown>>(resource, "tagsAll"));
  if (all === undefined) return sets.length > 0 ? sets : undefined; // unknown during preview
  return [{ what: "tags", tags: all }, ...sets];
}

export const requiredTags: PackStackPolicy = {
  name: "required-tags",
  description:
    "Every taggable resource carries the `requiredTags` (through the provider's default tags or its own), and Auto Scaling groups and launch templates pass them on to instances and volumes.",
  rationale:
    "Cost allocation, ownership and incident response start from tags; the provider's default tags cover most resources, but never an Auto Scaling group or what it launches.",
  enforcementLevel: "mandatory",
  severity: "low",
  remediationSteps:
    "Set `aws:defaultTags: { tags: { Project, Stack, Role, Home, Owner, CostCentre } }` in the stack file; the program copies them to the Auto Scaling groups and launch templates.",
  configSchema: {
    properties: {
      requiredTags: {
        type: "array",
        items: { type: "string" },
        default: REQUIRED_TAGS,
        description: "Tag keys every taggable resource must carry (non-empty values).",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const report = perResource(reportViolation);
    const { requiredTags: keys } = args.getConfig<{ requiredTags: string[] }>();
    const checked = args.resources
      .map((resource) => ({ resource, sets: tagSets(resource) }))
      .filter(
        (x): x is { resource: PolicyResource; sets: { what: string; tags: Record<string, unknown> }[] } =>
          x.sets !== undefined,
      );
    if (checked.length === 0) args.notApplicable("No taggable resource");
    // A key that no resource carries is one missing default tag, not a fault of each resource:
    // one violation says so instead of one per resource.
    const nowhere = keys.filter((key) => !checked.some(({ sets }) => sets.some((s) => present(s.tags, key))));
    if (nowhere.length > 0) {
      report(
        `No resource carries ${nowhere.join(", ")} (${checked.length} taggable resources): set ${nowhere.length > 1 ? "them" : "it"} in the stack's aws:defaultTags.`,
      );
    }
    const expected = keys.filter((key) => !nowhere.includes(key));
    for (const { resource, sets } of checked) {
      for (const { what, tags } of sets) {
        const missing = expected.filter((key) => !present(tags, key));
        if (missing.length > 0)
          report(`${resource.type} ${resource.name}: ${what} lack ${missing.join(", ")}.`, resource);
      }
    }
  },
};

export const tagPolicies = [requiredTags];
