import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * SHA-256 of a text. Single-use secrets (states, login hints, codes, browser ids) are stored as
 * their digest, never as themselves: the launcher writes base64url, the gateway hex (its stored
 * rows were hashed so by migration 0002), so each keeps its encoding.
 */
export function sha256(value: string, encoding: 'base64url' | 'hex' = 'base64url'): string {
  return createHash('sha256').update(value).digest(encoding);
}

/**
 * Compares two secrets in constant time whatever their lengths: both are hashed first, so neither
 * the length nor the first differing byte shows in the timing.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
