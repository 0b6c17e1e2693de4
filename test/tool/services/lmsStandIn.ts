import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';

/** A request the stand-in received, as it came. */
export interface SeenRequest {
  method: string;
  /** Path and query, byte for byte as sent. */
  path: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface StandInAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** JSON-encoded unless a string. */
  body?: unknown;
}

type Handler = (request: SeenRequest) => StandInAnswer | Promise<StandInAnswer> | 'hang';

/**
 * An LMS's service endpoints for tests, over real HTTP on 127.0.0.1: each test says what a path
 * answers (Canvas- or Moodle-shaped), and the stand-in keeps every request it received. A request
 * without one of the accepted bearer tokens gets Canvas's 401.
 */
export class LmsStandIn {
  readonly requests: SeenRequest[] = [];
  readonly acceptedTokens = new Set(['token-1']);
  private readonly handlers = new Map<string, Handler>();
  private server!: Server;
  url = '';

  static async start(): Promise<LmsStandIn> {
    const lms = new LmsStandIn();
    lms.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void lms.handle({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        url: new URL(req.url ?? '/', lms.url),
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      }, res));
    });
    await new Promise<void>((resolve) => lms.server.listen(0, '127.0.0.1', resolve));
    const address = lms.server.address();
    lms.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return lms;
  }

  /** What `METHOD /path` answers (the query string is the handler's to read). */
  on(method: string, pathname: string, handler: Handler): void {
    this.handlers.set(`${method} ${pathname}`, handler);
  }

  /** The requests to a path (any query), in order. */
  seen(pathname: string): SeenRequest[] {
    return this.requests.filter((r) => r.url.pathname === pathname);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: SeenRequest, res: ServerResponse): Promise<void> {
    this.requests.push(request);
    const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token || !this.acceptedTokens.has(token)) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      res.end(JSON.stringify({ errors: [{ message: 'Invalid access token format' }] }));
      return;
    }
    const handler = this.handlers.get(`${request.method} ${request.url.pathname}`);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'The specified resource does not exist.' }] }));
      return;
    }
    const answer = await handler(request);
    if (answer === 'hang') return;
    const body = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    // Header values go out as UTF-8 bytes, as Moodle sends its typographic quotes (Node writes Latin-1).
    const headers = Object.fromEntries(Object.entries({ 'content-type': 'application/json', ...answer.headers }).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('latin1')]));
    res.writeHead(answer.status ?? 200, headers);
    res.end(body);
  }
}
