import dns, { type LookupAddress, type LookupAllOptions } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

/**
 * The server's own requests to admin-supplied URLs (discovery, key sets, the IdP's token
 * endpoint), as a `fetch` that openid-client and jose accept, on node:http with keep-alive.
 *
 * The address a connection is made to is checked when it is resolved (`allowAddress`), so a host
 * name cannot pass the URL policy with one address and be fetched at another (DNS rebinding), and
 * a name is resolved once per connection rather than once for the check and again for the fetch.
 *
 * What it does not do, because no caller needs it: redirects are never followed (`redirect:
 * 'manual'` hands a 3xx back, anything else fails on one, as the URL policy wants), bodies are
 * text or bytes, and an answer is read whole, up to `maxBodyBytes`.
 */
export interface OutboundOptions {
  /** Returns a reason to refuse the address a host name resolved to, or null to connect. */
  allowAddress: (address: string, family: number, host: string) => Error | null;
  maxBodyBytes?: number;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;

export function outboundFetch(options: OutboundOptions): typeof fetch {
  const lookup = checkedLookup(options.allowAddress);
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, maxSockets: 64, lookup } as ConstructorParameters<typeof HttpAgent>[0]),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets: 64, lookup } as ConstructorParameters<typeof HttpsAgent>[0]),
  };
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;

  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    if (input instanceof Request) throw new TypeError('outboundFetch takes a URL and options, not a Request');
    const url = new URL(input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`fetch: unsupported scheme ${url.protocol}`);
    const headers = new Headers(init.headers);
    const body = await bodyBytes(init.body, headers);
    if (body) headers.set('content-length', String(body.length));
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();

    const attempt = () => new Promise<IncomingMessage>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, { method: init.method ?? 'GET', headers: Object.fromEntries(headers), agent: agents[url.protocol as 'http:' | 'https:'] });
      const abort = () => req.destroy(signal!.reason instanceof Error ? signal!.reason : new DOMException('The operation was aborted', 'AbortError'));
      signal?.addEventListener('abort', abort, { once: true });
      req.once('response', (res) => {
        signal?.removeEventListener('abort', abort);
        resolve(res);
      });
      req.once('error', (err: NodeJS.ErrnoException) => {
        signal?.removeEventListener('abort', abort);
        // A kept-alive connection the server closed just as it was reused: nothing was read, so
        // the request is sent again once, on a new connection (as Node's documentation advises).
        reject(Object.assign(err, { retry: req.reusedSocket && err.code === 'ECONNRESET' && !signal?.aborted }));
      });
      req.end(body ?? undefined);
    });
    const response = await attempt().catch((err: Error & { retry?: boolean }) => {
      if (err.retry) return attempt();
      throw err;
    }).catch((err: Error) => {
      throw fetchError(err);
    });

    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location !== undefined && init.redirect !== 'manual') {
      response.resume();
      throw new TypeError(`fetch: ${url.href} answered with a redirect (HTTP ${status}), which is not followed`);
    }
    const bytes = await readBody(response, maxBody, signal).catch((err) => {
      throw fetchError(err);
    });
    const answer = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (Array.isArray(value)) for (const v of value) answer.append(name, v);
      else if (value !== undefined) answer.set(name, value);
    }
    const nullBody = status === 204 || status === 205 || status === 304;
    return new Response(nullBody ? null : bytes, { status, statusText: response.statusMessage, headers: answer });
  }) as typeof fetch;
}

/** As fetch reports them: an abort as its reason, any other failure as a TypeError with the cause. */
function fetchError(err: Error): Error {
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return err;
  return new TypeError('fetch failed', { cause: err });
}

/** dns.lookup, then every address it gives is checked before the socket may connect to it. */
function checkedLookup(allowAddress: OutboundOptions['allowAddress']): LookupFunction {
  return ((host: string, options: LookupAllOptions | number | undefined, callback: (...args: any[]) => void) => {
    const opts = typeof options === 'number' ? { family: options } : { ...options };
    // dns.lookup looked up at each call (not bound at import), so a process-wide resolver override applies.
    dns.lookup(host, { ...opts, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err);
      for (const { address, family } of addresses) {
        const refused = allowAddress(address, family, host);
        if (refused) return callback(refused);
      }
      if ((opts as { all?: boolean }).all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  }) as LookupFunction;
}

async function bodyBytes(body: RequestInit['body'], headers: Headers): Promise<Buffer | null> {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') {
    if (!headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
    return Buffer.from(body);
  }
  if (body instanceof URLSearchParams) {
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    return Buffer.from(body.toString());
  }
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('outboundFetch sends text, form parameters or bytes only');
}

function readBody(response: IncomingMessage, max: number, signal: AbortSignal | undefined): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const abort = () => response.destroy(signal!.reason instanceof Error ? signal!.reason : new DOMException('The operation was aborted', 'AbortError'));
    signal?.addEventListener('abort', abort, { once: true });
    let settled = false;
    const done = (err: Error | null) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      if (err) reject(err);
      else {
        const bytes = new Uint8Array(size);
        let offset = 0;
        for (const chunk of chunks) {
          bytes.set(chunk, offset);
          offset += chunk.length;
        }
        resolve(bytes);
      }
    };
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        done(new Error(`the answer is larger than ${max} bytes`));
        response.destroy();
        return;
      }
      chunks.push(chunk);
    });
    response.once('end', () => done(null));
    response.once('error', done);
    response.once('aborted', () => done(new Error('the connection was closed before the answer was complete')));
  });
}
