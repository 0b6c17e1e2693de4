import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWK } from 'jose';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

/**
 * A tool that uses a platform's services, written with jose as a tool developer would: it holds
 * key pairs, publishes the public ones at its JWKS URL (and counts the fetches), and signs client
 * assertions for the token endpoint (Security Framework §4.1.1, RFC 7523).
 */
export class ServiceTool {
  server!: Server;
  url = '';
  clientId = `service-tool-${randomUUID().slice(0, 8)}`;
  /** The keys published at /jwks (the first signs by default). */
  published: SigningKey[] = [];
  jwksRequests = 0;

  static async start(alg = 'RS256'): Promise<ServiceTool> {
    const tool = new ServiceTool();
    tool.published.push(await ServiceTool.key(alg));
    tool.server = createServer((req, res) => {
      if (req.url === '/jwks') {
        tool.jwksRequests++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: tool.published.map((k) => k.publicJwk) }));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => tool.server.listen(0, '127.0.0.1', resolve));
    tool.url = `http://127.0.0.1:${(tool.server.address() as AddressInfo).port}`;
    return tool;
  }

  static async key(alg: string, kid = `k-${randomUUID().slice(0, 8)}`): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    return { kid, alg, privateKey, publicKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
  }

  get jwksUrl(): string {
    return `${this.url}/jwks`;
  }

  get key(): SigningKey {
    return this.published[0]!;
  }

  async publicPem(key = this.key): Promise<string> {
    return exportSPKI(key.publicKey);
  }

  /** Publishes a new key first in the set (a rotation): it signs from now on. */
  async rotate(alg = 'RS256'): Promise<SigningKey> {
    const fresh = await ServiceTool.key(alg);
    this.published.unshift(fresh);
    return fresh;
  }

  /** A client assertion for `aud` signed by this tool (`signClientAssertion`); `key` or `signWith` change the signing key. */
  async assertion(
    aud: string | string[],
    options: { claims?: Record<string, unknown>; header?: Record<string, unknown>; key?: SigningKey; signWith?: CryptoKey } = {},
  ): Promise<string> {
    const key = options.key ?? this.key;
    return signClientAssertion({ clientId: this.clientId, kid: key.kid, alg: key.alg, privateKey: options.signWith ?? key.privateKey }, aud, options);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Who signs a client assertion: a tool's client id and one of its private keys. */
export interface AssertionSigner {
  clientId: string;
  kid: string;
  alg: string;
  privateKey: CryptoKey;
}

/**
 * A client assertion for `aud` (Security Framework §4.1.1, RFC 7523): iss = sub = the client id, a
 * 5-minute life, a new jti. `claims` replace or (undefined) remove claims; `header` adds to the header.
 */
export function signClientAssertion(
  signer: AssertionSigner,
  aud: string | string[],
  options: { claims?: Record<string, unknown>; header?: Record<string, unknown> } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { iss: signer.clientId, sub: signer.clientId, aud, iat: now, exp: now + 300, jti: randomUUID(), ...options.claims };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'JWT', ...options.header } as { alg: string })
    .sign(signer.privateKey);
}

/**
 * An access token the way a tool gets one: a client assertion signed with its key, posted to the
 * platform's token endpoint (client credentials grant). Throws with the endpoint's answer when it
 * refuses, so a test that needs a token fails saying why.
 */
export async function requestAccessToken(tokenUrl: string, signer: AssertionSigner, scopes: string[]): Promise<string> {
  const answer = await postToken(tokenUrl, tokenForm(await signClientAssertion(signer, tokenUrl), scopes.join(' ')));
  if (answer.status !== 200) throw new Error(`token endpoint refused: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.access_token as string;
}

/** The form a tool posts to the token endpoint; `params` replace or (null) remove fields. */
export function tokenForm(assertion: string, scope: string, params: Record<string, string | null> = {}): string {
  const fields: Record<string, string | null> = {
    grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: assertion, scope, ...params,
  };
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) if (value !== null) form.set(name, value);
  return form.toString();
}

/** POST to a token endpoint: the answer's status, headers and JSON body. */
export async function postToken(
  tokenUrl: string,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' },
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(tokenUrl, { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`token endpoint answered ${response.status} with non-JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, body: parsed };
}
