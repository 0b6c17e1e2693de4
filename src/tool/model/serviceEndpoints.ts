import { randomBytes } from 'node:crypto';
import { sha256 } from '../../keys/digest.ts';
import type { Db } from '../../store/db.ts';
import type { ServiceEndpointTable } from '../../store/schema.ts';

/**
 * The newest LMS service endpoints of a course context (AGS 2.0 §3.2.1: the URLs may change, so a
 * tool re-reads them at each launch), per registration, deployment and context. The row's random
 * id names the context in the app's service URLs, and a line item's row id names an LMS line item,
 * so a URL handed out once keeps reaching the newest endpoint after the LMS moves it.
 */
export interface ServiceEndpoint {
  id: string;
  registrationId: string;
  deploymentId: string;
  contextId: string;
  lineItemsUrl: string | null;
  agsScopes: string[];
  membersUrl: string | null;
  updatedAt: number;
}

/** What one launch carried, its URLs checked (see record_service_endpoints). */
export interface LaunchedEndpoints {
  registrationId: string;
  /** The app launched: it may call this context's services from now on. */
  appId: string;
  deploymentId: string;
  contextId: string;
  resourceLinkId: string;
  ags: { scopes: string[]; lineItemsUrl: string | null; lineItemUrl: string | null } | null;
  nrps: { membersUrl: string } | null;
}

function toEndpoint(row: ServiceEndpointTable): ServiceEndpoint {
  return {
    id: row.id,
    registrationId: row.registration_id,
    deploymentId: row.deployment_id,
    contextId: row.context_id,
    lineItemsUrl: row.line_items_url,
    agsScopes: row.ags_scopes === null ? [] : (JSON.parse(row.ags_scopes) as string[]),
    membersUrl: row.members_url,
    updatedAt: Number(row.updated_at),
  };
}

/** 128 random bits: an id an app cannot guess for a context it was never launched in. */
const randomId = () => randomBytes(16).toString('base64url');

const linkKey = (resourceLinkId: string) => `link:${resourceLinkId}`;
const urlKey = (lmsUrl: string) => `url:${sha256(lmsUrl)}`;

/**
 * Where a line item URL of the old container lives under the new one: the same path below the
 * container (Moodle `…/2/lineitems/7/lineitem?type_id=1`), on the new origin and path; a query
 * string that was the old container's becomes the new one's. Null for a URL outside the old
 * container (the LMS named it somewhere else: it is left as it is).
 */
export function rebasedLineItemUrl(itemUrl: string, oldContainer: string, newContainer: string): string | null {
  const item = new URL(itemUrl);
  const from = new URL(oldContainer);
  const to = new URL(newContainer);
  const fromPath = from.pathname.replace(/\/$/, '');
  if (item.origin !== from.origin || !item.pathname.startsWith(`${fromPath}/`)) return null;
  const moved = new URL(to.href);
  moved.pathname = to.pathname.replace(/\/$/, '') + item.pathname.slice(fromPath.length);
  moved.search = item.search === from.search ? to.search : item.search;
  return moved.href;
}

/** The service_endpoints and service_line_items tables: every statement about them, rows mapped once. */
export class ServiceEndpoints {
  constructor(private readonly db: Db) {}

  /**
   * Remembers what a launch carried: the newest launch wins for each service it carried, and a
   * service it did not carry keeps what an earlier launch gave (a link without grades has no AGS
   * claim; that says nothing about the context's other links). The launch's `lineitem` becomes the
   * default line item of its resource link. When the container moved, the line items named under
   * the old one move with it. Returns the context's id and the resource link's line item id.
   */
  async record(input: LaunchedEndpoints, now = Date.now()): Promise<{ endpointId: string; lineItemId: string | null }> {
    const { ags, nrps } = input;
    return this.db.transaction().execute(async (tx) => {
      const where = { registration_id: input.registrationId, deployment_id: input.deploymentId, context_id: input.contextId };
      const before = await tx
        .selectFrom('service_endpoints')
        .select(['id', 'line_items_url'])
        .where('registration_id', '=', where.registration_id)
        .where('deployment_id', '=', where.deployment_id)
        .where('context_id', '=', where.context_id)
        .executeTakeFirst();
      const set: Partial<ServiceEndpointTable> = { updated_at: now };
      if (ags) {
        set.ags_scopes = JSON.stringify(ags.scopes);
        if (ags.lineItemsUrl !== null) set.line_items_url = ags.lineItemsUrl;
      }
      if (nrps) set.members_url = nrps.membersUrl;
      const row = await tx
        .insertInto('service_endpoints')
        .values({
          id: randomId(),
          ...where,
          line_items_url: ags?.lineItemsUrl ?? null,
          ags_scopes: ags ? JSON.stringify(ags.scopes) : null,
          members_url: nrps?.membersUrl ?? null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(['registration_id', 'deployment_id', 'context_id']).doUpdateSet(set))
        .returning('id')
        .executeTakeFirstOrThrow();
      const endpointId = row.id;
      await tx
        .insertInto('service_endpoint_apps')
        .values({ endpoint_id: endpointId, app_id: input.appId, launched_at: now })
        .onConflict((oc) => oc.columns(['endpoint_id', 'app_id']).doUpdateSet({ launched_at: now }))
        .execute();
      const oldContainer = before?.line_items_url ?? null;
      if (ags?.lineItemsUrl && oldContainer && oldContainer !== ags.lineItemsUrl) {
        const items = await tx.selectFrom('service_line_items').select(['id', 'lms_url']).where('endpoint_id', '=', endpointId).execute();
        for (const item of items) {
          const moved = rebasedLineItemUrl(item.lms_url, oldContainer, ags.lineItemsUrl);
          if (moved !== null && moved !== item.lms_url) {
            await tx.updateTable('service_line_items').set({ lms_url: moved, updated_at: now }).where('id', '=', item.id).execute();
          }
        }
      }
      let lineItemId: string | null = null;
      const defaultItem = ags?.lineItemUrl;
      if (defaultItem) {
        const item = await tx
          .insertInto('service_line_items')
          .values({ id: randomId(), endpoint_id: endpointId, item_key: linkKey(input.resourceLinkId), lms_url: defaultItem, created_at: now, updated_at: now })
          .onConflict((oc) => oc.columns(['endpoint_id', 'item_key']).doUpdateSet({ lms_url: defaultItem, updated_at: now }))
          .returning('id')
          .executeTakeFirstOrThrow();
        lineItemId = item.id;
      }
      return { endpointId, lineItemId };
    });
  }

  /** The endpoints of a context by its id (the one in the app's URLs). */
  async find(endpointId: string): Promise<ServiceEndpoint | null> {
    const row = await this.db.selectFrom('service_endpoints').selectAll().where('id', '=', endpointId).executeTakeFirst();
    return row ? toEndpoint(row) : null;
  }

  /** The endpoints of a context, for an app that was launched in it; null for any other app (or no such context). */
  async findForApp(endpointId: string, appId: string): Promise<ServiceEndpoint | null> {
    const row = await this.db
      .selectFrom('service_endpoints')
      .innerJoin('service_endpoint_apps', 'service_endpoint_apps.endpoint_id', 'service_endpoints.id')
      .selectAll('service_endpoints')
      .where('service_endpoints.id', '=', endpointId)
      .where('service_endpoint_apps.app_id', '=', appId)
      .executeTakeFirst();
    return row ? toEndpoint(row) : null;
  }

  /** The LMS URL of a line item by its id, within its context only. */
  async lineItemUrl(endpointId: string, lineItemId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('service_line_items')
      .select('lms_url')
      .where('id', '=', lineItemId)
      .where('endpoint_id', '=', endpointId)
      .executeTakeFirst();
    return row?.lms_url ?? null;
  }

  /**
   * The id of an LMS line item (one the app met in a list, or made): the row that already names
   * that URL, a launch's default first, else a new one. Safe on every instance at once.
   */
  async lineItemId(endpointId: string, lmsUrl: string, now = Date.now()): Promise<string> {
    const known = await this.db
      .selectFrom('service_line_items')
      .select(['id', 'item_key'])
      .where('endpoint_id', '=', endpointId)
      .where('lms_url', '=', lmsUrl)
      .orderBy('item_key')
      .execute();
    // `link:` sorts before `url:`: the launch's own row wins, so the app sees one id per item.
    if (known.length > 0) return known[0]!.id;
    const row = await this.db
      .insertInto('service_line_items')
      .values({ id: randomId(), endpoint_id: endpointId, item_key: urlKey(lmsUrl), lms_url: lmsUrl, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['endpoint_id', 'item_key']).doUpdateSet({ updated_at: now }))
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }
}
