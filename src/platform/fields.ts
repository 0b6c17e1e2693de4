import { importJWK, importSPKI, type JWK } from 'jose';
import { assertPublicUrl } from '../http/urlPolicy.ts';

/**
 * Field readers for the admin create/update services. Each returns the cleaned value or records
 * a message under the field's name; the service throws one ValidationError with every message.
 */
export class Fields {
  readonly errors: Record<string, string> = {};

  constructor(private readonly body: Record<string, unknown>) {}

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.body, name) && this.body[name] !== undefined;
  }

  fail(name: string, message: string): void {
    this.errors[name] ??= message;
  }

  string(name: string, options: { required?: boolean; max?: number; pattern?: RegExp; patternHint?: string } = {}): string | null {
    const value = this.body[name];
    if (value === undefined || value === null || value === '') {
      if (options.required) this.fail(name, 'is required');
      return null;
    }
    if (typeof value !== 'string') {
      this.fail(name, 'must be a string');
      return null;
    }
    const trimmed = value.trim();
    if (trimmed.length > (options.max ?? 2000)) this.fail(name, `must be at most ${options.max ?? 2000} characters`);
    else if (options.pattern && !options.pattern.test(trimmed)) this.fail(name, options.patternHint ?? 'has an invalid format');
    return trimmed;
  }

  url(name: string, options: { required?: boolean; httpsOnly?: boolean } = {}): string | null {
    const value = this.string(name, { required: options.required });
    if (value === null) return null;
    return checkUrl(this, name, value, options.httpsOnly ?? false);
  }

  urlList(name: string): string[] {
    const value = this.body[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      this.fail(name, 'must be a list of URLs');
      return [];
    }
    return value.map((v) => checkUrl(this, name, v.trim(), false)).filter((v): v is string => v !== null);
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.body[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'on' || value === '1') return true;
    if (value === 'false' || value === 'off' || value === '0') return false;
    this.fail(name, 'must be true or false');
    return fallback;
  }

  stringMap(name: string): Record<string, string> {
    const value = this.body[name];
    if (value === undefined || value === null || value === '') return {};
    const parsed = typeof value === 'string' ? parseJson(value) : value;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) {
      this.fail(name, 'must be an object whose values are strings, e.g. {"course_level": "advanced"}');
      return {};
    }
    return parsed as Record<string, string>;
  }

  json(name: string): unknown {
    const value = this.body[name];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') return value;
    const parsed = parseJson(value);
    if (parsed === undefined) this.fail(name, 'must be valid JSON');
    return parsed ?? null;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function checkUrl(fields: Fields, name: string, value: string, httpsOnly: boolean): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fields.fail(name, `must be an absolute URL, got "${value}"`);
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    fields.fail(name, 'must use https');
    return null;
  }
  if (httpsOnly && url.protocol !== 'https:') {
    fields.fail(name, 'must use https');
    return null;
  }
  if (url.username || url.password) {
    fields.fail(name, 'must not contain credentials');
    return null;
  }
  if (url.hash) {
    fields.fail(name, 'must not contain a #fragment');
    return null;
  }
  return value;
}

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
export async function checkJwksUrl(fetcher: typeof fetch, url: string, allowPrivate: boolean): Promise<void> {
  await assertPublicUrl(url, allowPrivate);
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
