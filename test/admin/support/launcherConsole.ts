import { startIdp, type RunningIdp } from '../../../demo/idp/idp.ts';
import { platformRoutes } from '../../../src/apps/launcher.ts';
import { FakeTool } from '../../platform/harness.ts';
import { dropDatabase, freshDatabaseUrl } from '../../support/db.ts';
import { AdminApi } from '../../support/adminClient.ts';
import { startRole, type RunningRole } from '../../support/servers.ts';

/** A launcher with its console, a real OIDC IdP and a real test tool, all over HTTP on loopback. */
export interface LauncherConsoleWorld {
  idp: RunningIdp;
  launcher: RunningRole;
  tool: FakeTool;
  /** Calls the admin JSON API (to set up or to check what the pages did). */
  api(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startLauncherConsole(dialect: 'sqlite' | 'postgres'): Promise<LauncherConsoleWorld> {
  const databaseUrl = await freshDatabaseUrl(dialect);
  const idp = await startIdp();
  const launcher = await startRole('platform', platformRoutes, { databaseUrl });
  const api = new AdminApi(launcher.url);
  const tool = new FakeTool();
  await tool.start();
  return {
    idp,
    launcher,
    tool,
    api: (path, init = {}) => api.call(init.method ?? (init.body !== undefined ? 'POST' : 'GET'), path, init.body),
    async close() {
      await tool.close();
      await launcher.close();
      await idp.close();
      await dropDatabase(databaseUrl);
    },
  };
}

/** Points the test tool at a platform (its issuer, /auth and JWKS), as its owner would from the copy panel. */
export function connectTool(tool: FakeTool, platform: { issuer: string; base_url: string; jwks_url: string }, clientId: string): void {
  tool.issuer = platform.issuer;
  tool.platformAuthUrl = `${platform.base_url}/auth`;
  tool.platformJwksUrl = platform.jwks_url;
  tool.clientId = clientId;
}
