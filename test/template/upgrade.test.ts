import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MomentoKeyRotation } from 'momento-secret-rotation/cdk';
import { expanded, SECRET_ARN, type Resource } from '../support/sam-template.js';

/**
 * Updating a stack deployed from an earlier version. CloudFormation refuses a change set that
 * changes the Type of an existing logical id ("Update of resource type is not permitted. The new
 * template modifies resource type of the following resources: [...]"; panther-labs/panther#1895,
 * where a custom resource's type changed and every existing stack's update failed). And a custom
 * resource is invoked on update only when its properties change (panther-labs/panther#1591), so an
 * alarm whose metric changed must follow a report CloudFormation does invoke.
 *
 * released-resource-types.json: every logical id and type of template.yaml as samtranslator
 * expands it, as deployed by the previous version (commit ce1675d). The deploy-time report was
 * InitialExpiryReport, of type Custom::MomentoKeyExpiryReport; the Serverless Application
 * Repository accepts only AWS::CloudFormation::CustomResource, so it is now DeployTimeReport.
 */
const released = JSON.parse(readFileSync(new URL('./released-resource-types.json', import.meta.url), 'utf8')) as Record<string, string>;

describe('updating a stack of the previous version (template.yaml)', () => {
  it("changes no released logical id's resource type (CloudFormation would refuse the whole update)", () => {
    const changed = Object.entries(released)
      .filter(([id, type]) => expanded.Resources[id] !== undefined && expanded.Resources[id]!.Type !== type)
      .map(([id, type]) => `${id}: ${type} -> ${expanded.Resources[id]!.Type}`);
    expect(changed).toEqual([]);
    // The check bites: the report under its released id, with the type it has now, is refused.
    expect(released.InitialExpiryReport).toBe('Custom::MomentoKeyExpiryReport');
    expect(expanded.Resources.DeployTimeReport!.Type).toBe('AWS::CloudFormation::CustomResource');
    expect(expanded.Resources.InitialExpiryReport).toBeUndefined();
  });

  it('every alarm that counts missing data as breaching follows a report this update creates (a new logical id), so it never pages for a metric not yet published', () => {
    const alarms = Object.entries(expanded.Resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.TreatMissingData === 'breaching');
    expect(alarms.length).toBeGreaterThan(0);
    for (const [id, alarm] of alarms as [string, Resource][]) {
      const reports = [alarm.DependsOn].flat().filter((d): d is string => typeof d === 'string' && expanded.Resources[d]?.Type === 'AWS::CloudFormation::CustomResource');
      expect(reports, id).toEqual(['DeployTimeReport']);
      expect(released[reports[0]!], `${id}: ${reports[0]} must be new to the released stacks`).toBeUndefined();
    }
  });
});

describe('updating a stack of the previous version (the CDK construct)', () => {
  it('makes the deploy-time report at a new construct path, so a new logical id (the released one had another type)', () => {
    const app = new App();
    const stack = new Stack(app, 'RotationStack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const rotation = new MomentoKeyRotation(stack, 'MomentoKeyRotation', { secret: Secret.fromSecretCompleteArn(stack, 'Secret', SECRET_ARN) });
    expect(rotation.node.tryFindChild('InitialExpiryReport')).toBeUndefined();
    const report = rotation.node.tryFindChild('DeployTimeReport')?.node.defaultChild as CfnResource | undefined;
    expect(report?.cfnResourceType).toBe('AWS::CloudFormation::CustomResource');
  });
});
