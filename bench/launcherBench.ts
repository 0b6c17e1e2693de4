import { randomBytes } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { CLAIM } from '../src/lti/claims.ts';
import { Session, expectStatus, location, timed, type StepTimes } from './driver.ts';
import { startBenchLauncher } from './benchLauncher.ts';
import type { Child } from './procStats.ts';
import type { Dialect, RunningRole } from './services.ts';

/** Tables the launcher writes per launch: the first three expire (housekeeping), the log stays. */
export const LAUNCHER_TABLES = ['pending_launches', 'login_hints', 'nonces', 'launch_log'];

/** The steps of a launch as the table shows them (idp: the bench IdP's answer, not the launcher's work). */
export const LAUNCHER_STEPS = ['launch', 'idp', 'callback', 'auth', 'e2e'];

export interface LauncherWorld {
  role: RunningRole;
  idp: Child;
  /** One complete launch in a new browser session; `verify` checks the id_token like a real tool. */
  iteration(verify?: boolean): Promise<StepTimes>;
  close(): Promise<void>;
}

/** The fields of the launcher's login initiation form (what the browser would post to the tool's login). */
function toolLoginFields(html: string): Map<string, string> {
  if (!/<form method="post" action="http:\/\/127\.0\.0\.1:9\/login"/.test(html)) throw new Error(`callback: no login form to the tool: ${html.slice(0, 300)}`);
  const decode = (v: string) => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const fields = new Map<string, string>();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields.set(m[1], decode(m[2]));
  for (const name of ['login_hint', 'client_id', 'target_link_uri', 'lti_message_hint']) {
    if (!fields.get(name)) throw new Error(`callback: the login form has no ${name}: ${html.slice(0, 300)}`);
  }
  return fields;
}

/** The bench IdP and the launcher, each in its own process, with a platform and a tool provisioned through the admin API. */
export async function startLauncherWorld(dialect: Dialect, env: Record<string, string> = {}): Promise<LauncherWorld> {
  const portal = await generateKeyPair('RS256');
  const launcher = await startBenchLauncher(dialect, {
    env,
    platform: {
      context_public_jwk: { ...(await exportJWK(portal.publicKey)), kid: 'portal-1', alg: 'RS256', use: 'sig' },
      role_claim: 'groups', role_map: { student: 'Learner', teacher: 'Instructor' },
    },
    tool: { name: 'Bench Tool', client_id: 'bench-tool', custom: { level: 'intro' } },
  });
  const { role, idp, platform, tool } = launcher;

  // The portal signs a course context into each link; a page of links is signed once, so reuse a few.
  const contexts = await Promise.all(Array.from({ length: 16 }, (_, i) =>
    new SignJWT({
      [CLAIM.context]: { id: `course-${i}`, label: `BIO${100 + i}`, title: 'Biology', type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
      [CLAIM.resourceLink]: { id: `chat-${i}`, title: 'Course chat' },
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'portal-1' })
      .setAudience(platform.issuer)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(portal.privateKey)));
  const jwks = createRemoteJWKSet(new URL(platform.jwks_url));
  let n = 0;

  async function iteration(verify = false): Promise<StepTimes> {
    const browser = new Session();
    const t: StepTimes = {};
    const start = performance.now();
    const link = `${tool.launch_url}?context=${contexts[n++ % contexts.length]}`;
    const launched = await timed(t, 'launch', () => browser.fetch(link));
    const signedIn = await timed(t, 'idp', () => browser.fetch(location(expectStatus(launched, 303, 'launch'))));
    const called = await timed(t, 'callback', () => browser.fetch(location(expectStatus(signedIn, 302, 'idp'))));
    // The tool's login initiation (a self-submitting form, the default "post" method): answer
    // with the OIDC authentication request, as a tool does.
    const login = toolLoginFields(expectStatus(called, 200, 'callback').body);
    const state = randomBytes(16).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    const auth = new URL(`${platform.base_url}/auth`);
    for (const [k, v] of Object.entries({
      scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', client_id: login.get('client_id')!,
      redirect_uri: login.get('target_link_uri')!, login_hint: login.get('login_hint')!,
      lti_message_hint: login.get('lti_message_hint')!, state, nonce,
    })) auth.searchParams.set(k, v);
    const answered = expectStatus(await timed(t, 'auth', () => browser.fetch(auth.href)), 200, 'auth');
    t.e2e = performance.now() - start;
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(answered.body)?.[1];
    const idToken = field('id_token');
    if (!idToken || field('state') !== state) throw new Error(`auth: no form post with the id_token and state: ${answered.body.slice(0, 300)}`);
    if (verify) {
      const { payload } = await jwtVerify(idToken, jwks, { issuer: platform.issuer, audience: 'bench-tool', algorithms: ['RS256'] });
      if (payload.nonce !== nonce || payload.sub !== 'student-1') throw new Error(`id_token: unexpected nonce or sub: ${JSON.stringify(payload)}`);
    }
    return t;
  }

  return { role, idp, iteration, close: () => launcher.close() };
}
