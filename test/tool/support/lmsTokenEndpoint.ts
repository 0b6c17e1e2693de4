import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type ProtectedHeaderParameters } from 'jose';

/** One token request as the stand-in received it, with its verified client assertion. */
export interface ReceivedTokenRequest {
  contentType: string | undefined;
  form: Record<string, string>;
  header: ProtectedHeaderParameters;
  payload: JWTPayload;
}

/** What the stand-in answers a verified token request with. */
export interface TokenEndpointAnswer {
  status: number;
  contentType: string;
  body: string;
  /** Milliseconds to wait before answering (to see concurrent requests coalesce). */
  delayMs?: number;
}

/** Canvas's shape (lib/canvas/oauth): a JWT-looking token, `Bearer`, every scope asked for or none (`invalid_scope`). */
export function canvasAnswer(scopes: string[], token = `eyJ.canvas-${crypto.randomUUID()}.sig`): TokenEndpointAnswer {
  return { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600, scope: scopes.join(' ') }) };
}

/** Moodle's shape (mod/lti/token.php): a hex token, `bearer` in lowercase, the scopes it offers of those asked. */
export function moodleAnswer(granted: string[], token = crypto.randomUUID().replaceAll('-', '')): TokenEndpointAnswer {
  return { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: 3600, scope: granted.join(' ') }) };
}

/**
 * An LMS's token endpoint written for the tests: it verifies each client assertion as a strict
 * platform does — with jose, against the gateway's JWKS URL, iss = sub = the client id, aud as
 * configured, at most five minutes, a jti it never saw before — and answers what the test asks.
 * A request whose assertion fails is answered 401 invalid_client and noted in `problems`.
 */
export class LmsTokenEndpoint {
  server!: Server;
  url = '';
  readonly requests: ReceivedTokenRequest[] = [];
  readonly problems: string[] = [];
  readonly jtis = new Set<string>();
  /** The aud the assertion must name; the token URL unless a test sets another. */
  audience = '';
  answer: (scopes: string[]) => TokenEndpointAnswer = (scopes) => canvasAnswer(scopes);

  private constructor(
    private readonly gatewayJwksUrl: string,
    readonly clientId: string,
  ) {}

  get tokenUrl(): string {
    return `${this.url}/login/oauth2/token`;
  }

  static async start(gatewayJwksUrl: string, clientId = '10000000000042'): Promise<LmsTokenEndpoint> {
    const endpoint = new LmsTokenEndpoint(gatewayJwksUrl, clientId);
    endpoint.server = createServer((req, res) => void endpoint.handle(req, res).catch((err) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    }));
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
    endpoint.url = `http://127.0.0.1:${(endpoint.server.address() as AddressInfo).port}`;
    endpoint.audience = endpoint.tokenUrl;
    return endpoint;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.url !== '/login/oauth2/token') return void res.writeHead(404).end();
    let body = '';
    for await (const chunk of req) body += chunk;
    const form = Object.fromEntries(new URLSearchParams(body));
    const refuse = (problem: string) => {
      this.problems.push(problem);
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client', error_description: problem }));
    };
    let verified: { payload: JWTPayload; protectedHeader: ProtectedHeaderParameters };
    try {
      verified = await jwtVerify(form.client_assertion ?? '', createRemoteJWKSet(new URL(this.gatewayJwksUrl)), {
        algorithms: ['RS256'], issuer: this.clientId, subject: this.clientId, audience: this.audience, maxTokenAge: '5m', requiredClaims: ['iat', 'exp', 'jti'],
      });
    } catch (err) {
      return refuse(`assertion: ${(err as Error).message}`);
    }
    const { payload, protectedHeader } = verified;
    if (payload.exp! - payload.iat! > 300) return refuse('assertion lives longer than five minutes');
    if (this.jtis.has(payload.jti!)) return refuse(`jti ${payload.jti} seen before`);
    this.jtis.add(payload.jti!);
    this.requests.push({ contentType: req.headers['content-type'], form, header: protectedHeader, payload });
    const answer = this.answer((form.scope ?? '').split(' '));
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    res.writeHead(answer.status, { 'content-type': answer.contentType, 'cache-control': 'no-store' }).end(answer.body);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
