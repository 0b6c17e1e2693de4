import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { ConfigError, type Config } from '../config.ts';
import { KeyRing, type KeyRole } from '../keys/keyring.ts';
import { resolveMasterKey } from '../keys/masterKey.ts';
import { SecretBox } from '../keys/secretBox.ts';
import { deleteExpired } from '../store/cleanup.ts';
import { ReadCache } from '../store/readCache.ts';
import { LaunchLog } from '../store/launchLog.ts';
import { openDatabase } from '../store/openDatabase.ts';
import { dataDirProblem, isDataDirError } from '../store/storageProblems.ts';
import { listenProblem } from './listenProblem.ts';
import { LOG_REDACTION } from './logRedaction.ts';
import { Metrics } from './metrics.ts';
import { policyFetch, urlPolicyOf } from '../net/urlPolicy.ts';
import type { Services } from './services.ts';

export interface RuntimeOptions {
  role: KeyRole;
  logger?: Logger;
  sqliteFile?: string;
}

/**
 * Opens the database, runs migrations and makes sure the role's signing keys exist. A setting that
 * makes any of it fail is thrown as a ConfigError naming it, before anything listens.
 */
export async function createServices(config: Config, options: RuntimeOptions): Promise<Services> {
  const log =
    options.logger ??
    pino({
      level: config.logLevel,
      name: options.role === 'platform' ? 'launcher' : 'gateway',
      redact: LOG_REDACTION,
    });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, sqliteFile: options.sqliteFile });
  try {
    const box = new SecretBox(masterKeyOf(config, (msg) => log.warn(msg)));
    const keys = new KeyRing(db, box, options.role, config.keyRotationDays);
    await keys.ensure();
    await checkMasterKey(keys, config);
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
  } catch (err) {
    await db.destroy().catch(() => {});
    throw err;
  }
}

/** The master secret, with a data directory that cannot hold the generated one named as DATA_DIR. */
function masterKeyOf(config: Config, warn: (msg: string) => void): Buffer {
  try {
    return resolveMasterKey(config.secretKey, config.dataDir, warn);
  } catch (err) {
    if (isDataDirError(err)) throw dataDirProblem(err, `keep the master secret in ${join(config.dataDir, 'secret.key')}`);
    throw new ConfigError('DATA_DIR', `${(err as Error).message}: set SECRET_KEY, or restore the file`);
  }
}

/**
 * Signing once at start decrypts the current private key: a master secret other than the one the
 * stored keys were encrypted with is named now, not as a 500 at the first launch.
 */
async function checkMasterKey(keys: KeyRing, config: Config): Promise<void> {
  try {
    await keys.sign({});
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_JWE_DECRYPTION_FAILED') throw err;
    throw new ConfigError(
      'SECRET_KEY',
      config.secretKey
        ? 'does not decrypt the signing keys in the database: set the master secret they were encrypted with'
        : `is not set, and the master secret in ${join(config.dataDir, 'secret.key')} does not decrypt the signing keys in the database: set SECRET_KEY to the secret they were encrypted with`,
    );
  }
}

/** Background work of a running instance: expired-row cleanup and scheduled key rotation. */
export function startHousekeeping(services: Services, intervalMs = 60_000): () => void {
  const tick = async () => {
    try {
      const { launchLogRetentionDays, launchLogMaxMb } = services.config;
      await deleteExpired(services.db, { launchLogRetentionDays, launchLogMaxMb });
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
  const { config } = services;
  // Said by what serves the admin, not by every command that opens the services (keys list).
  if (!config.adminPassword) services.log.warn('ADMIN_PASSWORD is not set: the admin console and API are disabled.');
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    throw listenProblem(err, config) ?? err;
  }
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
