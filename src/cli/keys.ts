import { loadConfig } from '../config.ts';
import { createServices } from '../server/runtime.ts';
import type { KeyRole } from '../keys/keyring.ts';

/** `lti-launcher keys rotate|list`: print the role's published keys (after rotating them). */
export async function keys(action: 'rotate' | 'list', role: KeyRole): Promise<number> {
  // Only warnings: the key list is the output.
  const config = loadConfig(process.env, { logLevel: 'warn' });
  const services = await createServices({ ...config, logLevel: 'warn' }, { role });
  try {
    const list = action === 'rotate' ? await services.keys.rotate() : await services.keys.list();
    for (const k of list) process.stdout.write(`${k.status.padEnd(8)} ${k.kid}  created ${new Date(k.createdAt).toISOString()}\n`);
    if (action === 'rotate') process.stdout.write(`rotated the ${role} keys; running instances pick them up within seconds\n`);
  } finally {
    await services.db.destroy();
  }
  return 0;
}
