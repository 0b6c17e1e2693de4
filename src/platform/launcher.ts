import type { Services } from '../server/services.ts';
import { Nonces } from '../store/nonces.ts';
import { ContextKeys } from './contextKeys.ts';
import { IdpClients } from './idp.ts';
import { ToolKeys } from './toolKeys.ts';
import { AccessTokens } from './model/accessTokens.ts';
import { Contexts } from './model/contexts.ts';
import { LineItems } from './model/lineItems.ts';
import { LoginHints } from './model/loginHints.ts';
import { Members } from './model/members.ts';
import { PendingLaunches } from './model/pendingLaunches.ts';
import { ResourceLinks } from './model/resourceLinks.ts';
import { Results } from './model/results.ts';
import { Platforms } from './model/platforms.ts';
import { Tools } from './model/tools.ts';
import { WebhookDeliveries } from './model/webhookDeliveries.ts';

/**
 * The launcher's own services, built once per server on top of the shared runtime (the gateway's
 * is `Gateway`, src/tool/gateway.ts): its repositories (all its SQL, src/platform/model/), the
 * key sets of the portals' context JWTs and the IdP clients, each with its cache — no module globals.
 */
export interface Launcher {
  services: Services;
  platforms: Platforms;
  tools: Tools;
  pendingLaunches: PendingLaunches;
  loginHints: LoginHints;
  nonces: Nonces;
  contextKeys: ContextKeys;
  idp: IdpClients;
  /** The token endpoint's access tokens, presented to the services (AGS, NRPS). */
  accessTokens: AccessTokens;
  /** The tools' keys their client assertions are verified with (the token endpoint). */
  toolKeys: ToolKeys;
  /** AGS: line items, the results and scores posted to them, and the resource links tools were launched from. */
  lineItems: LineItems;
  results: Results;
  resourceLinks: ResourceLinks;
  /** The members of each context: the portal's roster and every user who launched there (NRPS). */
  members: Members;
  /** The contexts of a platform and the people of one, read across members, line items and results (the console's gradebook). */
  contexts: Contexts;
  /** The score webhook's outbox: one row per accepted score of a platform with a webhook URL. */
  deliveries: WebhookDeliveries;
}

export function createLauncher(services: Services): Launcher {
  return {
    services,
    platforms: new Platforms(services.db, services.cache),
    tools: new Tools(services.db, services.cache),
    pendingLaunches: new PendingLaunches(services.db),
    loginHints: new LoginHints(services.db),
    nonces: new Nonces(services.db),
    contextKeys: new ContextKeys(services.fetch),
    idp: new IdpClients(services),
    accessTokens: new AccessTokens(services.db),
    toolKeys: new ToolKeys(services.fetch),
    lineItems: new LineItems(services.db),
    results: new Results(services.db),
    resourceLinks: new ResourceLinks(services.db),
    members: new Members(services.db),
    contexts: new Contexts(services.db),
    deliveries: new WebhookDeliveries(services.db),
  };
}
