import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { KeyRing } from '../keys/keyring.ts';
import type { SecretBox } from '../keys/secretBox.ts';
import type { Db } from '../store/db.ts';
import type { LaunchLog } from '../store/launchLog.ts';
import type { ReadCache } from '../store/readCache.ts';
import type { Metrics } from './metrics.ts';

/** What every route of a role is given: built once at start, passed down, never read from globals. */
export interface Services {
  config: Config;
  db: Db;
  box: SecretBox;
  keys: KeyRing;
  launchLog: LaunchLog;
  /** Settings rows the launch paths read (see src/store/readCache.ts); every write to them invalidates it. */
  cache: ReadCache;
  metrics: Metrics;
  log: Logger;
  /** Shared outbound fetch (tests and the demo may swap it); applies the URL policy for admin-supplied URLs. */
  fetch: typeof fetch;
}
