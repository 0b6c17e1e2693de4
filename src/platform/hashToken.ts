import { sha256 } from '../keys/digest.ts';

/** Launch secrets (state, login hints, browser ids, start tokens) are stored as their SHA-256, never as themselves. */
export function hashToken(value: string): string {
  return sha256(value);
}
