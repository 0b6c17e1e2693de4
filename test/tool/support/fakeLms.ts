import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { CLAIM, LTI_VERSION, RESOURCE_LINK_REQUEST } from '../../../src/lti/claims.ts';
import { escapeHtml } from '../../../src/web/html.ts';

export interface TokenTweaks {
  /** Claims to set over the defaults; `undefined` removes a claim. */
  claims?: Record<string, unknown>;
  /** Sign with this key id (it must exist) and algorithm. */
  kid?: string;
  /** Replaces the signing entirely (alg none, HMAC, a foreign key…). */
  sign?: (payload: JWTPayload) => Promise<string>;
  /** Replaces the state the LMS echoes. */
  state?: string;
}

interface LmsKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  published: boolean;
}

/**
 * An LMS for tests, over real HTTP: publishes its JWKS (counting requests, and able to go down),
 * answers the OIDC authentication request with an auto-submitting form carrying an id_token it
 * signs with jose. What goes into a token is chosen per login_hint by the test.
 */
export class FakeLms {
  readonly clientId = 'client-1';
  readonly deploymentId = 'deployment-1';
  jwksRequests = 0;
  jwksDown = false;
  /** Delay of JWKS answers, so concurrent launches overlap. */
  jwksDelayMs = 0;
  readonly authRequests: URLSearchParams[] = [];
  readonly tweaks = new Map<string, TokenTweaks>();
  /** Pages of the LMS itself (a course page that frames the tool…), HTML by path. */
  readonly pages = new Map<string, string>();
  private readonly keys: LmsKey[] = [];
  private server!: Server;
  url = '';

  static async start(): Promise<FakeLms> {
    const lms = new FakeLms();
    await lms.addKey('RS256');
    lms.server = createServer((req, res) => void lms.handle(req.url ?? '/', res));
    await new Promise<void>((resolve) => lms.server.listen(0, '127.0.0.1', resolve));
    const address = lms.server.address();
    lms.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return lms;
  }

  get issuer(): string {
    return this.url;
  }

  get authorizationEndpoint(): string {
    return `${this.url}/auth`;
  }

  get jwksUrl(): string {
    return `${this.url}/jwks`;
  }

  /** Adds a key; published keys appear in the JWKS; the newest published key signs by default. */
  async addKey(alg = 'RS256', options: { published?: boolean } = {}): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `k${this.keys.length + 1}-${alg}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    this.keys.push({ kid, alg, privateKey: privateKey as CryptoKey, publicJwk, published: options.published ?? true });
    return kid;
  }

  /** The public JWK of a key, for registrations that paste a static key instead of a JWKS URL. */
  publicJwk(kid = 'k1-RS256'): JWK {
    return this.keys.find((k) => k.kid === kid)!.publicJwk;
  }

  publish(kid: string): void {
    this.keys.find((k) => k.kid === kid)!.published = true;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The claims of a plain LtiResourceLinkRequest for this LMS, before tweaks. */
  baseClaims(nonce: string, targetLinkUri: string): JWTPayload {
    const iat = Math.floor(Date.now() / 1000);
    return {
      iss: this.issuer,
      aud: this.clientId,
      azp: this.clientId,
      sub: 'user-42',
      iat,
      exp: iat + 300,
      nonce,
      name: 'Ada Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
      email: 'ada@example.edu',
      locale: 'en',
      [CLAIM.messageType]: RESOURCE_LINK_REQUEST,
      [CLAIM.version]: LTI_VERSION,
      [CLAIM.deploymentId]: this.deploymentId,
      [CLAIM.targetLinkUri]: targetLinkUri,
      [CLAIM.resourceLink]: { id: 'link-1', title: 'Course assistant' },
      [CLAIM.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
      [CLAIM.context]: { id: 'course-101', label: 'BIO101', title: 'Biology 101', type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
      [CLAIM.toolPlatform]: { guid: 'fake-lms-1', name: 'Fake LMS' },
      [CLAIM.launchPresentation]: { document_target: 'iframe', locale: 'en' },
      [CLAIM.custom]: { section: 'A' },
    };
  }

  async sign(payload: JWTPayload, kid?: string): Promise<string> {
    const key = kid ? this.keys.find((k) => k.kid === kid)! : this.keys.filter((k) => k.published).at(-1)!;
    return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
  }

  private async handle(rawUrl: string, res: import('node:http').ServerResponse): Promise<void> {
    const url = new URL(rawUrl, this.url);
    if (url.pathname === '/jwks') {
      this.jwksRequests += 1;
      if (this.jwksDelayMs) await new Promise((r) => setTimeout(r, this.jwksDelayMs));
      if (this.jwksDown) {
        res.writeHead(503).end('down');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: this.keys.filter((k) => k.published).map((k) => k.publicJwk) }));
      return;
    }
    if (url.pathname === '/auth') {
      const q = url.searchParams;
      this.authRequests.push(q);
      const required = ['scope', 'response_type', 'response_mode', 'prompt', 'client_id', 'redirect_uri', 'login_hint', 'state', 'nonce'];
      const missing = required.filter((name) => !q.get(name));
      if (missing.length > 0 || q.get('client_id') !== this.clientId) {
        res.writeHead(400).end(`bad authentication request: ${missing.join(',')}`);
        return;
      }
      const tweaks = this.tweaks.get(q.get('login_hint')!) ?? {};
      const payload = this.baseClaims(q.get('nonce')!, q.get('redirect_uri')!);
      for (const [name, value] of Object.entries(tweaks.claims ?? {})) {
        if (value === undefined) delete payload[name];
        else payload[name] = value;
      }
      const idToken = tweaks.sign ? await tweaks.sign(payload) : await this.sign(payload, tweaks.kid);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><form method="post" action="${escapeHtml(q.get('redirect_uri'))}">` +
        `<input type="hidden" name="id_token" value="${escapeHtml(idToken)}">` +
        `<input type="hidden" name="state" value="${escapeHtml(tweaks.state ?? q.get('state'))}">` +
        `</form><script>document.forms[0].submit()</script>`);
      return;
    }
    const page = this.pages.get(url.pathname);
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    res.writeHead(404).end();
  }
}
