import { createServer, type IncomingMessage, type Server } from 'node:http';

/** One AWS API call, as the proxy saw it. */
export interface RecordedRequest {
  /** The SigV4 signing name from the Authorization header: secretsmanager, lambda, iam, ec2, ... */
  readonly service: string;
  /**
   * JSON and query protocols: the operation (ListSecrets, GetRole, DescribeSubnets). REST
   * protocols (Lambda): the method and path as sent, "GET /2017-03-31/tags/arn%3Aaws%3A...".
   */
  readonly operation: string;
  /** The operation's name, REST calls included where known (Lambda: ListTags, GetFunction, ...); else `operation`. */
  readonly api: string;
  readonly method: string;
}

/**
 * An HTTP proxy in front of moto_server (or any endpoint) that records every AWS request's
 * service and operation, and passes it on unchanged. Point an SDK client (AWS_ENDPOINT_URL,
 * or AWS_ENDPOINT_URL_<SERVICE>) at `endpoint`; read `requests`; `reset()` between checks.
 *
 *   const proxy = await RecordingProxy.start(moto.endpoint);
 *   ... run the code under test against proxy.endpoint ...
 *   expect(proxy.writes()).toEqual([]);
 *   await proxy.stop();
 *
 * The operation is read as each protocol carries it: the X-Amz-Target header for JSON
 * protocols (Secrets Manager, CloudWatch Logs: "secretsmanager.ListSecrets"), `Action=` in the
 * form body for query protocols (IAM, EC2, STS, CloudFormation); for Lambda's REST API the
 * operation is the method and path, and `api` names it (see lambdaOperation).
 */
export class RecordingProxy {
  readonly requests: RecordedRequest[] = [];

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    private readonly upstream: string,
  ) {}

  static async start(upstream: string): Promise<RecordingProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const proxy = new RecordingProxy(server, `http://127.0.0.1:${port}`, upstream);
    server.on('request', (req, res) => {
      proxy.forward(req).then(
        ({ status, headers, body }) => res.writeHead(status, headers).end(body),
        (error: unknown) => {
          if (!res.headersSent) res.writeHead(502).end(String(error));
        },
      );
    });
    return proxy;
  }

  /** The operations recorded for one service, in order, by name (`api`). */
  operations(service: string): string[] {
    return this.requests.filter((r) => r.service === service).map((r) => r.api);
  }

  /** How many requests each "service operation" got ("secretsmanager ListSecrets", "lambda GET /2017-03-31/tags/..."). */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { service, operation } of this.requests) counts[`${service} ${operation}`] = (counts[`${service} ${operation}`] ?? 0) + 1;
    return counts;
  }

  /**
   * Every request that may change something: a REST call other than GET or HEAD, or an
   * operation not named as a read (isReadOperation).
   */
  writes(): RecordedRequest[] {
    const rest = (r: RecordedRequest) => r.operation.startsWith(`${r.method} /`);
    return this.requests.filter((r) => (rest(r) ? !['GET', 'HEAD'].includes(r.method) : !isReadOperation(r.api)));
  }

  reset(): void {
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async forward(req: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    this.requests.push(recognise(req, body));
    const answer = await fetch(`${this.upstream}${req.url ?? '/'}`, {
      method: req.method ?? 'POST',
      headers: forwardableHeaders(req),
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    });
    const answerBody = Buffer.from(await answer.arrayBuffer());
    const headers: Record<string, string> = {};
    answer.headers.forEach((value, key) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(key)) headers[key] = value;
    });
    return { status: answer.status, headers: { ...headers, 'content-length': String(answerBody.length) }, body: answerBody };
  }
}

/**
 * Whether an operation only reads, by the verbs AWS names read-only actions with (Get, List,
 * Describe, ...; IAM's Simulate*, which evaluates policies and changes nothing). For proving
 * that a command makes no write call: anything else counts as a write.
 */
export function isReadOperation(operation: string): boolean {
  return /^(Get|List|Describe|Head|BatchGet|Lookup|Search|Simulate|Query|Scan|Select|Validate|Test|Estimate)[A-Z]/.test(operation);
}

function recognise(req: IncomingMessage, body: Buffer): RecordedRequest {
  // SigV4: Credential=AKID/20250101/us-east-1/<service>/aws4_request (every SDK request is signed).
  const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? 'unknown';
  const method = req.method ?? 'GET';
  const named = (operation: string) => ({ service, operation, api: operation, method });
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target !== '') return named(target.split('.').pop()!);
  const contentType = String(req.headers['content-type'] ?? '');
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const action = new URLSearchParams(body.toString('utf8')).get('Action');
    if (action) return named(action);
  }
  const url = new URL(req.url ?? '/', 'http://proxy');
  const queryAction = url.searchParams.get('Action');
  if (queryAction) return named(queryAction);
  const rest = `${method} ${url.pathname}`;
  return { service, operation: rest, api: (service === 'lambda' ? lambdaOperation(method, url.pathname) : undefined) ?? rest, method };
}

/**
 * Lambda's REST routes (the API reference's request syntax: e.g. ListTags is
 * GET /2017-03-31/tags/{ARN}, GetFunction GET /2015-03-31/functions/{FunctionName}).
 * The SDK percent-encodes the ARN or name in the path.
 */
const LAMBDA_ROUTES: readonly [method: string, path: RegExp, operation: string][] = [
  ['GET', /^\/2017-03-31\/tags\/[^/]+$/, 'ListTags'],
  ['POST', /^\/2017-03-31\/tags\/[^/]+$/, 'TagResource'],
  ['DELETE', /^\/2017-03-31\/tags\/[^/]+$/, 'UntagResource'],
  ['GET', /^\/2015-03-31\/functions\/?$/, 'ListFunctions'],
  ['POST', /^\/2015-03-31\/functions\/?$/, 'CreateFunction'],
  ['GET', /^\/2015-03-31\/functions\/[^/]+\/?$/, 'GetFunction'],
  ['DELETE', /^\/2015-03-31\/functions\/[^/]+\/?$/, 'DeleteFunction'],
  ['GET', /^\/2015-03-31\/functions\/[^/]+\/configuration\/?$/, 'GetFunctionConfiguration'],
  ['PUT', /^\/2015-03-31\/functions\/[^/]+\/configuration\/?$/, 'UpdateFunctionConfiguration'],
  ['PUT', /^\/2015-03-31\/functions\/[^/]+\/code\/?$/, 'UpdateFunctionCode'],
  ['POST', /^\/2015-03-31\/functions\/[^/]+\/invocations\/?$/, 'Invoke'],
  ['GET', /^\/2015-03-31\/functions\/[^/]+\/policy\/?$/, 'GetPolicy'],
  ['POST', /^\/2015-03-31\/functions\/[^/]+\/policy\/?$/, 'AddPermission'],
  ['DELETE', /^\/2015-03-31\/functions\/[^/]+\/policy\/[^/]+$/, 'RemovePermission'],
  ['GET', /^\/2015-03-31\/functions\/[^/]+\/versions\/?$/, 'ListVersionsByFunction'],
  ['POST', /^\/2015-03-31\/functions\/[^/]+\/versions\/?$/, 'PublishVersion'],
  ['GET', /^\/2015-03-31\/functions\/[^/]+\/aliases\/?$/, 'ListAliases'],
  ['GET', /^\/2015-03-31\/functions\/[^/]+\/aliases\/[^/]+$/, 'GetAlias'],
  ['GET', /^\/2019-09-30\/functions\/[^/]+\/concurrency\/?$/, 'GetFunctionConcurrency'],
  ['PUT', /^\/2017-10-31\/functions\/[^/]+\/concurrency\/?$/, 'PutFunctionConcurrency'],
  ['GET', /^\/2015-03-31\/event-source-mappings\/?$/, 'ListEventSourceMappings'],
  ['GET', /^\/2016-08-19\/account-settings\/?$/, 'GetAccountSettings'],
];

export function lambdaOperation(method: string, path: string): string | undefined {
  return LAMBDA_ROUTES.find(([m, pattern]) => m === method && pattern.test(path))?.[2];
}

function forwardableHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined || ['host', 'connection', 'content-length', 'transfer-encoding', 'expect'].includes(key)) continue;
    headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
