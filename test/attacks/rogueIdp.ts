/**
 * A minimal OpenID provider that answers every authorization request at once and lets the test
 * decide what id_token its token endpoint returns: a compromised or impersonated IdP forging
 * tokens (alg none, HMAC with the public key, unknown kid, wrong iss/aud/azp/nonce, bad times).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';

export interface Forgery {
  /** Claims merged over the honest ones (undefined removes a claim). */
  claims?: Record<string, unknown>;
  /** Returns the complete token instead of the honestly signed one. */
  token?: (honest: JWTPayload, keys: RogueIdp['keys']) => Promise<string> | string;
}

export class RogueIdp {
  server!: Server;
  url = '';
  keys!: { privateKey: CryptoKey; publicKey: CryptoKey; publicJwk: Record<string, unknown>; kid: string };
  forgery: Forgery = {};
  private pending = new Map<string, { nonce: string; clientId: string }>();

  async start(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = 'rogue-1';
    this.keys = { privateKey, publicKey, kid, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
    this.server = createServer((req, res) => void this.handle(req, res).catch((err) => res.writeHead(500).end(String(err))));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get discoveryUrl(): string {
    return `${this.url}/.well-known/openid-configuration`;
  }

  private async handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const url = new URL(req.url!, this.url);
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/.well-known/openid-configuration') {
      return void json({
        issuer: this.url,
        authorization_endpoint: `${this.url}/authorize`,
        token_endpoint: `${this.url}/token`,
        jwks_uri: `${this.url}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (url.pathname === '/jwks') return void json({ keys: [this.keys.publicJwk] });
    if (url.pathname === '/authorize') {
      const code = crypto.randomUUID();
      this.pending.set(code, { nonce: url.searchParams.get('nonce')!, clientId: url.searchParams.get('client_id')! });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      return void res.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const grant = this.pending.get(new URLSearchParams(body).get('code') ?? '');
      if (!grant) return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant' }));
      const now = Math.floor(Date.now() / 1000);
      const honest: JWTPayload = { iss: this.url, sub: 'mallory', aud: grant.clientId, iat: now, exp: now + 300, nonce: grant.nonce, name: 'Mallory', groups: ['teacher'] };
      const payload: Record<string, unknown> = { ...honest, ...this.forgery.claims };
      for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
      const idToken = this.forgery.token
        ? await this.forgery.token(payload, this.keys)
        : await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: this.keys.kid }).sign(this.keys.privateKey);
      return void json({ access_token: 'at', token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    res.writeHead(404).end();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
