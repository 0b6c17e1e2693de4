import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hashToken } from './hashToken.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendAutoPostForm } from '../web/autoPostForm.ts';
import type { Config } from '../config.ts';
import { badRequest, forbidden, notFound, unauthorized } from '../lti/errors.ts';
import { answerPipeline } from '../pipeline/pipeline.ts';
import { launcherPipeline, type Step } from './actions/context.ts';
import { resolvePlatform } from './actions/steps/resolvePlatform.ts';
import type { Launcher } from './launcher.ts';
import type { Platform } from './model/platforms.ts';
import { domainHostOf, platformBaseUrl } from './tenancy.ts';
import {
  TEST_ROLES, testLaunchRequested, testToolLoginRedirect, type TestLaunchContext, type TestLaunchTarget, type TestUser,
} from './testLaunch.ts';

/**
 * A test launch asked for on one host and run on another. With subdomain tenancy a platform's
 * /auth is on `<slug>.<DOMAIN>`, and the browser id that binds a launch to a browser is a
 * host-only cookie (src/platform/browser.ts): a login hint made on the console's host would be
 * refused by /auth on the platform's host. So the console hands the launch over, in one step
 * the browser takes by itself:
 *
 * 1. The console (Basic auth, CSRF-checked form) seals a start token — the test user, the tool,
 *    a random nonce, an expiry two minutes ahead, and the SHA-256 of a random browser secret —
 *    and sets that secret as an HttpOnly, SameSite=Strict cookie for `Domain=<DOMAIN>`, path
 *    /test-launch/start only, for the same two minutes. Its answer is a form that posts the
 *    token to `<platform host>/test-launch/start` (in the body: never in a URL, a log or history).
 * 2. The platform host opens the token (AES-GCM under the master secret: nobody else can make
 *    or change one), and starts the launch only if the request carries the secret the token names
 *    (the browser that asked), the token is unexpired, and its nonce was never used (the nonces
 *    table: once across every instance). It clears the cookie and continues as `startTestLaunch`,
 *    binding the login hint to this host's browser id.
 *
 * Why that is safe: a token alone is useless (no cookie: a link or a hostile page that posts a
 * token someone else got starts nothing in the victim's browser, so no login CSRF); the cookie
 * alone is useless (no token); only the console, behind admin authentication and its CSRF
 * checks, makes either; both die after one use or two minutes. The cookie is SameSite=Strict and
 * the redeem refuses cross-site posts, so only a page of this launcher's own site can deliver one.
 */
export const TEST_LAUNCH_START_PATH = '/test-launch/start';
export const TEST_LAUNCH_START_TTL_MS = 2 * 60_000;
const COOKIE_PREFIX = 'lti_launcher_test_start_';
const PURPOSE = 'test_launch_start';
const MAX_TOKEN_LENGTH = 4096;

/** What a start token carries (sealed). */
interface StartToken {
  /** Sealed values of the database share the key: the purpose keeps them from passing for a token. */
  purpose: typeof PURPOSE;
  launch: string;
  platform: string;
  tool: string;
  user: TestUser;
  /** SHA-256 (base64url) of the browser secret in the start cookie. */
  browser: string;
  nonce: string;
  exp: number;
}


function withinDomain(hostname: string, domain: string): boolean {
  const host = hostname.toLowerCase();
  return host === domain || host.endsWith(`.${domain}`);
}

/** Where a test launch of this platform must run, seen from the host the console is open on. */
export type TestLaunchHost =
  | { kind: 'here' }
  /** On the platform's host, handed over by a start token (the console's host is under DOMAIN). */
  | { kind: 'hand_over'; platformBase: string }
  /** On the platform's host, and this browser cannot carry it there: the admin must go there. */
  | { kind: 'elsewhere'; platformBase: string };

export function testLaunchHost(config: Config, request: FastifyRequest, platform: Platform): TestLaunchHost {
  const domain = domainHostOf(config);
  // Path tenancy: /auth is on PUBLIC_URL, the host the console is served on.
  if (!domain) return { kind: 'here' };
  const platformBase = platformBaseUrl(config, platform.slug);
  if (new URL(platformBase).host === request.host) return { kind: 'here' };
  return withinDomain(request.hostname, domain) ? { kind: 'hand_over', platformBase } : { kind: 'elsewhere', platformBase };
}

interface HandOverContext extends TestLaunchContext {
  platformBase: string;
}

/**
 * Step 1, on the console's host: seals the start token, sets the start cookie, and answers with
 * the form that takes the browser to the platform's host.
 */
const platformHostRedirect: Step<HandOverContext> = {
  name: 'redirect_to_platform_host',
  async run(ctx) {
    const { box, config } = ctx.launcher.services;
    const { request, platformBase } = ctx;
    const secret = randomBytes(32).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    const exp = Date.now() + TEST_LAUNCH_START_TTL_MS;
    const token: StartToken = {
      purpose: PURPOSE, launch: ctx.launchId!, platform: ctx.platform!.id, tool: ctx.tool!.id, user: ctx.user!,
      browser: hashToken(secret), nonce, exp,
    };
    const sealed = await box.seal(JSON.stringify(token));
    // One cookie per start (named by its nonce), so two test launches begun in two tabs both work.
    ctx.reply.setCookie(`${COOKIE_PREFIX}${nonce}`, secret, {
      domain: domainHostOf(config)!, path: TEST_LAUNCH_START_PATH, httpOnly: true, sameSite: 'strict',
      secure: request.protocol === 'https', maxAge: TEST_LAUNCH_START_TTL_MS / 1000,
    });
    const host = new URL(platformBase).host;
    request.log.info({ launch: ctx.launchId, tool: ctx.tool!.id, platform: ctx.platform!.id, host }, 'test launch handed to the platform host');
    ctx.answer = (reply) => sendAutoPostForm(reply, {
      action: `${platformBase}${TEST_LAUNCH_START_PATH}`,
      fields: { start: sealed },
      heading: `Starting the test launch on ${host}…`,
      button: `Continue the test launch on ${host}`,
    });
  },
};

const HAND_OVER = launcherPipeline<HandOverContext>([testLaunchRequested, platformHostRedirect]);

/** A test launch that runs on the platform's host: its entry is started here, the browser handed over. */
export function handOverTestLaunch(launcher: Launcher, request: FastifyRequest, reply: FastifyReply, target: TestLaunchTarget, platformBase: string): Promise<FastifyReply> {
  const ctx: HandOverContext = { launcher, request, reply, launchId: null, test: true, ...target, platformBase };
  return answerPipeline(HAND_OVER, ctx, launcher.services);
}

async function openToken(launcher: Launcher, value: unknown, platform: Platform): Promise<StartToken> {
  const invalid = () => badRequest('test_launch_start_invalid', 'This test launch could not be read (it was changed, or made by another launcher). Start the test launch again from the admin console.');
  if (typeof value !== 'string' || value === '' || value.length > MAX_TOKEN_LENGTH) throw invalid();
  let token: StartToken;
  try {
    token = JSON.parse(await launcher.services.box.open(value)) as StartToken;
  } catch {
    throw invalid();
  }
  if (token?.purpose !== PURPOSE || typeof token.nonce !== 'string' || typeof token.browser !== 'string' || typeof token.exp !== 'number'
    || !(TEST_ROLES as readonly string[]).includes(token.user?.role)) {
    throw invalid();
  }
  if (token.platform !== platform.id) {
    throw badRequest('test_launch_start_wrong_platform', `This test launch belongs to another platform than ${platform.name}. Start the test launch again from the admin console.`);
  }
  return token;
}

/** Only a page of this launcher's own site (DOMAIN) may deliver a start token: a browser says where the post came from. */
function checkSameSite(request: FastifyRequest, domain: string): void {
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  let fromDomain = true;
  if (origin !== undefined && origin !== 'null') {
    try {
      fromDomain = withinDomain(new URL(origin).hostname, domain);
    } catch {
      fromDomain = false;
    }
  }
  if ((site !== undefined && site !== 'same-site' && site !== 'same-origin') || !fromDomain) {
    throw forbidden('test_launch_start_cross_site', 'This test launch was sent from another site, so it was not started. Start it from the admin console.');
  }
}

const startUsed = () => forbidden('test_launch_start_used', 'This test launch was started already. Start a new one from the admin console.');

async function checkStart(launcher: Launcher, request: FastifyRequest, token: StartToken, domain: string): Promise<void> {
  checkSameSite(request, domain);
  if (token.exp < Date.now()) {
    throw unauthorized('test_launch_start_expired', 'This test launch waited too long to start (over two minutes). Start it again from the admin console.');
  }
  // A replay comes without the cookie (cleared at first use): say it was used, the likelier story.
  if (await launcher.nonces.seen(PURPOSE, token.nonce)) throw startUsed();
  const secret = request.cookies[`${COOKIE_PREFIX}${token.nonce}`];
  const given = Buffer.from(secret ? hashToken(secret) : '');
  const expected = Buffer.from(token.browser);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw forbidden(
      'test_launch_start_wrong_browser',
      'This test launch was asked for in another browser (or this browser did not send the launcher\'s cookie), so it was not started. Start it again from the admin console, in this browser.',
    );
  }
}

interface StartContext extends TestLaunchContext {
  domain: string;
  token?: StartToken;
}

const startOpened: Step<StartContext> = {
  name: 'open_test_launch_start',
  codes: ['test_launch_start_invalid', 'test_launch_start_wrong_platform'],
  async run(ctx) {
    const token = await openToken(ctx.launcher, (ctx.request.body as Record<string, unknown> | undefined)?.start, ctx.platform!);
    ctx.token = token;
    ctx.user = token.user;
    // From here the refusal of a late, replayed or misdirected start goes in that test launch's log.
    ctx.launchId = token.launch;
    ctx.toolId = token.tool;
  },
};

const startChecked: Step<StartContext> = {
  name: 'check_test_launch_start',
  codes: ['test_launch_start_cross_site', 'test_launch_start_expired', 'test_launch_start_used', 'test_launch_start_wrong_browser'],
  async run(ctx) {
    const token = ctx.token!;
    await checkStart(ctx.launcher, ctx.request, token, ctx.domain);
    // The check that counts: only one request can record the nonce, on every instance.
    if (!(await ctx.launcher.nonces.use(PURPOSE, token.nonce, token.exp))) throw startUsed();
    ctx.reply.clearCookie(`${COOKIE_PREFIX}${token.nonce}`, { domain: ctx.domain, path: TEST_LAUNCH_START_PATH });
  },
};

const startToolResolved: Step<StartContext> = {
  name: 'resolve_tool',
  codes: ['tool_removed'],
  async run(ctx) {
    const tool = await ctx.launcher.tools.findById(ctx.token!.tool);
    if (!tool || tool.platformId !== ctx.platform!.id) throw notFound('tool_removed', 'The tool of this test launch no longer exists.');
    ctx.tool = tool;
  },
};

const START = launcherPipeline<StartContext>([resolvePlatform, startOpened, startChecked, startToolResolved, testToolLoginRedirect]);

/** Step 2, on the platform's host: POST /test-launch/start. */
export async function redeemTestLaunchStart(launcher: Launcher, request: FastifyRequest, reply: FastifyReply) {
  // Path tenancy never hands a test launch over: the console and /auth share one host.
  const domain = domainHostOf(launcher.services.config);
  if (!domain) throw notFound('not_found', 'There is nothing at this address.');
  return answerPipeline(START, { launcher, request, reply, launchId: null, domain }, launcher.services);
}
