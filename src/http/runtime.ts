import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Config } from '../config.ts';
import { KeyRing, type KeyRole } from '../keys/keyring.ts';
import { resolveMasterKey } from '../keys/masterKey.ts';
import { SecretBox } from '../keys/secretBox.ts';
import { deleteExpired } from '../store/cleanup.ts';
import { createDb } from '../store/db.ts';
import { ReadCache } from '../store/readCache.ts';
import { LaunchLog } from '../store/launchLog.ts';
import { migrateToLatest } from '../store/migrations.ts';
import { Metrics } from './metrics.ts';
import { policyFetch, urlPolicyOf } from './urlPolicy.ts';
import type { Services } from './services.ts';

export interface RuntimeOptions {
  role: KeyRole;
  logger?: Logger;
  sqliteFile?: string;
}

/** Opens the database, runs migrations and makes sure the role's signing keys exist. */
export async function createServices(config: Config, options: RuntimeOptions): Promise<Services> {
  const log =
    options.logger ??
    pino({
      level: config.logLevel,
      name: options.role === 'platform' ? 'launcher' : 'gateway',
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.client_secret', '*.password'], censor: '[redacted]' },
    });
  const db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, sqliteFile: options.sqliteFile });
  await migrateToLatest(db);
  const box = new SecretBox(resolveMasterKey(config.secretKey, config.dataDir, (msg) => log.warn(msg)));
  const keys = new KeyRing(db, box, options.role, config.keyRotationDays);
  await keys.ensure();
  if (!config.adminPassword) log.warn('ADMIN_PASSWORD is not set: the admin console and API are disabled.');
  return {
    config,
    db,
    box,
    keys,
    launchLog: new LaunchLog(db),
    cache: new ReadCache(),
    metrics: new Metrics(),
    log,
    fetch: policyFetch(urlPolicyOf(config)),
  };
}

/** Background work of a running instance: expired-row cleanup and scheduled key rotation. */
export function startHousekeeping(services: Services, intervalMs = 60_000): () => void {
  const tick = async () => {
    try {
      await deleteExpired(services.db, { launchLogRetentionDays: services.config.launchLogRetentionDays });
      await services.keys.ensure();
    } catch (err) {
      services.log.warn({ err }, 'housekeeping failed; will retry');
    }
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** In-flight requests get this long to finish after SIGTERM (orchestrators usually allow 30 s). */
const SHUTDOWN_DEADLINE_MS = 20_000;

/** Listens, and on SIGTERM/SIGINT turns readiness off, lets in-flight requests finish, then exits. */
export async function serve(app: FastifyInstance, services: Services, stop: () => void): Promise<void> {
  await app.listen({ port: services.config.port, host: services.config.host });
  const shutdown = async (signal: string) => {
    services.log.info({ signal }, 'shutting down: readiness off, finishing in-flight requests');
    app.readiness.value = false;
    stop();
    // In-flight requests finish; a keep-alive connection that goes idle after its response is
    // closed at once instead of at its keep-alive timeout, and nothing waits past the deadline.
    const idle = setInterval(() => app.server.closeIdleConnections(), 100);
    const deadline = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_DEADLINE_MS);
    await app.close();
    clearInterval(idle);
    clearTimeout(deadline);
    await services.db.destroy();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
