/**
 * A minimal OpenID Connect provider for the benchmarks, run in its own process so its CPU is not
 * counted as the launcher's: discovery, an authorization endpoint that signs in a fixed user at
 * once (302 straight back with a code), a token endpoint (code + PKCE S256 → ES256 id_token with
 * iss/aud/nonce/exp, no at_hash), and the JWKS. Prints `{"url": ...}` on stdout when listening.
 *
 *   node --import tsx bench/fastIdp.ts [port]
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

const CODE_TTL_MS = 60_000;
const { privateKey, publicKey } = await generateKeyPair('ES256');
const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-idp-1', alg: 'ES256', use: 'sig' };
const codes = new Map<string, { clientId: string; nonce: string | null; challenge: string | null; redirectUri: string; expiresAt: number }>();
let issuer = '';

const USER = {
  sub: 'student-1', name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace',
  email: 'ada@example.edu', email_verified: true, groups: ['student'],
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = await readBody(req);
  const code = form.get('code') ?? '';
  const grant = codes.get(code);
  codes.delete(code);
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const clientId = basic ? decodeURIComponent(Buffer.from(basic, 'base64').toString().split(':')[0]) : form.get('client_id');
  if (form.get('grant_type') !== 'authorization_code' || !grant || grant.expiresAt < Date.now() || grant.clientId !== clientId || grant.redirectUri !== form.get('redirect_uri')) {
    json(res, 400, { error: 'invalid_grant' });
    return;
  }
  const verifier = form.get('code_verifier');
  if (grant.challenge && (!verifier || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge)) {
    json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
    return;
  }
  const idToken = await new SignJWT({ ...USER, ...(grant.nonce ? { nonce: grant.nonce } : {}) })
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(grant.clientId)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
  json(res, 200, { access_token: randomBytes(16).toString('base64url'), token_type: 'Bearer', expires_in: 300, scope: 'openid profile email', id_token: idToken });
}

function authorize(url: URL, res: ServerResponse): void {
  const q = url.searchParams;
  const redirectUri = q.get('redirect_uri');
  const clientId = q.get('client_id');
  if (!redirectUri || !clientId || q.get('response_type') !== 'code') {
    json(res, 400, { error: 'invalid_request' });
    return;
  }
  const code = randomBytes(16).toString('base64url');
  codes.set(code, { clientId, nonce: q.get('nonce'), challenge: q.get('code_challenge'), redirectUri, expiresAt: Date.now() + CODE_TTL_MS });
  const back = new URL(redirectUri);
  back.searchParams.set('code', code);
  if (q.get('state') !== null) back.searchParams.set('state', q.get('state')!);
  res.writeHead(302, { location: back.href }).end();
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', issuer);
  const done = (err: unknown) => json(res, 500, { error: 'server_error', error_description: String(err) });
  if (url.pathname === '/.well-known/openid-configuration') {
    json(res, 200, {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      grant_types_supported: ['authorization_code'],
      scopes_supported: ['openid', 'profile', 'email'],
    });
  } else if (url.pathname === '/authorize') authorize(url, res);
  else if (url.pathname === '/token' && req.method === 'POST') token(req, res).catch(done);
  else if (url.pathname === '/jwks') json(res, 200, { keys: [jwk] });
  else json(res, 404, { error: 'not_found' });
});

setInterval(() => {
  const now = Date.now();
  for (const [code, grant] of codes) if (grant.expiresAt < now) codes.delete(code);
}, 10_000).unref();

server.keepAliveTimeout = 30_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.stdout.write(`${JSON.stringify({ url: issuer })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
