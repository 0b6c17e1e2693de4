/**
 * `lti-launcher idp`: the demo IdP on its own, for trying the launcher locally without a real
 * identity provider (the README's local walkthrough). Its users are the demo's — ada (teacher),
 * alan (student), grace (ta) — and it can register one client for a given redirect URI.
 * Not for production: everything is kept in memory and it speaks plain http on loopback. Its
 * usage text is the command table's (src/cli/commands.ts), which parses the arguments first.
 */
import { startIdp, type IdpClient } from './idp.ts';

export class IdpUsageError extends Error {}

export interface IdpCommandOptions {
  port: number;
  host: string | undefined;
  issuer: string | undefined;
  clients: IdpClient[];
}

/**
 * The options as the command table parsed them (src/cli/commands.ts, so usage and help are its),
 * else the environment; a bad one is an IdpUsageError naming it.
 */
export function idpOptionsOf(v: Record<string, string | boolean | string[] | undefined>, env: Record<string, string | undefined>): IdpCommandOptions {
  const text = (name: string) => (typeof v[name] === 'string' ? (v[name] as string) : undefined);
  const portText = text('port') ?? env.IDP_PORT ?? '9390';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new IdpUsageError(`--port (IDP_PORT) must be a port number from 0 to 65535, got "${portText}"`);
  const clientId = text('client-id') ?? env.IDP_CLIENT_ID;
  const secret = text('client-secret') ?? env.IDP_CLIENT_SECRET;
  const given = v['redirect-uri'];
  const redirectUris = Array.isArray(given) ? given : (env.IDP_REDIRECT_URIS ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  const clients: IdpClient[] = [];
  if (clientId) {
    if (!secret || redirectUris.length === 0) throw new IdpUsageError('--client-id needs --client-secret and at least one --redirect-uri');
    for (const uri of redirectUris) {
      try {
        new URL(uri);
      } catch {
        throw new IdpUsageError(`--redirect-uri must be an absolute URL, got "${uri}"`);
      }
    }
    clients.push({ client_id: clientId, client_secret: secret, redirect_uris: redirectUris });
  } else if (secret || redirectUris.length > 0) {
    throw new IdpUsageError('--client-secret and --redirect-uri need --client-id');
  }
  const host = text('host') ?? env.IDP_HOST ?? undefined;
  const issuer = text('issuer') ?? env.IDP_ISSUER ?? undefined;
  return { port, host, issuer, clients };
}

/** Starts the IdP, prints where it is and who can sign in, and stops on SIGINT/SIGTERM. */
export async function runIdp(options: IdpCommandOptions): Promise<void> {
  const idp = await startIdp({ port: options.port, host: options.host, issuer: options.issuer, clients: options.clients });
  console.log(`Demo IdP listening on ${idp.url}`);
  console.log(`Discovery: ${idp.discoveryUrl}`);
  console.log(`Users (sign in by picking one): ${idp.users.map((u) => `${u.id} (${u.groups.join(', ')})`).join(', ')}`);
  for (const client of options.clients) console.log(`Client: ${client.client_id} -> ${client.redirect_uris.join(', ')}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void idp.close().then(() => process.exit(0));
    });
  }
}
