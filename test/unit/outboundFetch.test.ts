import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboundFetch } from '../../src/net/outboundFetch.ts';
import { UrlPolicyError, policyFetch } from '../../src/net/urlPolicy.ts';

// The server's own requests (discovery, key sets, the token endpoint) against a real local server.

let server: Server;
let base = '';
const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
const sockets = new Set<unknown>();

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
  sockets.add(req.socket);
  if (req.url === '/json') res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] }).end('{"ok":true}');
  else if (req.url === '/redirect') res.writeHead(302, { location: '/json' }).end();
  else if (req.url === '/big') res.writeHead(200).end('x'.repeat(4096));
  else if (req.url === '/empty') res.writeHead(204).end();
  else if (req.url === '/hang') return; // never answers
  else res.writeHead(404).end('no');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const open = outboundFetch({ allowAddress: () => null, maxBodyBytes: 1024 });

describe('outbound fetch', () => {
  it('answers like fetch: status, headers (repeated ones too) and a body to read as JSON', async () => {
    const res = await open(`${base}/json`, { headers: { accept: 'application/json' } });
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ ok: true });
    expect(seen.at(-1)!.headers.accept).toBe('application/json');
  });

  it('posts form parameters with their content type and length', async () => {
    await open(`${base}/json`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code: 'a b' }) });
    const request = seen.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.body).toBe('grant_type=authorization_code&code=a+b');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(request.headers['content-length']).toBe(String(request.body.length));
  });

  it('keeps connections alive between requests', async () => {
    sockets.clear();
    for (let i = 0; i < 3; i++) await (await open(`${base}/json`)).text();
    expect(sockets.size).toBe(1);
  });

  it('sends a request again, once, when the server drops a kept-alive connection as it is reused', async () => {
    const perSocket = new WeakMap<object, number>();
    const dropping = createServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n > 1) req.socket.destroy(); // the second request on a connection: dropped unanswered
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"n":1}');
    });
    await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(dropping.address() as AddressInfo).port}/`;
      const client = outboundFetch({ allowAddress: () => null });
      for (let i = 0; i < 3; i++) expect(await (await client(url, { method: 'POST', body: 'x' })).json()).toEqual({ n: 1 });
    } finally {
      dropping.closeAllConnections();
      await new Promise((resolve) => dropping.close(resolve));
    }
  });

  it('hands a redirect back with redirect: manual, and fails on one otherwise', async () => {
    const manual = await open(`${base}/redirect`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
    await expect(open(`${base}/redirect`)).rejects.toThrow(/redirect/);
    await expect(open(`${base}/redirect`, { redirect: 'error' })).rejects.toThrow(/redirect/);
  });

  it('gives a null body for 204, and refuses an answer over the size limit', async () => {
    expect((await open(`${base}/empty`)).body).toBeNull();
    await expect(open(`${base}/big`)).rejects.toMatchObject({ name: 'TypeError', cause: { message: expect.stringContaining('larger than 1024 bytes') } });
  });

  it('rejects with the signal\'s reason on a timeout, and with a TypeError carrying the cause when nothing listens', async () => {
    await expect(open(`${base}/hang`, { signal: AbortSignal.timeout(200) })).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(open('http://127.0.0.1:9/')).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });
  });

  it('checks the address a name resolves to before connecting', async () => {
    const before = seen.length;
    const refusing = outboundFetch({ allowAddress: (address) => new Error(`no connection to ${address}`) });
    const port = new URL(base).port;
    await expect(refusing(`http://localhost:${port}/json`)).rejects.toMatchObject({ cause: { message: expect.stringMatching(/^no connection to (127\.0\.0\.1|::1)$/) } });
    expect(seen.length).toBe(before);
  });
});

describe('policy fetch', () => {
  const strict = policyFetch({ allowPrivate: false, allowInsecure: false }, 2000);

  it('refuses private and loopback targets without connecting, and connects to them when allowed', async () => {
    const before = seen.length;
    const port = new URL(base).port;
    for (const url of [`${base}/json`, `http://localhost:${port}/json`, `http://[::ffff:127.0.0.1]:${port}/json`]) {
      await expect(strict(url)).rejects.toBeInstanceOf(UrlPolicyError);
    }
    // A spelling the text checks do not know (a trailing dot) is caught when the name is resolved.
    const dotted = await strict(`http://localhost.:${port}/json`).catch((err: Error) => err);
    expect(dotted instanceof UrlPolicyError || (dotted as { cause?: { code?: string } }).cause?.code === 'ENOTFOUND', String(dotted)).toBe(true);
    if (dotted instanceof UrlPolicyError) expect(dotted.message).toContain(`http://localhost.:${port}/json points to a private or loopback address`);
    expect(seen.length).toBe(before);
    expect((await policyFetch({ allowPrivate: true, allowInsecure: false })(`${base}/json`)).status).toBe(200);
  });

  it('refuses other schemes and credentials', async () => {
    await expect(strict('ftp://example.org/x')).rejects.toThrow(/must use https/);
    await expect(strict('https://u:p@example.org/x')).rejects.toThrow(/credentials/);
  });
});
