import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { startNode, type Child } from './procStats.ts';
import { ROOT, dropStorage, freshStorage, startRole, type Dialect, type RunningRole, type Storage } from './services.ts';

/** The launcher under measure, with the bench IdP beside it and one platform and one tool made through the admin API. */
export interface BenchLauncher {
  storage: Storage;
  role: RunningRole;
  idp: Child;
  platform: Record<string, any>;
  tool: Record<string, any>;
  /** The tool's key pair: its public JWK is the tool's key on the launcher (kid `tool-1`). */
  toolKey: CryptoKeyPair;
  close(): Promise<void>;
}

/**
 * Starts the bench IdP (it serves the platform's discovery document and signs its logins) and the
 * launcher, each in its own process, then creates the platform (`platform` adds fields) and a tool
 * whose URLs the bench client only reads from the launcher's answers, never requests.
 */
export async function startBenchLauncher(
  dialect: Dialect,
  options: { env?: Record<string, string>; platform?: Record<string, unknown>; tool: { name: string; client_id: string } & Record<string, unknown> },
): Promise<BenchLauncher> {
  const storage = await freshStorage(dialect);
  const { child: idp, line } = await startNode(['--import', 'tsx', join(ROOT, 'bench/fastIdp.ts')], { cwd: ROOT });
  let role: RunningRole;
  try {
    role = await startRole('platform', storage, options.env);
  } catch (err) {
    await idp.stop();
    throw err;
  }
  const platform = await role.admin('POST', '/platforms', {
    name: 'Bench School', slug: 'bench', openid_configuration_url: `${String(line!.url)}/.well-known/openid-configuration`,
    client_id: 'bench-launcher', client_secret: 'bench-launcher-secret', ...options.platform,
  });
  const toolKey = await generateKeyPair('RS256', { modulusLength: 2048 });
  const tool = await role.admin('POST', `/platforms/${platform.id}/tools`, {
    open_id_connect_initiation_url: 'http://127.0.0.1:9/login', target_link_uri: 'http://127.0.0.1:9/launch',
    public_jwk: { ...(await exportJWK(toolKey.publicKey)), kid: 'tool-1', alg: 'RS256', use: 'sig' },
    ...options.tool,
  });
  return {
    storage, role, idp, platform, tool, toolKey,
    async close() {
      await role.stop();
      await idp.stop();
      await dropStorage(storage);
    },
  };
}
