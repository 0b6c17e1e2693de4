import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import pino from 'pino';
import type { Config } from '../../src/config.ts';
import { createServices } from '../../src/server/runtime.ts';
import { buildServer } from '../../src/server/server.ts';
import type { Services } from '../../src/server/services.ts';
import type { KeyRole } from '../../src/keys/keyring.ts';
import { testConfig } from './db.ts';

export interface RunningRole {
  app: FastifyInstance;
  services: Services;
  /** Base URL the server really listens on (also set as config.publicUrl). */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts one role (launcher or gateway) on a free loopback port over real HTTP. The public URL
 * is only known once listening, so it is written into the config afterwards (routes read it per request).
 */
export async function startRole(
  role: KeyRole,
  routes: FastifyPluginAsync<{ services: Services }>,
  options: {
    config?: Partial<Config>;
    databaseUrl?: string | null;
    framable?: (url: string) => boolean;
    /** Instances that share a database must share the master secret (64 hex chars); random otherwise. */
    secretKey?: string;
  } = {},
): Promise<RunningRole> {
  const config = testConfig(
    { ...options.config, databaseUrl: options.databaseUrl ?? null },
    options.secretKey ? { SECRET_KEY: options.secretKey } : {},
  );
  const services = await createServices(config, { role, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  const app = await buildServer(services, { routes, framable: options.framable });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  if (!options.config?.publicUrl) config.publicUrl = url;
  return {
    app,
    services,
    url,
    async close() {
      await app.close();
      await services.db.destroy();
    },
  };
}

export function basicAuth(user = 'admin', password = 'test-admin-password'): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
