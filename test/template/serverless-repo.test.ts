import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { sarTemplate } from '../../scripts/sar-template.mjs';
import { expand, expanded, type Template } from '../support/sam-template.js';

/**
 * The Serverless Application Repository accepts only the resource types on its list ("List of
 * Supported AWS Resources", Serverless Application Repository Developer Guide); `sam publish`
 * fails with "The template contains unsupported resource types" otherwise, a Condition on the
 * resource notwithstanding (aws/serverless-application-model#1275, a conditional
 * AWS::CloudTrail::Trail). A `Custom::Name` type is refused: only
 * AWS::CloudFormation::CustomResource is on the list (aws/aws-sam-cli#955).
 *
 * The list as published in the guide's source, awsdocs/aws-serverlessrepo-developer-guide,
 * doc_source/list-supported-resources.md at 83c2822c2920f510ab20a59156dec5ec2e8e779c (the
 * repository's last version; the live page at
 * https://docs.aws.amazon.com/serverlessrepo/latest/devguide/list-supported-resources.html has
 * since added types, such as AWS::AmazonMQ::*). Check the live page before publishing: a type
 * added there can leave this list, never the other way round.
 */
const SAR_SUPPORTED_TYPES = new Set(
  `AWS::AccessAnalyzer::Analyzer
  AWS::ApiGateway::ApiKey AWS::ApiGateway::Authorizer AWS::ApiGateway::BasePathMapping AWS::ApiGateway::ClientCertificate
  AWS::ApiGateway::Deployment AWS::ApiGateway::DocumentationPart AWS::ApiGateway::DocumentationVersion AWS::ApiGateway::DomainName
  AWS::ApiGateway::GatewayResponse AWS::EC2::SecurityGroup AWS::ApiGateway::Method AWS::ApiGateway::Model AWS::ApiGateway::RequestValidator
  AWS::ApiGateway::Resource AWS::ApiGateway::RestApi AWS::ApiGateway::Stage AWS::ApiGateway::UsagePlan AWS::ApiGateway::UsagePlanKey
  AWS::ApiGateway::VpcLink
  AWS::ApiGatewayV2::Api AWS::ApiGatewayV2::ApiMapping AWS::ApiGatewayV2::Authorizer AWS::ApiGatewayV2::DomainName
  AWS::ApiGatewayV2::Deployment AWS::ApiGatewayV2::Integration AWS::ApiGatewayV2::IntegrationResponse AWS::ApiGatewayV2::Model
  AWS::ApiGatewayV2::Route AWS::ApiGatewayV2::RouteResponse AWS::ApiGatewayV2::Stage
  AWS::AppSync::ApiKey AWS::AppSync::DataSource AWS::AppSync::GraphQLApi AWS::AppSync::GraphQLSchema AWS::AppSync::Resolver
  AWS::ApplicationAutoScaling::ScalableTarget AWS::ApplicationAutoScaling::ScalingPolicy
  AWS::Athena::NamedQuery AWS::CertificateManager::Certificate
  AWS::CloudFormation::CustomResource AWS::CloudFormation::Interface AWS::CloudFormation::Macro AWS::CloudFormation::WaitConditionHandle
  AWS::CloudFront::CloudFrontOriginAccessIdentity AWS::CloudFront::Distribution AWS::CloudFront::StreamingDistribution
  AWS::CloudTrail::Trail
  AWS::CloudWatch::Alarm AWS::CloudWatch::AnomalyDetector AWS::CloudWatch::Dashboard AWS::CloudWatch::InsightRule
  AWS::CodeBuild::Project AWS::CodeCommit::Repository AWS::CodePipeline::CustomActionType AWS::CodePipeline::Pipeline AWS::CodePipeline::Webhook
  AWS::Cognito::IdentityPool AWS::Cognito::IdentityPoolRoleAttachment AWS::Cognito::UserPool AWS::Cognito::UserPoolClient
  AWS::Cognito::UserPoolDomain AWS::Cognito::UserPoolGroup AWS::Cognito::UserPoolResourceServer AWS::Cognito::UserPoolUser
  AWS::Cognito::UserPoolUserToGroupAttachment
  AWS::Config::AggregationAuthorization AWS::Config::ConfigRule AWS::Config::ConfigurationAggregator AWS::Config::ConfigurationRecorder
  AWS::Config::DeliveryChannel AWS::Config::RemediationConfiguration
  AWS::DataPipeline::Pipeline AWS::DynamoDB::Table AWS::ECR::Repository AWS::Elasticsearch::Domain
  AWS::Events::EventBusPolicy AWS::Events::Rule
  AWS::EventSchemas::Discoverer AWS::EventSchemas::Registry AWS::EventSchemas::Schema
  AWS::Glue::Classifier AWS::Glue::Connection AWS::Glue::Crawler AWS::Glue::Database AWS::Glue::DevEndpoint AWS::Glue::Job
  AWS::Glue::Partition AWS::Glue::Table AWS::Glue::Trigger
  AWS::IAM::Group AWS::IAM::InstanceProfile AWS::IAM::ManagedPolicy AWS::IAM::Policy AWS::IAM::Role
  AWS::IoT::Certificate AWS::IoT::Policy AWS::IoT::PolicyPrincipalAttachment AWS::IoT::Thing AWS::IoT::ThingPrincipalAttachment AWS::IoT::TopicRule
  AWS::KMS::Alias AWS::KMS::Key
  AWS::Kinesis::Stream AWS::Kinesis::StreamConsumer AWS::Kinesis::Streams
  AWS::KinesisAnalytics::Application AWS::KinesisAnalytics::ApplicationOutput AWS::KinesisFirehose::DeliveryStream
  AWS::Lambda::Alias AWS::Lambda::EventInvokeConfig AWS::Lambda::EventSourceMapping AWS::Lambda::Function AWS::Lambda::LayerVersion
  AWS::Lambda::LayerVersionPermission AWS::Lambda::Permission AWS::Lambda::Version
  AWS::Logs::Destination AWS::Logs::LogGroup AWS::Logs::LogStream AWS::Logs::MetricFilter AWS::Logs::SubscriptionFilter
  AWS::Route53::HealthCheck AWS::Route53::HostedZone AWS::Route53::RecordSet AWS::Route53::RecordSetGroup
  AWS::S3::Bucket AWS::S3::BucketPolicy
  AWS::SNS::Subscription AWS::SNS::Topic AWS::SNS::TopicPolicy
  AWS::SQS::Queue AWS::SQS::QueuePolicy
  AWS::SSM::Association AWS::SSM::Document AWS::SSM::MaintenanceWindowTask AWS::SSM::Parameter AWS::SSM::PatchBaseline AWS::SSM::ResourceDataSync
  AWS::Serverless::Api AWS::Serverless::Application AWS::Serverless::Function AWS::Serverless::HttpApi AWS::Serverless::LayerVersion
  AWS::Serverless::SimpleTable AWS::Serverless::StateMachine
  AWS::StepFunctions::Activity AWS::StepFunctions::StateMachine`.split(/\s+/),
);

/**
 * Not on the list, so left out of the published template (its `sar-omit` blocks). A user of the
 * published application turns rotation on with the function it creates (README, "The Serverless
 * Application Repository"): in their own template, or with `aws secretsmanager rotate-secret`.
 */
const LEFT_OUT_OF_THE_SAR_TEMPLATE = ['AWS::SecretsManager::RotationSchedule'];

/** The resource types of a template as written (before the SAM transform), by SAM's own YAML loader. */
function typesAsWritten(templatePath: string): string[] {
  const script = 'import json,sys; from samtranslator.yaml_helper import yaml_parse; print(json.dumps(sorted({r["Type"] for r in yaml_parse(open(sys.argv[1]).read())["Resources"].values()})))';
  return JSON.parse(execFileSync('python3', ['-c', script, templatePath], { encoding: 'utf8' })) as string[];
}

const typesOf = (template: Template) => [...new Set(Object.values(template.Resources).map((r) => r.Type))].sort();

const sarDir = mkdtempSync(join(tmpdir(), 'sar-template-'));
const sarPath = join(sarDir, 'template.sar.yaml');
writeFileSync(sarPath, sarTemplate(readFileSync('template.yaml', 'utf8')));
const sarExpanded = expand(sarPath);

describe('the Serverless Application Repository: resource types', () => {
  it('uses, as written and after the SAM transform, only types on its list, but for those left out of the published template', () => {
    const used = [...new Set([...typesAsWritten('template.yaml'), ...typesOf(expanded)])].sort();
    // Not vacuous: the transform's own (the schedule's rule and permission) and the template's are all here.
    expect(used).toEqual(expect.arrayContaining(['AWS::Serverless::Function', 'AWS::Lambda::Function', 'AWS::Events::Rule', 'AWS::Lambda::Permission', 'AWS::IAM::Role', 'AWS::Logs::LogGroup', 'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard', 'AWS::SNS::Topic', 'AWS::CloudFormation::CustomResource']));
    expect(used.filter((type) => !SAR_SUPPORTED_TYPES.has(type))).toEqual(LEFT_OUT_OF_THE_SAR_TEMPLATE);
  });

  it('reports at deploy with a custom resource of the one type it accepts, AWS::CloudFormation::CustomResource, not Custom::Name', () => {
    expect(expanded.Resources.DeployTimeReport!.Type).toBe('AWS::CloudFormation::CustomResource');
    expect(typesOf(expanded).filter((type) => type.startsWith('Custom::'))).toEqual([]);
  });

  it('leaves out of the published template only what is not on the list, so `sam publish` accepts it', () => {
    expect([...typesAsWritten(sarPath), ...typesOf(sarExpanded)].filter((type) => !SAR_SUPPORTED_TYPES.has(type))).toEqual([]);
    // Still on AWS's side of the list, or the omission can go (and the README's note with it).
    for (const type of LEFT_OUT_OF_THE_SAR_TEMPLATE) expect(SAR_SUPPORTED_TYPES.has(type), type).toBe(false);
  });
});

describe('the template published to the Serverless Application Repository (scripts/sar-template.mjs)', () => {
  const SCHEDULE_PARAMETERS = ['RotationScheduleExpression', 'RotationWindow', 'RotateImmediatelyOnDeploy'];

  it('is template.yaml without the rotation schedule: every other resource, output and parameter the same', () => {
    const kept = Object.fromEntries(Object.entries(expanded.Resources).filter(([, r]) => !LEFT_OUT_OF_THE_SAR_TEMPLATE.includes(r.Type)));
    expect(sarExpanded.Resources).toEqual(kept);
    expect(Object.keys(expanded.Resources).length - Object.keys(kept).length).toBe(1);
    expect(sarExpanded.Outputs).toEqual(expanded.Outputs);
    // The schedule's parameters go with it (they would do nothing), and the Rules that check them; the rest stay.
    expect(Object.keys(sarExpanded.Parameters).sort()).toEqual(Object.keys(expanded.Parameters).filter((name) => !SCHEDULE_PARAMETERS.includes(name)).sort());
    for (const name of Object.keys(sarExpanded.Parameters)) expect(sarExpanded.Parameters[name]).toEqual(expanded.Parameters[name]);
    expect(JSON.stringify(sarExpanded.Rules)).not.toMatch(/RotationScheduleExpression|RotationWindow/);
    expect(Object.keys(sarExpanded.Rules)).toContain('VpcNeedsSubnetsAndSecurityGroups');
  });

  it('keeps what the user needs to turn rotation on: the function\'s ARN as an output, and Secrets Manager\'s permission to invoke it', () => {
    expect(sarExpanded.Outputs.RotationFunctionArn!.Value).toEqual({ 'Fn::GetAtt': ['RotationFunction', 'Arn'] });
    const permissions = Object.values(sarExpanded.Resources).filter((r) => r.Type === 'AWS::Lambda::Permission').map((r) => r.Properties.Principal);
    expect(permissions).toContain('secretsmanager.amazonaws.com');
  });

  it('passes cfn-lint with no error and no warning (no parameter or condition left unused)', () => {
    expect(() => execFileSync('cfn-lint', [sarPath], { encoding: 'utf8' })).not.toThrow();
  });

  it('lists every parameter in exactly one group of the console form', () => {
    const script = 'import json,sys; from samtranslator.yaml_helper import yaml_parse; print(json.dumps(yaml_parse(open(sys.argv[1]).read())["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]))';
    const groups = JSON.parse(execFileSync('python3', ['-c', script, sarPath], { encoding: 'utf8' })) as { Parameters: string[] }[];
    expect(groups.flatMap((g) => g.Parameters).sort()).toEqual(Object.keys(sarExpanded.Parameters).sort());
  });

  it('refuses a block left open, closed without opening, or opened twice, saying where', () => {
    expect(sarTemplate('a\n  # sar-omit-begin: why\nb\n  # sar-omit-end\nc')).toBe('a\nc');
    expect(() => sarTemplate('a\n# sar-omit-begin: why\nb')).toThrow(/line 2: sar-omit-begin without a sar-omit-end/);
    expect(() => sarTemplate('a\n# sar-omit-end')).toThrow(/line 2: sar-omit-end without a sar-omit-begin/);
    expect(() => sarTemplate('# sar-omit-begin: one\n# sar-omit-begin: two\n# sar-omit-end')).toThrow(/line 2: sar-omit-begin inside the block opened on line 1/);
  });
});

describe('what deploying the application must acknowledge (Serverless Application Repository, "Acknowledging application capabilities")', () => {
  // Custom IAM roles: AWS::IAM::Role and the like; resource policies: AWS::Lambda::Permission and the like.
  const IAM_TYPES = ['AWS::IAM::Group', 'AWS::IAM::InstanceProfile', 'AWS::IAM::Policy', 'AWS::IAM::Role'];
  const RESOURCE_POLICY_TYPES = ['AWS::Lambda::LayerVersionPermission', 'AWS::Lambda::Permission', 'AWS::Events::EventBusPolicy', 'AWS::IAM::Policy', 'AWS::ApplicationAutoScaling::ScalingPolicy', 'AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy'];

  it('a custom IAM role (CAPABILITY_IAM) and a resource policy, the Lambda permissions (CAPABILITY_RESOURCE_POLICY)', () => {
    const types = typesOf(sarExpanded);
    expect(types.filter((t) => IAM_TYPES.includes(t))).toEqual(['AWS::IAM::Role']);
    expect(types.filter((t) => RESOURCE_POLICY_TYPES.includes(t))).toEqual(['AWS::Lambda::Permission']);
  });
});
