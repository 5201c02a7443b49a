/**
 * The stack's posture as a Pulumi policy pack, run by the Pulumi CLI:
 *
 *   pulumi preview --policy-pack infra/policy
 *
 * The policies live in `policies.ts`, so `npm test` can run their validations without the CLI.
 */
import { PolicyPack } from "@pulumi/policy";
import { POSTURE_POLICIES } from "./policies";

new PolicyPack("event-backbone-posture", { enforcementLevel: "mandatory", policies: POSTURE_POLICIES });
