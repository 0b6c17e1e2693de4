import { randomBytes } from 'node:crypto';
import { sha256 } from '../keys/digest.ts';

/** App API keys: 256 random bits, shown once, stored as a SHA-256 hash (no salt needed at that entropy). */
const KEY_PREFIX = 'lgw_';

export interface NewApiKey {
  key: string;
  hash: string;
  /** The first characters, kept in clear so an admin can tell which key an app has. */
  prefix: string;
}

export function newApiKey(): NewApiKey {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashSecret(key), prefix: key.slice(0, KEY_PREFIX.length + 8) };
}

/** SHA-256 of a high-entropy secret (API keys, hand-off codes, browser bindings), hex. */
export function hashSecret(secret: string): string {
  return sha256(secret, 'hex');
}

/** The key of `Authorization: Bearer <key>`, or null. */
export function bearerKey(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : null;
}
