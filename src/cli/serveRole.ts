import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config.ts';
import { createServices, serve, startHousekeeping } from '../server/runtime.ts';
import { buildServer } from '../server/server.ts';
import type { KeyRole } from '../keys/keyring.ts';

/** `lti-launcher platform` and `lti-launcher tool`: serve until SIGTERM/SIGINT. */
export async function serveRole(role: KeyRole): Promise<number> {
  const config = loadConfig(process.env, role === 'tool' ? { port: 9494 } : {});
  const services = await createServices(config, { role });
  let app: FastifyInstance | undefined;
  let stop: (() => void) | undefined;
  try {
    const routes =
      role === 'platform'
        ? { routes: (await import('../apps/launcher.ts')).platformRoutes }
        : await (async () => {
            const mod = await import('../apps/gateway.ts');
            return { routes: mod.toolRoutes, framable: mod.toolFramable };
          })();
    app = await buildServer(services, routes);
    stop = startHousekeeping(services);
    await serve(app, services, stop);
  } catch (err) {
    // Nothing may keep the process alive after a failed start (the database pool would).
    stop?.();
    await app?.close().catch(() => {});
    await services.db.destroy().catch(() => {});
    throw err;
  }
  services.log.info({ url: config.publicUrl, role }, role === 'platform' ? 'launcher ready' : 'tool gateway ready');
  return 0;
}
