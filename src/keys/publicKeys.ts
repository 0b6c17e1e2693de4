import { importJWK, importSPKI, type JWK } from 'jose';
import { assertPublicUrl, type UrlPolicy } from '../net/urlPolicy.ts';
import { parseJson } from '../input/fields.ts';

/**
 * Public keys an admin gives the launcher (a tool's key, a portal's context key). Each check throws
 * an Error whose message is the field error, and runs before anything is stored: a bad key is a
 * 422 on save, not a failed launch later.
 */

/**
 * JWK members only a private or secret key has: RSA's private exponent and CRT values (RFC 7518
 * 6.3.2), EC's and OKP's `d` (RFC 7518 6.2.2, RFC 8037 2), a symmetric key's `k` (RFC 7518 6.4).
 * An RSA key with `p` and `q` but no `d` is still a private key: they factor the modulus.
 */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * Why a key given as public is not one, or null. The sentence says the key must be replaced, not
 * only removed: once pasted into a form it has been seen (browser, proxies, logs), so it is exposed.
 */
export function privateKeyRefusal(jwk: Record<string, unknown>): string | null {
  if (jwk.kty === 'oct' || Object.hasOwn(jwk, 'k')) {
    return 'must be a public key: this is a secret (symmetric) key. A secret pasted here must be treated as exposed: replace it wherever it is used, and give the public key of a key pair instead';
  }
  const found = PRIVATE_MEMBERS.filter((member) => Object.hasOwn(jwk, member));
  if (found.length === 0) return null;
  return `must be a public key: this is a private key (it has ${found.map((m) => `"${m}"`).join(', ')}). A private key pasted here must be treated as exposed: make a new key pair, replace this key wherever it is used, and give only the public part`;
}

/**
 * The `kid` two keys of one type share in a key set, or null: which of them verifies a token would
 * be a guess. RFC 7517 4.5 lets keys of different types share one, as alternatives; those are not.
 */
export function duplicateKid(keys: readonly JWK[]): string | null {
  const seen = new Set<string>();
  for (const { kid, kty } of keys) {
    if (typeof kid !== 'string') continue;
    const id = `${String(kty)}\u0000${kid}`;
    if (seen.has(id)) return kid;
    seen.add(id);
  }
  return null;
}

/**
 * What makes a fetched key set unusable as a whole: two keys under one `kid` (which of them
 * verifies a launch would be a guess, RFC 7517 4.5), or a private key published with the public
 * ones (anyone could sign launches with it). The publisher (an LMS, a portal) must fix it.
 */
export function keySetProblem(keys: unknown[]): string | null {
  const objects = keys.filter((k): k is JWK => typeof k === 'object' && k !== null && !Array.isArray(k));
  const duplicate = duplicateKid(objects);
  if (duplicate !== null) return `the key set has two keys with the kid "${duplicate}"`;
  const leaked = objects.find((k) => privateKeyRefusal(k as Record<string, unknown>) !== null);
  if (leaked) return `the key set publishes private or secret key material${typeof leaked.kid === 'string' ? ` (kid "${leaked.kid}")` : ''}; its owner must replace that key`;
  return null;
}

/** Checks a public key given as a JWK, a JWKS (JSON object or text); returns it as canonical JSON text. */
export async function checkPublicJwk(value: unknown): Promise<string> {
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  if (typeof parsed !== 'object' || parsed === null) throw new Error('must be a JSON Web Key or a JWK Set');
  const keys = Array.isArray((parsed as { keys?: unknown }).keys) ? ((parsed as { keys: JWK[] }).keys) : [parsed as JWK];
  if (keys.length === 0) throw new Error('the key set is empty');
  for (const key of keys) {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new Error('each key of the set must be a JSON object');
    const refusal = privateKeyRefusal(key as Record<string, unknown>);
    if (refusal) throw new Error(refusal);
  }
  const duplicate = duplicateKid(keys);
  if (duplicate !== null) throw new Error(`the key set has two keys with the kid "${duplicate}"; each key's kid must be unique`);
  for (const key of keys) {
    const alg = key.alg ?? (key.kty === 'RSA' ? 'RS256' : key.kty === 'EC' ? 'ES256' : key.kty === 'OKP' ? 'EdDSA' : undefined);
    if (!alg) throw new Error(`unsupported key type "${String(key.kty)}"`);
    await importJWK(key, alg);
  }
  return JSON.stringify(parsed);
}

/** Checks a PEM public key (SPKI, "BEGIN PUBLIC KEY"); returns it trimmed. */
export async function checkPublicPem(value: string): Promise<string> {
  const pem = value.trim();
  if (/PRIVATE KEY/.test(pem)) {
    throw new Error('must be a public key: this is a private key. A private key pasted here must be treated as exposed: make a new key pair, replace this key wherever it is used, and give only the public part (-----BEGIN PUBLIC KEY-----)');
  }
  if (!pem.startsWith('-----BEGIN PUBLIC KEY-----')) throw new Error('must be a PEM public key starting with -----BEGIN PUBLIC KEY-----');
  for (const alg of ['RS256', 'ES256', 'EdDSA']) {
    try {
      await importSPKI(pem, alg);
      return pem;
    } catch {
      // try the next key type
    }
  }
  throw new Error('is not a readable RSA, EC or Ed25519 public key');
}

/** Fetches a JWKS URL (with the URL policy) and checks it holds at least one usable public key. */
export async function checkJwksUrl(fetcher: typeof fetch, url: string, policy: UrlPolicy): Promise<void> {
  await assertPublicUrl(url, policy);
  let response: Response;
  try {
    response = await fetcher(url, { headers: { accept: 'application/json' } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`could not fetch ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new Error(`${url} did not return JSON`);
  }
  if (!Array.isArray((body as { keys?: unknown })?.keys)) throw new Error(`${url} did not return a JWK Set ({"keys": [...]})`);
  try {
    await checkPublicJwk(body);
  } catch (err) {
    throw new Error(`${url}: ${(err as Error).message}`);
  }
}
