import { randomUUID } from 'node:crypto';
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
  /** The launcher's portal API for this platform (`<platform base URL>/api/v1`): roster push, grades. */
  apiUrl: string;
  /** The course's roster as the school knows it: pushed to the launcher, and the names the Grades page shows. */
  roster?: RosterMember[];
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
  /** Pushes the course roster to the launcher (`PUT …/members`); its answer `{active, inactive}`. */
  pushRoster(): Promise<{ active: number; inactive: number }>;
  close(): Promise<void>;
}

/** A member of the course as the portal API takes it (`sub` is the user's id at the IdP). */
export interface RosterMember {
  sub: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  email?: string;
  roles: string[];
}

/** A line item and a result as the portal API answers them. */
interface LineItem { id: string; label: string; score_maximum: number; tool_client_id: string }
interface Result { user_id: string; score_given: number | null; score_maximum: number | null; comment: string | null; activity_progress: string; grading_progress: string; timestamp: string }

export const DEMO_COURSE = { id: '42', label: 'Everything', title: 'Finding the Answer', type: [COURSE_OFFERING] };

/** The course's Grades page. */
const gradesPath = `/courses/${DEMO_COURSE.id}/grades`;

const SCORE = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
function score(value: number): string {
  return SCORE.format(value);
}

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

  // The portal API's token: a JWT signed with the same key as the course context, for the
  // platform's issuer, made for one call (a new jti each time, at most 5 minutes).
  const apiToken = () =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: privateJwk!.kid })
      .setAudience(options.audience)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(signingKey);

  const callApi = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const response = await fetch(`${options.apiUrl}/contexts/${encodeURIComponent(DEMO_COURSE.id)}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${await apiToken()}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
      body: init.body ? JSON.stringify(init.body) : undefined,
      signal: AbortSignal.timeout(5000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };

  const fetchTools = async () => {
    const response = await fetch(options.toolsUrl, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.json()) as Array<{ name: string; description: string | null; icon_url: string | null; url: string }>;
  };

  const send = (res: ServerResponse, status: number, title: string, body: string) => {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:",
    });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Springfield School — ${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#fdf6e3;color:#222}
header{background:#264653;color:#fff;padding:1rem 2rem;display:flex;flex-wrap:wrap;gap:1rem;justify-content:space-between;align-items:baseline}
header a{color:#fff;font-weight:600}.hint{color:#555;font-size:.95rem}
main{max-width:40rem;margin:2rem auto;padding:0 1rem}ul{list-style:none;padding:0}li{background:#fff;border:1px solid #ddd;border-radius:8px;padding:1rem;margin:.5rem 0}
a.tool{font-weight:600;font-size:1.1rem;color:#0b5fff}.problem{color:#b42318}
nav.course{display:flex;gap:1rem;margin:.5rem 0 1rem}nav.course a{color:#0b5fff;font-weight:600}nav.course a[aria-current=page]{color:#222;text-decoration:none}
section.item{background:#fff;border:1px solid #ddd;border-radius:8px;padding:1rem;margin:1rem 0}section.item h2{font-size:1.1rem;margin:0}
table{border-collapse:collapse;width:100%;margin-top:.5rem}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #eee}td.score{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}</style></head>
<body><header><span><strong>Springfield School</strong> · demo portal (not an LMS)</span>${
  options.signOutUrl ? `<a class="switch" href="${escapeHtml(options.signOutUrl)}">Sign in as someone else</a>` : ''}</header>
<main>${body}</main></body></html>`);
  };

  const courseNav = (current: 'tools' | 'grades') =>
    `<nav class="course" aria-label="Course pages"><a href="/"${current === 'tools' ? ' aria-current="page"' : ''}>Tools</a>` +
    `<a href="${gradesPath}"${current === 'grades' ? ' aria-current="page"' : ''}>Grades</a></nav>`;

  /** What the tools sent for the course, read through the portal API as any portal developer would. */
  const gradesPage = async (res: ServerResponse) => {
    const names = new Map((options.roster ?? []).map((m) => [m.sub, m.name ?? [m.given_name, m.family_name].filter(Boolean).join(' ')]));
    let sections = '';
    let problem = '';
    try {
      const [items, tools] = await Promise.all([callApi<LineItem[]>('/line_items'), fetchTools().catch(() => [])]);
      // A tool's launch URL ends with its client id: the tools API names the tool for a person.
      const toolNames = new Map(tools.map((t) => [decodeURIComponent(new URL(t.url).pathname.split('/').pop() ?? ''), t.name]));
      for (const item of items) {
        const results = await callApi<Result[]>(`/line_items/${encodeURIComponent(item.id)}/results`);
        const rows = results.map((r) => `<tr><td>${escapeHtml(names.get(r.user_id) || r.user_id)}</td>` +
          `<td class="score">${r.score_given === null ? escapeHtml(r.activity_progress) : `${escapeHtml(score(r.score_given))} / ${escapeHtml(score(r.score_maximum ?? item.score_maximum))}`}</td>` +
          `<td>${escapeHtml(r.comment ?? '')}</td><td><time datetime="${escapeHtml(r.timestamp)}">${escapeHtml(r.timestamp.slice(0, 16).replace('T', ' '))}</time></td></tr>`).join('');
        sections += `<section class="item"><h2>${escapeHtml(item.label)}</h2>` +
          `<p class="hint">From ${escapeHtml(toolNames.get(item.tool_client_id) ?? item.tool_client_id)} · out of ${escapeHtml(score(item.score_maximum))}</p>` +
          (rows ? `<table><thead><tr><th scope="col">Student</th><th scope="col">Score</th><th scope="col">Comment</th><th scope="col">When (UTC)</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>No results yet.</p>') +
          '</section>';
      }
    } catch (err) {
      problem = `The launcher's portal API (${options.apiUrl}) did not answer: ${(err as Error).message}`;
    }
    send(res, 200, `Grades — ${DEMO_COURSE.title}`, `<h1>${escapeHtml(DEMO_COURSE.label)}: ${escapeHtml(DEMO_COURSE.title)}</h1>
${courseNav('grades')}
<p>What the course's tools sent back, read from the LTI Launcher's portal API.</p>
${problem ? `<p class="problem">${escapeHtml(problem)}</p>` : sections || '<p>No grades yet: a tool that grades sends them here once someone has used it.</p>'}`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://portal').pathname;
    if (path === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
      res.end(JSON.stringify({ keys: [{ ...publicJwk, use: 'sig', alg: 'RS256' }] }));
      return;
    }
    if (path === gradesPath) return gradesPage(res);
    if (path !== '/') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    let tools: Awaited<ReturnType<typeof fetchTools>> = [];
    let problem = '';
    try {
      tools = await fetchTools();
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
    send(res, 200, DEMO_COURSE.title, `<h1>${escapeHtml(DEMO_COURSE.label)}: ${escapeHtml(DEMO_COURSE.title)}</h1>
${courseNav('tools')}
<p>Course tools, launched through the LTI Launcher. You sign in at the school's identity provider when you open one.</p>
${options.signOutUrl ? `<p class="hint">After you have signed in once, every tool opens as the same person. To try another role, use <strong>Sign in as someone else</strong> (at the top): it signs you out of the identity provider and brings you back here.</p>` : ''}
${problem ? `<p class="problem">${escapeHtml(problem)}</p>` : ''}
<ul>${items || (problem ? '' : '<li>No tools are set up for this portal yet.</li>')}</ul>`);
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
    pushRoster: () => callApi('/members', { method: 'PUT', body: { members: options.roster ?? [] } }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
