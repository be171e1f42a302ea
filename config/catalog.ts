/**
 * What AWS accepts, known without calling AWS: region names and EC2 instance types from the
 * provider's own enums (`aws.Region`, `aws.ec2.InstanceType` of the pinned @pulumi/aws: refreshed by
 * bumping the provider), and from `awsCatalog.json` (a dated, cited data file) the Availability Zones per
 * region and the Aurora PostgreSQL engine versions and instance classes, with which support global
 * databases and global write forwarding. `awsCatalog.json`'s `refresh` says how to update it.
 */
import { ec2, Region } from "@pulumi/aws/types/enums";
import * as data from "./awsCatalog.json";

export const CATALOG_COMPILED: string = data.compiled;

/** Every region name the provider knows (its `aws.Region` enum). */
export const REGIONS: readonly string[] = Object.values(Region);

/** Every EC2 instance type the provider knows (its `aws.ec2.InstanceType` enum). */
export const EC2_INSTANCE_TYPES: readonly string[] = Object.values(ec2.InstanceType);

/** Availability Zones a region offers (awsCatalog.json); undefined for a region the file does not list. */
export function azCountOf(region: string): number | undefined {
  return (data.availabilityZones.counts as Record<string, number>)[region];
}

export interface AuroraVersion {
  version: string;
  globalDatabase: boolean;
  writeForwarding: boolean;
}

/** The aurora-postgresql versions AWS offers (awsCatalog.json). */
export const AURORA_POSTGRESQL_VERSIONS: readonly AuroraVersion[] = Object.entries(
  data.auroraPostgresql.versions as Record<string, string[]>,
).map(([version, features]) => ({
  version,
  globalDatabase: features.includes("globalDatabase"),
  writeForwarding: features.includes("writeForwarding"),
}));

export function auroraVersion(version: string): AuroraVersion | undefined {
  return AURORA_POSTGRESQL_VERSIONS.find((v) => v.version === version);
}

/** The provisioned instance classes Aurora PostgreSQL offers (awsCatalog.json), e.g. db.r7g.large. */
export const AURORA_POSTGRESQL_CLASSES: readonly string[] = Object.entries(
  data.auroraPostgresql.instanceClasses as Record<string, string[]>,
).flatMap(([family, sizes]) => sizes.map((size) => `${family}.${size}`));

/** True when Aurora global databases support the class (awsCatalog.json). */
export function globalDatabaseSupports(instanceClass: string): boolean {
  if (instanceClass === "db.serverless") return true;
  const family = instanceClass.split(".").slice(0, 2).join(".");
  return data.auroraPostgresql.globalDatabaseFamilies.includes(family);
}
