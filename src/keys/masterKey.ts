import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The master secret comes from SECRET_KEY / SECRET_KEY_FILE. For the embedded default it is
 * generated once into the data directory (mode 0600), with a warning: production setups should
 * keep it outside the data the database backups contain.
 */
export function resolveMasterKey(configured: Buffer | null, dataDir: string, warn: (msg: string) => void): Buffer {
  if (configured) return configured;
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte hex key`);
    return key;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600 });
  warn(`SECRET_KEY is not set: generated a master secret in ${file}. Set SECRET_KEY or SECRET_KEY_FILE in production.`);
  return key;
}
