import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { escapeHtml } from '../../src/web/html.ts';
import { CLAIM, COURSE_OFFERING } from '../../src/lti/claims.ts';

/**
 * The demo platform: a small "school website" that is not an LMS. It lists the tools the
 * launcher offers it (fetched from the launcher's tools API) and puts a context JWT, signed with
 * its own key, on every link: the course the page is about. Its JWKS is what the launcher trusts.
 */
export interface PortalOptions {
  port?: number;
  host?: string;
  /** The portal's public URL (e.g. http://portal.localhost:9300). */
  publicUrl?: string;
  /** The launcher's tools API for this platform. */
  toolsUrl: string;
  /** The launcher issuer the context JWTs are meant for (their `aud`). */
  audience: string;
  /** A private JWK to sign with (kept across restarts by the demo); generated when absent. */
  privateJwk?: JWK;
  /**
   * The IdP's sign-out link, returning here. The IdP session is what signs the same user in at
   * every launch; ending it is how to switch users (the launcher keeps no session of its own).
   */
  signOutUrl?: string;
}

export interface RunningPortal {
  url: string;
  jwksUrl: string;
  privateJwk: JWK;
  close(): Promise<void>;
}

export const DEMO_COURSE = { id: '42', label: 'Everything', title: 'Finding the Answer', type: [COURSE_OFFERING] };

export async function startPortal(options: PortalOptions): Promise<RunningPortal> {
  let privateJwk = options.privateJwk;
  if (!privateJwk) {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), kid: `portal-${Date.now().toString(36)}`, alg: 'RS256' };
  }
  const { d, p, q, dp, dq, qi, ...publicJwk } = privateJwk;
  void d; void p; void q; void dp; void dq; void qi;
  const signingKey = await importJWK(privateJwk, 'RS256');

  const contextToken = () =>
    new SignJWT({
      [CLAIM.context]: DEMO_COURSE,
      [CLAIM.launchPresentation]: { return_url: url },
    })
      .setProtectedHeader({ alg: 'RS256', kid: privateJwk!.kid })
      .setIssuer(url)
      .setAudience(options.audience)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(signingKey);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://portal').pathname;
    if (path === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
      res.end(JSON.stringify({ keys: [{ ...publicJwk, use: 'sig', alg: 'RS256' }] }));
      return;
    }
    if (path !== '/') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    let tools: Array<{ name: string; description: string | null; icon_url: string | null; url: string }> = [];
    let problem = '';
    try {
      const response = await fetch(options.toolsUrl, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      tools = (await response.json()) as typeof tools;
    } catch (err) {
      problem = `The launcher's tools API (${options.toolsUrl}) did not answer: ${(err as Error).message}`;
    }
    const token = await contextToken();
    const items = tools
      .map((t) => {
        const link = new URL(t.url);
        link.searchParams.set('context', token);
        return `<li><a class="tool" href="${escapeHtml(link.href)}">${escapeHtml(t.name)}</a>` +
          `${t.description ? `<p>${escapeHtml(t.description)}</p>` : ''}</li>`;
      })
      .join('');
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:",
    });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Springfield School — ${escapeHtml(DEMO_COURSE.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#fdf6e3;color:#222}
header{background:#264653;color:#fff;padding:1rem 2rem;display:flex;flex-wrap:wrap;gap:1rem;justify-content:space-between;align-items:baseline}
header a.switch{color:#fff;font-weight:600}.hint{color:#555;font-size:.95rem}
main{max-width:40rem;margin:2rem auto;padding:0 1rem}ul{list-style:none;padding:0}li{background:#fff;border:1px solid #ddd;border-radius:8px;padding:1rem;margin:.5rem 0}
a.tool{font-weight:600;font-size:1.1rem;color:#0b5fff}.problem{color:#b42318}</style></head>
<body><header><span><strong>Springfield School</strong> · demo portal (not an LMS)</span>${
  options.signOutUrl ? `<a class="switch" href="${escapeHtml(options.signOutUrl)}">Sign in as someone else</a>` : ''}</header>
<main><h1>${escapeHtml(DEMO_COURSE.label)}: ${escapeHtml(DEMO_COURSE.title)}</h1>
<p>Course tools, launched through the LTI Launcher. You sign in at the school's identity provider when you open one.</p>
${options.signOutUrl ? `<p class="hint">After you have signed in once, every tool opens as the same person. To try another role, use <strong>Sign in as someone else</strong> (at the top): it signs you out of the identity provider and brings you back here.</p>` : ''}
${problem ? `<p class="problem">${escapeHtml(problem)}</p>` : ''}
<ul>${items || (problem ? '' : '<li>No tools are set up for this portal yet.</li>')}</ul></main></body></html>`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`portal error: ${(err as Error).message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = options.publicUrl ?? `http://127.0.0.1:${port}`;
  return {
    url,
    jwksUrl: `${url}/.well-known/jwks.json`,
    privateJwk,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
