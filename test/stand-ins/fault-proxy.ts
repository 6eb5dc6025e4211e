import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type SecretsManagerOperation =
  | 'DescribeSecret'
  | 'GetSecretValue'
  | 'ListSecrets'
  | 'PutSecretValue'
  | 'UpdateSecretVersionStage';

/** What an injected fault does to one request. */
export type HttpFault =
  | { readonly kind: 'throttle' } // 400 ThrottlingException, before moto sees the request
  | { readonly kind: 'error500' } // 500 InternalServiceError, before moto sees the request
  | { readonly kind: 'drop' } // the connection is closed with no answer, before moto sees the request
  | { readonly kind: 'denied' } // 400 AccessDeniedException, as IAM answers a caller no policy allows the action
  | { readonly kind: 'delay'; readonly ms: number }; // moto applies the request; the answer comes `ms` late

interface QueuedFault {
  readonly operation: SecretsManagerOperation;
  readonly fault: HttpFault;
  /** Only requests naming this secret (name or ARN, as sent). */
  readonly secretId: string | undefined;
}

/**
 * An HTTP proxy in front of moto_server that injects faults by operation (the
 * X-Amz-Target header), so the AWS SDK's own retries act as they would against AWS.
 * `onApplied` runs after moto has answered each request, before the answer goes on:
 * the place to check invariants "at every moment".
 */
export class FaultProxy {
  readonly counts: Record<string, number> = {};
  onApplied: ((operation: string, secretId: string | undefined) => Promise<void>) | undefined;
  /** Rewrites moto's answer body (JSON text) to an operation: an answer moto cannot give (a replica out of sync). */
  rewrite: ((operation: string, body: string) => string) | undefined;
  private readonly faults: QueuedFault[] = [];

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    private readonly upstream: string,
  ) {}

  static async start(upstream: string): Promise<FaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const proxy = new FaultProxy(server, `http://127.0.0.1:${port}`, upstream);
    server.on('request', (req, res) => {
      proxy.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(502).end(String(error));
      });
    });
    return proxy;
  }

  failNext(operation: SecretsManagerOperation, count: number, fault: HttpFault, secretId?: string): void {
    for (let i = 0; i < count; i++) this.faults.push({ operation, fault, secretId });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  pendingFaults(): number {
    return this.faults.length;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.split('.').pop() ?? '';
    const secretId = secretIdOf(body);
    this.counts[operation] = (this.counts[operation] ?? 0) + 1;

    const index = this.faults.findIndex(
      (f) => f.operation === operation && (f.secretId === undefined || f.secretId === secretId),
    );
    const fault = index >= 0 ? this.faults.splice(index, 1)[0]!.fault : undefined;
    switch (fault?.kind) {
      case 'throttle':
        return awsError(res, 400, 'ThrottlingException', 'Rate exceeded');
      case 'error500':
        return awsError(res, 500, 'InternalServiceError', 'An error occurred on the server side.');
      case 'drop':
        req.socket.destroy();
        return;
      case 'denied':
        // The text AWS gives a caller no identity-based policy allows (IAM User Guide,
        // "Troubleshoot access denied error messages").
        return awsError(
          res,
          400,
          'AccessDeniedException',
          `User: arn:aws:iam::123456789012:user/operator is not authorized to perform: secretsmanager:${operation} because no identity-based policy allows the secretsmanager:${operation} action`,
        );
      default:
        break;
    }

    const answer = await fetch(`${this.upstream}${req.url ?? '/'}`, {
      method: req.method ?? 'POST',
      headers: forwardableHeaders(req),
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    });
    const answered = Buffer.from(await answer.arrayBuffer());
    const answerBody = this.rewrite ? Buffer.from(this.rewrite(operation, answered.toString('utf8')), 'utf8') : answered;
    await this.onApplied?.(operation, secretId);
    if (fault?.kind === 'delay') {
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
      if (req.socket.destroyed) return;
    }
    const headers: Record<string, string> = {};
    answer.headers.forEach((value, key) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(key)) headers[key] = value;
    });
    res.writeHead(answer.status, { ...headers, 'content-length': String(answerBody.length) }).end(answerBody);
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function secretIdOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { SecretId?: unknown };
    return typeof parsed.SecretId === 'string' ? parsed.SecretId : undefined;
  } catch {
    return undefined;
  }
}

function forwardableHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined || ['host', 'connection', 'content-length', 'transfer-encoding', 'expect'].includes(key)) continue;
    headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function awsError(res: ServerResponse, statusCode: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: type, message });
  res.writeHead(statusCode, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type }).end(body);
}
