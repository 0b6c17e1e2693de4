import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { CLAIM, LTI_VERSION, RESOURCE_LINK_REQUEST } from '../src/lti/claims.ts';
import { Session, expectStatus, location, timed, type Reply, type StepTimes } from './driver.ts';
import { freePort, startNode, type Child } from './procStats.ts';
import { ROOT, dropStorage, freshStorage, startRole, type Dialect, type Storage } from './services.ts';

/** Tables the gateway writes per launch: the first three expire (housekeeping), the log stays. */
export const GATEWAY_TABLES = ['login_states', 'handoffs', 'nonces', 'launch_log'];
export const GATEWAY_STEPS = ['login', 'lms', 'launch', 'redeem', 'e2e'];

const ISSUER = 'https://lms.bench.test';
const CLIENT_ID = 'bench-client';
const DEPLOYMENT_ID = 'bench-deployment';

/** The LMS side, played by the bench client: it signs the id_token (RS256, as LMSs do) for each login. */
class BenchLms {
  private constructor(private readonly privateKey: CryptoKey, readonly publicJwk: JWK, private readonly lifetimeSeconds: number) {}

  /** `lifetimeSeconds`: the id_tokens' `exp`, which bounds how long the gateway keeps their nonces. */
  static async create(lifetimeSeconds = 300): Promise<BenchLms> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    return new BenchLms(privateKey, { ...(await exportJWK(publicKey)), kid: 'lms-1', alg: 'RS256', use: 'sig' }, lifetimeSeconds);
  }

  /** `claims` adds to the launch (the services a bench LMS offers). */
  idToken(nonce: string, targetLinkUri: string, user: string, claims: Record<string, unknown> = {}): Promise<string> {
    return new SignJWT({
      azp: CLIENT_ID, nonce, name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', email: 'ada@example.edu',
      [CLAIM.messageType]: RESOURCE_LINK_REQUEST,
      [CLAIM.version]: LTI_VERSION,
      [CLAIM.deploymentId]: DEPLOYMENT_ID,
      [CLAIM.targetLinkUri]: targetLinkUri,
      [CLAIM.resourceLink]: { id: 'link-1', title: 'Course assistant' },
      [CLAIM.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
      [CLAIM.context]: { id: 'course-101', label: 'BIO101', title: 'Biology 101', type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
      [CLAIM.toolPlatform]: { guid: 'bench-lms', name: 'Bench LMS' },
      [CLAIM.custom]: { section: 'A' },
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'lms-1', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(CLIENT_ID)
      .setSubject(user)
      .setIssuedAt()
      .setExpirationTime(`${this.lifetimeSeconds}s`)
      .sign(this.privateKey);
  }
}

export interface ToolWorld {
  name: string;
  child: Child;
  storage: Storage | null;
  iteration(): Promise<StepTimes>;
  close(): Promise<void>;
}

/**
 * One tool-side launch as the LMS and the browser make it: login initiation → the LMS answers the
 * authentication request with a signed id_token → form post to the launch URL → the app's
 * request for the launch (`redeem`).
 */
async function toolLaunch(
  lms: BenchLms,
  loginUrl: string,
  targetLinkUri: string,
  redeem: (browser: Session, launched: Reply) => Promise<Reply>,
  launchStatus: number,
  n: number,
  claims: Record<string, unknown> = {},
): Promise<StepTimes> {
  const browser = new Session();
  const t: StepTimes = {};
  const start = performance.now();
  const user = `student-${n % 1000}`;
  const login = new URL(loginUrl);
  for (const [k, v] of Object.entries({
    iss: ISSUER, login_hint: user, target_link_uri: targetLinkUri, lti_message_hint: `m-${n}`, client_id: CLIENT_ID, lti_deployment_id: DEPLOYMENT_ID,
  })) login.searchParams.set(k, v);
  const started = expectStatus(await timed(t, 'login', () => browser.fetch(login.href)), 302, 'login');
  const auth = new URL(location(started)).searchParams;
  const idToken = await timed(t, 'lms', () => lms.idToken(auth.get('nonce')!, auth.get('redirect_uri')!, user, claims));
  const launched = expectStatus(
    await timed(t, 'launch', () => browser.fetch(auth.get('redirect_uri')!, { form: { id_token: idToken, state: auth.get('state')! } })),
    launchStatus,
    'launch',
  );
  const redeemed = expectStatus(await timed(t, 'redeem', () => redeem(browser, launched)), 200, 'redeem');
  if (!redeemed.body.includes(user)) throw new Error(`redeem: the launch's user is missing: ${redeemed.body.slice(0, 300)}`);
  t.e2e = performance.now() - start;
  return t;
}

/** The gateway (`lti-launcher tool`) in its own process, with a registration (static JWK) and an app (hand-off code). */
export async function startGatewayWorld(dialect: Dialect, env: Record<string, string> = {}, options: { tokenLifetimeSeconds?: number } = {}): Promise<ToolWorld> {
  const world = await startGatewayProcess(dialect, env, options);
  let n = 0;
  return {
    name: `gateway (${dialect})`,
    child: world.role.child,
    storage: world.storage,
    iteration: () => world.launch(n++).then((l) => l.times),
    close: () => world.close(),
  };
}

/** The gateway in its own process, its registration and app, and launches into it as the bench LMS signs them. */
export async function startGatewayProcess(
  dialect: Dialect,
  env: Record<string, string> = {},
  options: { tokenLifetimeSeconds?: number; registration?: Record<string, unknown> } = {},
) {
  const lms = await BenchLms.create(options.tokenLifetimeSeconds);
  const storage = await freshStorage(dialect);
  const role = await startRole('tool', storage, env);
  await role.admin('POST', '/registrations', {
    name: 'Bench LMS', issuer: ISSUER, client_id: CLIENT_ID, deployment_ids: [DEPLOYMENT_ID],
    authorization_endpoint: `${ISSUER}/auth`, public_jwk: lms.publicJwk, ...options.registration,
  });
  const app = await role.admin('POST', '/apps', { name: 'Bench App', slug: 'bench', app_url: 'http://127.0.0.1:9/app', handoff: 'code' });
  return {
    role,
    storage,
    apiKey: app.api_key as string,
    /** Launch `n` (the user `student-<n mod 1000>`), with `claims` added; its times and the hand-off the app got. */
    async launch(n: number, claims: Record<string, unknown> = {}): Promise<{ times: StepTimes; handoff: string }> {
      let handoff = '';
      const redeem = async (browser: Session, launched: Reply) => {
        const code = new URL(location(launched)).searchParams.get('launch_code');
        if (!code) throw new Error(`launch: no launch_code in ${location(launched)}`);
        const redeemed = await browser.fetch(`${role.url}/api/v1/launches/${encodeURIComponent(code)}`, { headers: { authorization: `Bearer ${app.api_key}` } });
        handoff = redeemed.body;
        return redeemed;
      };
      const times = await toolLaunch(lms, `${role.url}/lti/login`, app.launch_url, redeem, 303, n, claims);
      return { times, handoff };
    },
    async close() {
      await role.stop();
      await dropStorage(storage);
    },
  };
}

/**
 * ltijs in its own process on the same launches. Its storage: Postgres when TEST_DATABASE_URL is
 * set, else SQLite through the sqlite3 package when it is installed; otherwise it cannot run.
 */
export async function startLtijsWorld(): Promise<ToolWorld> {
  let storage: Storage | null = null;
  let db: string;
  if (process.env.TEST_DATABASE_URL) {
    storage = await freshStorage('postgres');
    db = storage.databaseUrl!;
  } else {
    try {
      await import('sqlite3' as string);
    } catch {
      throw new Error('ltijs needs a database: set TEST_DATABASE_URL (Postgres), or install the sqlite3 package for ltijs-sequelize on SQLite');
    }
    storage = await freshStorage('sqlite');
    db = `sqlite:${join(storage.dataDir, 'ltijs.sqlite')}`;
  }
  const lms = await BenchLms.create();
  const port = await freePort();
  let started;
  try {
    started = await startNode(['--import', 'tsx', join(ROOT, 'bench/ltijsServer.ts')], {
      cwd: ROOT,
      timeoutMs: 60_000,
      env: { PORT: String(port), LTIJS_DB: db, LMS_ISSUER: ISSUER, LMS_CLIENT_ID: CLIENT_ID, LMS_JWK: JSON.stringify(lms.publicJwk), DEBUG: '' },
    });
  } catch (err) {
    await dropStorage(storage);
    throw err;
  }
  const url = String(started.line!.url);
  let n = 0;
  // ltijs redirects the launch to the app route with an `ltik`; the app's request with it gets the launch.
  const redeem = (browser: Session, launched: Reply) => browser.fetch(new URL(location(launched), url).href);
  return {
    name: `ltijs (${storage.dialect})`,
    child: started.child,
    storage,
    iteration: () => toolLaunch(lms, `${url}/login`, `${url}/`, redeem, 302, n++),
    async close() {
      await started.child.stop();
      await dropStorage(storage!);
    },
  };
}

