/**
 * Issue 14 item 2 (login CSRF at the gateway) and the gateway half of item 8 (who may frame the
 * /lti/ pages), over real HTTP. The browser cases run in headless Chromium (skipped, said once,
 * without it): the gateway at 127.0.0.1, the LMS at localhost (another site, as an LMS is), an
 * attacker's site at localhost on a port of its own. The attacker runs a login of their own and
 * gets its state and id_token from the LMS, then makes the victim's browser post them.
 */
import { createServer, type Server } from 'node:http';
import type { Browser as Chromium, BrowserContext, Response as PageResponse } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/web/html.ts';
import { HAS_CHROMIUM, launchChromium, noteSkippedBrowserTests } from '../support/chromium.ts';
import { Browser } from '../support/browser.ts';
import { dataAttributes, readForm } from '../support/htmlForm.ts';
import { expectRefused } from '../support/refused.ts';
import { FakeLms } from '../tool/support/fakeLms.ts';
import { registerLms, startGateway, useGateway, type TestGateway } from '../tool/support/gatewaySetup.ts';

noteSkippedBrowserTests();
const browserIt = HAS_CHROMIUM ? it : it.skip;

/** The origins a response's CSP lets frame it, sorted ("'none'" when none). */
function frameAncestors(response: Response): string[] {
  const csp = response.headers.get('content-security-policy') ?? '';
  return (/frame-ancestors ([^;]*)/.exec(csp)?.[1] ?? '').split(' ').filter(Boolean).sort();
}

/** A site of its own over real HTTP, serving HTML pages by path. */
async function startSite(): Promise<{ url: string; pages: Map<string, string>; close(): Promise<void> }> {
  const pages = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const page = pages.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (page === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://localhost:${port}`,
    pages,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A page that posts these fields to `action` as soon as it loads (the login-CSRF page). */
function autoPost(action: string, fields: Record<string, string>, extraHead = ''): string {
  const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
  return `<!doctype html><html><head>${extraHead}</head><body><form method="post" action="${escapeHtml(action)}">${inputs}</form>` +
    '<script>document.forms[0].submit()</script></body></html>';
}

describe('issue 14 item 2: login CSRF at the gateway', () => {
  const world = useGateway({ dialect: 'sqlite', lms: 'started', apps: { chatbot: { slug: 'chatbot' } } });
  /** The LMS is another site than the gateway: its pages are at localhost, its key set where the gateway fetches it. */
  let lmsSite: string;
  /** A second platform whose issuer origin is not its authorization endpoint's, as Canvas's. */
  let canvasLike: FakeLms;
  let attacker: Awaited<ReturnType<typeof startSite>>;
  let chromium: Chromium | undefined;

  beforeAll(async () => {
    lmsSite = world.lms.url.replace('127.0.0.1', 'localhost');
    Object.defineProperty(world.lms, 'issuer', { value: lmsSite });
    Object.defineProperty(world.lms, 'authorizationEndpoint', { value: `${lmsSite}/auth` });
    await registerLms(world.gateway, world.lms);
    canvasLike = await FakeLms.start();
    Object.defineProperty(canvasLike, 'issuer', { value: 'https://canvas.instructure.example' });
    await registerLms(world.gateway, canvasLike, { name: 'Canvas-like' });
    attacker = await startSite();
    if (HAS_CHROMIUM) chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await attacker?.close();
    await canvasLike?.close();
  });

  const loginUrl = (lms: FakeLms, params: Record<string, string> = {}) => `${world.gateway.url}/lti/login?${new URLSearchParams({
    iss: lms.issuer, login_hint: `h-${Math.random().toString(36).slice(2)}`, target_link_uri: world.apps.chatbot.launch_url, client_id: lms.clientId, ...params,
  })}`;

  /** The attacker's own login, run to the LMS's answer: the state and id_token they will plant. */
  async function attackersLaunch(lms: FakeLms = world.lms): Promise<{ html: string; fields: Record<string, string> }> {
    const own = new Browser();
    const login = await own.get(loginUrl(lms));
    expect(login.status).toBe(302);
    const html = await (await own.get(login.headers.get('location')!)).text();
    return { html, fields: readForm(html).fields };
  }

  const launchesFailedWith = async (code: string) =>
    (await world.gateway.admin('GET', `/launches?failure_code=${code}&limit=1000`)).body.launches.length as number;
  const latestSuccessStorage = async () =>
    (await world.gateway.admin('GET', '/launches?outcome=success&limit=1')).body.launches[0]?.storage as string | undefined;

  /** The answer to the browser's POST to the gateway's launch URL, made by `go` in `context`. */
  async function launchPost(context: BrowserContext, go: (page: Awaited<ReturnType<BrowserContext['newPage']>>) => Promise<unknown>): Promise<PageResponse> {
    const page = await context.newPage();
    const answered = page.waitForResponse((r) => r.url().startsWith(`${world.gateway.url}/lti/launch`) && r.request().method() === 'POST', { timeout: 15_000 });
    await go(page).catch(() => {});
    return answered;
  }

  browserIt('refuses the attacker’s state in a victim’s browser that holds a gateway login cookie of its own (403 state_cookie_mismatch)', async () => {
    const context = await chromium!.newContext();
    try {
      // The victim has a launch of their own under way (its login's first page is open; the
      // attack comes before it goes on to the LMS): their browser keeps its login cookie.
      const victim = await context.newPage();
      await victim.goto(loginUrl(world.lms, { lti_storage_target: '_parent' }));
      expect((await context.cookies(world.apps.chatbot.launch_url)).map((c) => c.name).some((n) => n.startsWith('lti_state_'))).toBe(true);
      await victim.close();

      const planted = await attackersLaunch();
      attacker.pages.set('/csrf', autoPost(world.apps.chatbot.launch_url, planted.fields));
      const before = await launchesFailedWith('state_cookie_mismatch');
      const answer = await launchPost(context, (page) => page.goto(`${attacker.url}/csrf`));
      const body = await answer.text();
      expect(answer.status(), body.slice(0, 300)).toBe(403);
      expect(body).toContain('state_cookie_mismatch');
      expect(body).toContain('started in another tab or browser');
      expect(await launchesFailedWith('state_cookie_mismatch')).toBe(before + 1);
    } finally {
      await context.close();
    }
  });

  browserIt('refuses the attacker’s state posted by another site into a browser without gateway cookies, also as Origin: null (403 launch_origin_mismatch)', async () => {
    const planted = await attackersLaunch();
    attacker.pages.set('/csrf-top', autoPost(world.apps.chatbot.launch_url, planted.fields));
    const context = await chromium!.newContext();
    try {
      const before = await launchesFailedWith('launch_origin_mismatch');
      const answer = await launchPost(context, (page) => page.goto(`${attacker.url}/csrf-top`));
      expect(answer.status()).toBe(403);
      expect(await answer.text()).toContain('not sent by your course platform');
      expect(await launchesFailedWith('launch_origin_mismatch')).toBe(before + 1);
      const [entry] = (await world.gateway.admin('GET', '/launches?failure_code=launch_origin_mismatch&limit=1')).body.launches;
      expect(JSON.stringify(entry)).toContain(attacker.url);

      // A sandboxed frame on a no-referrer page makes the browser say `Origin: null`: never a match.
      // Chromium shows the attacker not even the refusal there (only the LMS may frame it, item 8),
      // so the answer is read from the launch log.
      const sandboxed = await attackersLaunch();
      attacker.pages.set('/csrf-null', `<!doctype html><meta name="referrer" content="no-referrer"><iframe sandbox="allow-forms allow-scripts" srcdoc="${
        escapeHtml(autoPost(world.apps.chatbot.launch_url, sandboxed.fields, '<meta name="referrer" content="no-referrer">'))}"></iframe>`);
      const page = await context.newPage();
      // Not waiting for "load": the page's frame is refused by the gateway's CSP and may never load.
      await page.goto(`${attacker.url}/csrf-null`, { waitUntil: 'commit' });
      await expect.poll(() => launchesFailedWith('launch_origin_mismatch'), { timeout: 15_000 }).toBe(before + 2);
      // The refusal says the browser named no origin: it sent `Origin: null` and no Referer.
      const [nullEntry] = (await world.gateway.admin('GET', '/launches?failure_code=launch_origin_mismatch&limit=1')).body.launches;
      expect(JSON.stringify(nullEntry)).toContain('an origin the browser did not say');
    } finally {
      await context.close();
    }
  });

  browserIt('refuses a platform-storage binding posted by another site: only the gateway’s own page posts one (403 launch_origin_mismatch)', async () => {
    // The attacker's login offers platform storage: its put page hands them the binding value.
    const own = new Browser();
    own.cookiesEnabled = false;
    const put = dataAttributes(await (await own.get(loginUrl(world.lms, { lti_storage_target: '_parent' }))).text(), 'lti-storage');
    const fields = readForm(await (await own.get(put.next)).text()).fields;
    attacker.pages.set('/csrf-binding', autoPost(world.apps.chatbot.launch_url, { ...fields, lti_storage_target: '_parent', lti_storage_binding: put.value }));
    const context = await chromium!.newContext();
    try {
      const answer = await launchPost(context, (page) => page.goto(`${attacker.url}/csrf-binding`));
      expect(answer.status()).toBe(403);
      expect(await answer.text()).toContain('launch_origin_mismatch');
    } finally {
      await context.close();
    }
  });

  browserIt('accepts a cookie-less launch the LMS’s own page posts in its frame (third-party cookies blocked), storage "none"', async () => {
    world.lms.pages.set('/course', `<!doctype html><h1>Biology 101</h1><iframe name="tool" width="800" height="600" src="${escapeHtml(loginUrl(world.lms))}"></iframe>`);
    const context = await chromium!.newContext();
    try {
      const answer = await launchPost(context, (page) => page.goto(`${lmsSite}/course`));
      expect(answer.status()).toBe(303);
      expect(answer.headers().location).toContain('launch_code=');
      // Chromium keeps no cookie set in a third-party frame: this launch took the cookie-less path.
      expect(await latestSuccessStorage()).toBe('none');
    } finally {
      await context.close();
    }
  });

  browserIt('still launches with the cookie: a top-level launch, the LMS posting cross-site', async () => {
    const context = await chromium!.newContext();
    try {
      const answer = await launchPost(context, (page) => page.goto(loginUrl(world.lms)));
      expect(answer.status()).toBe(303);
      expect(await latestSuccessStorage()).toBe('cookie');
    } finally {
      await context.close();
    }
  });

  describe('the origin a browser says, header by header (a program posting as a browser would)', () => {
    const post = async (headers: Record<string, string>, lms: FakeLms = world.lms) => {
      const { fields } = await attackersLaunch(lms);
      const stranger = new Browser();
      stranger.cookiesEnabled = false;
      return stranger.post(world.apps.chatbot.launch_url, fields, headers);
    };
    const expectStatus = async (response: Response, status: number, code?: string) => {
      if (code) return expectRefused(response, status, code);
      expect(response.status, (await response.text()).slice(0, 300)).toBe(status);
    };

    it('accepts the LMS’s Origin, and for a platform like Canvas both its issuer’s and its authorization endpoint’s origin', async () => {
      await expectStatus(await post({ origin: lmsSite, 'sec-fetch-site': 'cross-site' }), 303);
      await expectStatus(await post({ origin: 'https://canvas.instructure.example' }, canvasLike), 303);
      await expectStatus(await post({ origin: canvasLike.url }, canvasLike), 303);
      // One platform's origin is not another's.
      await expectStatus(await post({ origin: canvasLike.url }), 403, 'launch_origin_mismatch');
    });

    it('falls back to the Referer when the Origin is absent or "null", and refuses a foreign one', async () => {
      await expectStatus(await post({ 'sec-fetch-site': 'cross-site', referer: `${lmsSite}/auth?x=1` }), 303);
      await expectStatus(await post({ origin: 'null', referer: `${lmsSite}/` }), 303);
      await expectStatus(await post({ referer: `${attacker.url}/csrf` }), 403, 'launch_origin_mismatch');
      await expectStatus(await post({ origin: 'null', referer: `${attacker.url}/` }), 403, 'launch_origin_mismatch');
    });

    it('refuses a post whose browser said nothing usable: no headers, Sec-Fetch-Site cross-site alone, Origin null alone, a foreign Origin with the LMS’s Referer', async () => {
      await expectStatus(await post({}), 403, 'launch_origin_mismatch');
      await expectStatus(await post({ 'sec-fetch-site': 'cross-site' }), 403, 'launch_origin_mismatch');
      await expectStatus(await post({ 'sec-fetch-site': 'same-site' }), 403, 'launch_origin_mismatch');
      await expectStatus(await post({ origin: 'null' }), 403, 'launch_origin_mismatch');
      await expectStatus(await post({ origin: attacker.url, referer: `${lmsSite}/` }), 403, 'launch_origin_mismatch');
    });

    it('accepts the course page origins of a registration (hosted Canvas posts from the school’s subdomain), and frames for them', async () => {
      const id = (await world.gateway.admin('GET', '/registrations')).body.registrations.find((r: any) => r.issuer === canvasLike.issuer).id;
      const patched = await world.gateway.admin('PATCH', `/registrations/${id}`, { course_page_origins: ['https://*.instructure.example'] });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect(patched.body.course_page_origins).toEqual(['https://*.instructure.example']);
      try {
        await expectStatus(await post({ origin: 'https://springfield.instructure.example' }, canvasLike), 303);
        for (const foreign of ['https://instructure.example.evil.test', 'https://evilinstructure.example', 'http://springfield.instructure.example']) {
          await expectStatus(await post({ origin: foreign }, canvasLike), 403, 'launch_origin_mismatch');
        }
        const login = await fetch(loginUrl(canvasLike, { lti_storage_target: '_parent' }));
        expect(frameAncestors(login)).toEqual([canvasLike.url, 'https://*.instructure.example', 'https://canvas.instructure.example'].sort());
      } finally {
        await world.gateway.admin('PATCH', `/registrations/${id}`, { course_page_origins: [] });
      }
    });

    it('never lets the gateway’s own origin stand in for the platform on the LMS’s post', async () => {
      await expectStatus(await post({ origin: world.gateway.url }), 403, 'launch_origin_mismatch');
      await expectStatus(await post({ 'sec-fetch-site': 'same-origin' }), 403, 'launch_origin_mismatch');
    });
  });
});

describe('issue 14 item 8 (gateway half): /lti/ pages are framed by the registration’s platform origins only', () => {
  const world = useGateway({ dialect: 'sqlite', lms: 'started', apps: { chatbot: { slug: 'chatbot' } } });
  /** Registered with an issuer whose origin is not its authorization endpoint's, as Canvas is. */
  const ISSUER = 'https://canvas.instructure.example';
  let other: FakeLms;
  let chromium: Chromium | undefined;
  let attacker: Awaited<ReturnType<typeof startSite>>;

  beforeAll(async () => {
    Object.defineProperty(world.lms, 'issuer', { value: ISSUER });
    await registerLms(world.gateway, world.lms);
    other = await FakeLms.start();
    await registerLms(world.gateway, other, { name: 'Another LMS' });
    attacker = await startSite();
    if (HAS_CHROMIUM) chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await attacker?.close();
    await other?.close();
  });

  const own = () => [ISSUER, world.lms.url].sort();
  const loginUrl = (params: Record<string, string> = {}, lms: FakeLms = world.lms) => `${world.gateway.url}/lti/login?${new URLSearchParams({
    iss: lms.issuer, login_hint: 'h', target_link_uri: world.apps.chatbot.launch_url, client_id: lms.clientId, ...params,
  })}`;
  const expectFramedBy = (response: Response, origins: string[]) => {
    expect(frameAncestors(response)).toEqual(origins);
    expect(response.headers.get('x-frame-options')).toBeNull();
  };

  it('names the registration’s issuer and authorization origins on the login’s platform-storage page', async () => {
    const browser = new Browser();
    browser.cookiesEnabled = false;
    const login = await browser.get(loginUrl({ lti_storage_target: '_parent' }));
    expect(login.status).toBe(200);
    expectFramedBy(login, own());
  });

  it('names them on the launch’s platform-storage page, the launch answer and a refused replay', async () => {
    const browser = new Browser();
    browser.cookiesEnabled = false;
    const put = dataAttributes(await (await browser.get(loginUrl({ lti_storage_target: '_parent' }))).text(), 'lti-storage');
    const auth = await (await browser.get(put.next)).text();
    const getPage = await browser.submitForm(auth, world.lms.url);
    expect(getPage.status).toBe(200);
    expectFramedBy(getPage, own());

    const withCookie = new Browser();
    const first = await withCookie.get(loginUrl());
    const authPage = await (await withCookie.get(first.headers.get('location')!)).text();
    const launched = await withCookie.submitForm(authPage, world.lms.url);
    expect(launched.status).toBe(303);
    expectFramedBy(launched, own());
    const replay = await withCookie.submitForm(authPage, world.lms.url);
    expect(replay.status).toBe(401);
    expectFramedBy(replay, own());
  });

  it('names them on a login refused once the registration is known (403 deployment_unknown), and another registration’s for its login', async () => {
    const refused = await new Browser().get(loginUrl({ lti_deployment_id: 'not-registered' }));
    expect(refused.status).toBe(403);
    expectFramedBy(refused, own());
    const others = await new Browser().get(loginUrl({ lti_deployment_id: 'not-registered' }, other));
    expectFramedBy(others, [other.url]);
  });

  it('lets any registered platform, and no other site, frame a refusal that names no registration (unknown state, unknown issuer)', async () => {
    const all = [...own(), other.url].sort();
    const unknownState = await new Browser().post(world.apps.chatbot.launch_url, { id_token: 'a.b.c', state: 'not-a-state' });
    expect(unknownState.status).toBe(401);
    expectFramedBy(unknownState, all);
    const unknownIssuer = await new Browser().get(loginUrl({ iss: 'https://unknown.example' }));
    expect(unknownIssuer.status).toBe(404);
    expectFramedBy(unknownIssuer, all);
  });

  it('keeps the admin and API unframable', async () => {
    const admin = await fetch(`${world.gateway.url}/admin/api/v1/apps`);
    expect(frameAncestors(admin)).toEqual(["'none'"]);
    expect(admin.headers.get('x-frame-options')).toBe('DENY');
  });

  it('lets no one frame the /lti/ pages of a gateway with no registration', async () => {
    const empty: TestGateway = await startGateway('sqlite');
    try {
      const refused = await new Browser().get(`${empty.url}/lti/login?${new URLSearchParams({ iss: ISSUER, login_hint: 'h', target_link_uri: `${empty.url}/lti/launch` })}`);
      expect(refused.status).toBe(404);
      expect(frameAncestors(refused)).toEqual(["'none'"]);
      expect(refused.headers.get('x-frame-options')).toBe('DENY');
    } finally {
      await empty.close();
    }
  });

  browserIt('renders in the LMS’s frame, and Chromium refuses to show it in another site’s', async () => {
    const page = loginUrl({ lti_deployment_id: 'not-registered' });
    world.lms.pages.set('/course', `<!doctype html><iframe name="tool" src="${escapeHtml(page)}"></iframe>`);
    attacker.pages.set('/frame', `<!doctype html><iframe name="tool" src="${escapeHtml(page)}"></iframe>`);
    const context = await chromium!.newContext();
    try {
      const shown = async (url: string) => {
        const tab = await context.newPage();
        await tab.goto(url);
        await tab.waitForTimeout(500);
        const frame = tab.frame({ name: 'tool' });
        return frame ? (await frame.content().catch(() => '')).includes('deployment_unknown') : false;
      };
      expect(await shown(`${world.lms.url}/course`)).toBe(true);
      expect(await shown(`${attacker.url}/frame`)).toBe(false);
    } finally {
      await context.close();
    }
  });
});

describe('issue 14 items 2 and 8: course page origins of a registration', () => {
  const world = useGateway({ dialect: 'sqlite', lms: 'started', apps: { chatbot: { slug: 'chatbot' } } });

  it('start with the school subdomains for hosted Canvas and Blackboard, and with none for another LMS', async () => {
    const canvas = await registerLms(world.gateway, world.lms, { issuer: 'https://canvas.instructure.com', client_id: 'c-1' });
    expect(canvas.course_page_origins).toEqual(['https://*.instructure.com']);
    const blackboard = await registerLms(world.gateway, world.lms, { issuer: 'https://blackboard.com', client_id: 'b-1' });
    expect(blackboard.course_page_origins).toEqual(['https://*.blackboard.com']);
    const moodle = await registerLms(world.gateway, world.lms, { issuer: 'https://moodle.school.example', client_id: 'm-1' });
    expect(moodle.course_page_origins).toEqual([]);
    // The admin may narrow Canvas to the school's own origin, or say none.
    const narrowed = await world.gateway.admin('PATCH', `/registrations/${canvas.id}`, { course_page_origins: ['https://springfield.instructure.com/'] });
    expect(narrowed.body.course_page_origins).toEqual(['https://springfield.instructure.com']);
    const none = await registerLms(world.gateway, world.lms, { issuer: 'https://canvas.beta.instructure.com', client_id: 'c-2', course_page_origins: [] });
    expect(none.course_page_origins).toEqual([]);
  });

  it.each([
    ['a path', 'https://school.instructure.com/courses/1'],
    ['another scheme', 'javascript:alert(1)'],
    ['a wildcard over a top-level domain', 'https://*.com'],
    ['credentials', 'https://user:secret@school.example.edu'],
    ['a query', 'https://school.example.edu/?x=1'],
  ])('refuses %s (422 naming the field)', async (_case, origin) => {
    const refused = await world.gateway.admin('POST', '/registrations', {
      name: 'Bad', issuer: 'https://lms.bad.example', client_id: `bad-${Math.random()}`, authorization_endpoint: 'https://lms.bad.example/auth',
      jwks_url: world.lms.jwksUrl, course_page_origins: [origin],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.fields).toHaveProperty('course_page_origins');
  });
});
