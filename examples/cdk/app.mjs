// A CDK app that rotates a Momento key with momento-secret-rotation/cdk.
// Synthesize: node examples/cdk/app.mjs (or `cdk synth --app "node examples/cdk/app.mjs"`).
// Deploy: cdk deploy --app "node examples/cdk/app.mjs".
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { MomentoKeyRotation } from 'momento-secret-rotation/cdk';

const app = new App();
const stack = new Stack(app, 'MomentoKeyRotation');

// The secrets you created (see the README, "Deploy with SAM", step 1). By name: CDK grants
// on `name-??????`, which matches the suffix Secrets Manager adds.
const apiKey = Secret.fromSecretNameV2(stack, 'ApiKey', 'momento/api-key');
const managementKey = Secret.fromSecretNameV2(stack, 'ManagementKey', 'momento/management');

const rotation = new MomentoKeyRotation(stack, 'Rotation', {
  secret: apiKey,
  managementSecret: managementKey,
  schedule: Duration.days(5),
  rotationWindow: Duration.hours(4),
});
// A second secret, same function, its own schedule.
rotation.addSecret(Secret.fromSecretNameV2(stack, 'ReportingKey', 'momento/reporting-key'), { schedule: 'cron(0 3 ? * MON *)' });

const assembly = app.synth();
console.log(`Synthesized ${assembly.stacks.map((s) => s.stackName).join(', ')} to ${assembly.directory}`);
