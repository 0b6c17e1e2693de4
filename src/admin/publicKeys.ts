import { importJWK, importSPKI, type JWK } from 'jose';
import { assertPublicUrl, type UrlPolicy } from '../http/urlPolicy.ts';
import { parseJson } from './fields.ts';

/**
 * Public keys an admin gives the launcher (a tool's key, a portal's context key). Each check throws
 * an Error whose message is the field error, and runs before anything is stored: a bad key is a
 * 422 on save, not a failed launch later.
 */

/** Checks a public key given as a JWK, a JWKS (JSON object or text); returns it as canonical JSON text. */
export async function checkPublicJwk(value: unknown): Promise<string> {
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  if (typeof parsed !== 'object' || parsed === null) throw new Error('must be a JSON Web Key or a JWK Set');
  const keys = Array.isArray((parsed as { keys?: unknown }).keys) ? ((parsed as { keys: JWK[] }).keys) : [parsed as JWK];
  if (keys.length === 0) throw new Error('the key set is empty');
  for (const key of keys) {
    if ('d' in key || 'k' in key) throw new Error('must be a public key: it contains private or symmetric key material');
    const alg = key.alg ?? (key.kty === 'RSA' ? 'RS256' : key.kty === 'EC' ? 'ES256' : key.kty === 'OKP' ? 'EdDSA' : undefined);
    if (!alg) throw new Error(`unsupported key type "${String(key.kty)}"`);
    await importJWK(key, alg);
  }
  return JSON.stringify(parsed);
}

/** Checks a PEM public key (SPKI, "BEGIN PUBLIC KEY"); returns it trimmed. */
export async function checkPublicPem(value: string): Promise<string> {
  const pem = value.trim();
  if (/PRIVATE KEY/.test(pem)) throw new Error('must be a public key; this is a private key, which must never leave the tool');
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
