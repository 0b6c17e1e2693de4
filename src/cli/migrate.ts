import { loadConfig } from '../config.ts';
import { openDatabase } from '../store/openDatabase.ts';

/** `lti-launcher migrate`: bring the schema up to date, then exit. */
export async function migrate(): Promise<number> {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await db.destroy();
  process.stdout.write(`migrations applied (${config.databaseUrl ? 'postgres' : `sqlite in ${config.dataDir}`})\n`);
  return 0;
}
