/**
 * Runs the demo IdP on its own:  node --import tsx demo/idp/main.ts
 *
 * Environment:
 *   IDP_PORT           port to listen on (default 9390)
 *   IDP_HOST           interface to listen on (default 127.0.0.1)
 *   IDP_ISSUER         public issuer URL (default http://IDP_HOST:IDP_PORT)
 *   IDP_CLIENT_ID, IDP_CLIENT_SECRET, IDP_REDIRECT_URIS (comma-separated)
 *                      optionally register one client at start
 */
import { startIdp, type IdpClient } from './idp.ts';

const port = Number(process.env.IDP_PORT ?? 9390);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`IDP_PORT must be a port number, got ${process.env.IDP_PORT}`);

const clients: IdpClient[] = [];
const { IDP_CLIENT_ID, IDP_CLIENT_SECRET, IDP_REDIRECT_URIS } = process.env;
if (IDP_CLIENT_ID) {
  if (!IDP_CLIENT_SECRET || !IDP_REDIRECT_URIS) throw new Error('IDP_CLIENT_ID needs IDP_CLIENT_SECRET and IDP_REDIRECT_URIS');
  clients.push({
    client_id: IDP_CLIENT_ID,
    client_secret: IDP_CLIENT_SECRET,
    redirect_uris: IDP_REDIRECT_URIS.split(',').map((uri) => uri.trim()).filter(Boolean),
  });
}

const idp = await startIdp({ port, host: process.env.IDP_HOST || undefined, issuer: process.env.IDP_ISSUER || undefined, clients });
console.log(`Demo IdP listening on ${idp.url}`);
console.log(`Discovery: ${idp.discoveryUrl}`);
console.log(`Users: ${idp.users.map((u) => `${u.id} (${u.groups.join(', ')})`).join(', ')}`);
for (const client of clients) console.log(`Client: ${client.client_id} -> ${client.redirect_uris.join(', ')}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void idp.close().then(() => process.exit(0));
  });
}
