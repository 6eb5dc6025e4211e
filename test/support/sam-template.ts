import { execFileSync } from 'node:child_process';

/**
 * template.yaml, expanded offline by samtranslator (the SAM transform CloudFormation
 * runs), then resolved for given parameters. cfn-lint passes a wrong principal or a
 * malformed rate(); these tests do not.
 */
type Json = unknown;
export type Template = {
  Parameters: Record<string, { Type: string; Default?: unknown; AllowedPattern?: string }>;
  Conditions: Record<string, Json>;
  Rules: Record<string, { RuleCondition?: Json; Assertions: { Assert: Json; AssertDescription: string }[] }>;
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Condition?: string; Description?: string; Value: Json }>;
};
export type Resource = { Type: string; Condition?: string; DependsOn?: string | string[]; Properties: Record<string, any> };

export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento/api-key-AbCdEf';
export const KMS_KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/0b5e1f6a-1234-4cde-8f00-123456789abc';
export const MANAGEMENT_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento/management-XyZ123';
export const MANAGEMENT_KMS_KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/9c0ffee0-1234-4cde-8f00-123456789abc';
/** Customer-managed keys of the secret's replicas in two other Regions (a multi-Region key's id starts with mrk-). */
export const REPLICA_KMS_KEY_ARNS = ['arn:aws:kms:us-east-1:123456789012:key/4f1e2d3c-1234-4cde-8f00-123456789abc', 'arn:aws:kms:ap-southeast-2:123456789012:key/mrk-0123456789abcdef0123456789abcdef'];

/** A template as samtranslator expands it (the SAM transform CloudFormation runs). */
export function expand(templatePath: string): Template {
  return JSON.parse(execFileSync('python3', ['test/template/translate.py', templatePath], { encoding: 'utf8' })) as Template;
}

export const expanded = expand('template.yaml');

const NO_VALUE = Symbol('AWS::NoValue');

/** Parameter values as CloudFormation passes them: defaults filled in, a CommaDelimitedList split into its list. */
export function parameterValues(overrides: Record<string, string | string[]> = {}): Record<string, unknown> {
  const params: Record<string, unknown> = { SecretArn: SECRET_ARN, ...overrides };
  for (const [name, p] of Object.entries(expanded.Parameters)) {
    params[name] ??= p.Default;
    if (p.Type === 'CommaDelimitedList' && typeof params[name] === 'string') params[name] = (params[name] as string).split(',');
  }
  return params;
}

/** The template as CloudFormation would see it for these parameters: conditions and Fn::If resolved. */
export function resolved(overrides: Record<string, string> = {}): Record<string, Resource> {
  const params = parameterValues(overrides);
  const condition = (name: string): boolean => evaluate(expanded.Conditions[name]) as boolean;
  function evaluate(node: Json): unknown {
    if (Array.isArray(node)) return node.map(evaluate).filter((v) => v !== NO_VALUE);
    if (typeof node !== 'object' || node === null) return node;
    const entries = Object.entries(node);
    if (entries.length === 1) {
      const [fn, arg] = entries[0]! as [string, any];
      if (fn === 'Ref' && arg === 'AWS::NoValue') return NO_VALUE;
      if (fn === 'Ref' && arg in params) return params[arg];
      if (fn === 'Fn::If') return evaluate(condition(arg[0]) ? arg[1] : arg[2]);
      if (fn === 'Fn::Equals') return String(evaluate(arg[0])) === String(evaluate(arg[1]));
      if (fn === 'Fn::Not') return !evaluate(arg[0]);
      if (fn === 'Fn::And') return (arg as Json[]).every((a) => evaluate(a));
      if (fn === 'Fn::Or') return (arg as Json[]).some((a) => evaluate(a));
      if (fn === 'Fn::Join') return (evaluate(arg[1]) as unknown[]).join(arg[0]);
      if (fn === 'Fn::Split') return String(evaluate(arg[1])).split(arg[0]);
      if (fn === 'Fn::Select') return (evaluate(arg[1]) as unknown[])[Number(arg[0])];
      if (fn === 'Condition') return condition(arg);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, evaluate(v)]).filter(([, v]) => v !== NO_VALUE));
  }
  return Object.fromEntries(
    Object.entries(expanded.Resources)
      .filter(([, r]) => r.Condition === undefined || condition(r.Condition))
      .map(([id, r]) => [id, evaluate(r) as Resource]),
  );
}

export function ofType(resources: Record<string, Resource>, type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/**
 * A string-valued property (Fn::Sub, Fn::Join, Ref) as text: `${Name}` and Ref take `values`,
 * else a resource's reference reads `<its type>`, so a SAM and a CDK template compare though
 * their logical ids differ. Whatever names neither is left as written (`${AWS::StackName}`).
 */
export function rendered(node: Json, resources: Record<string, Resource>, values: Record<string, string> = {}): string {
  const nameOf = (name: string) => values[name] ?? (resources[name] ? `<${resources[name].Type}>` : `\${${name}}`);
  if (typeof node === 'string') return node;
  const [fn, arg] = Object.entries(node as Record<string, any>)[0]!;
  if (fn === 'Ref') return nameOf(arg);
  if (fn === 'Fn::Sub' && typeof arg === 'string') return arg.replace(/\$\{([A-Za-z0-9:]+)\}/g, (_m, name: string) => nameOf(name));
  if (fn === 'Fn::Join') return (arg[1] as Json[]).map((part) => rendered(part, resources, values)).join(arg[0]);
  throw new Error(`rendered: no renderer for ${fn}`);
}
