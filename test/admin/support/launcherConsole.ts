import { startIdp, type RunningIdp } from '../../../demo/idp/idp.ts';
import { platformRoutes } from '../../../src/apps/launcher.ts';
import { FakeTool } from '../../platform/harness.ts';
import { dropDatabase, freshDatabaseUrl } from '../../support/db.ts';
import { basicAuth, startRole, type RunningRole } from '../../support/servers.ts';

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
  const tool = new FakeTool();
  await tool.start();
  return {
    idp,
    launcher,
    tool,
    async api(path, init = {}) {
      const response = await fetch(`${launcher.url}/admin/api/v1${path}`, {
        method: init.method ?? (init.body ? 'POST' : 'GET'),
        headers: { authorization: basicAuth(), accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) },
        body: init.body ? JSON.stringify(init.body) : undefined,
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
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
