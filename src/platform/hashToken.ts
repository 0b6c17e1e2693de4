import { createHash } from 'node:crypto';

/** Launch secrets (state, login hints) are stored as their SHA-256, never as themselves. */
export function hashToken(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
