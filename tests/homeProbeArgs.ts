/** The home probe's arguments the specs start from: ca-central-1 watching us-east-1. */
import { HomeProbeArgs } from "../components/homeProbe";

export const TOPIC = "arn:aws:sns:ca-central-1:123456789012:ops-ops";
export const KEY = "arn:aws:kms:ca-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
export const ALB = "frontend-alb-0123456789.us-east-1.elb.amazonaws.com";
export const DOMAIN = "app.example.com";

export const ARGS: HomeProbeArgs = {
  region: "ca-central-1",
  homeRegion: "us-east-1",
  homeAlbDnsName: ALB,
  domain: DOMAIN,
  alarmTopicArn: TOPIC,
  logRetentionDays: 90,
  logKmsKeyArn: KEY,
};
