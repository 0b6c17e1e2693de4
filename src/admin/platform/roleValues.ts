import { html, type SafeHtml } from '../../web/html.ts';
import type { Services } from '../../server/services.ts';

/** How far back, and how many launches, the role-map form looks for the values an IdP sends. */
const LOOK_BACK_MS = 7 * 86_400_000;
const LAUNCHES_READ = 200;

export interface SeenRoleValue {
  value: string;
  launches: number;
}

/**
 * The values a platform's IdP sent in its role claim in the latest launches (the launch log keeps
 * them with each sign-in), most frequent first: what an admin needs to write the role map.
 */
export async function recentRoleValues(services: Pick<Services, 'launchLog'>, platformId: string, now = Date.now()): Promise<{ claim: string | null; values: SeenRoleValue[] }> {
  const steps = await services.launchLog.idpRoleSteps(platformId, now - LOOK_BACK_MS, LAUNCHES_READ);
  const seen = new Map<string, SeenRoleValue>();
  let claim: string | null = null;
  for (const step of steps) {
    if (!step.idp_roles) continue;
    claim ??= step.idp_roles.claim;
    for (const value of step.idp_roles.values) {
      const entry = seen.get(value) ?? { value, launches: 0 };
      entry.launches += 1;
      seen.set(value, entry);
    }
  }
  return { claim, values: [...seen.values()].sort((a, b) => b.launches - a.launches || a.value.localeCompare(b.value)) };
}

/** The line under the role map: the values seen, so the admin maps what the IdP really sends. */
export function recentRoleValuesHint(seen: { claim: string | null; values: SeenRoleValue[] }, roleMap: Record<string, string[]> | null): SafeHtml {
  roleMap ??= {};
  if (seen.values.length === 0) return html`<p class="hint">No role values seen from the IdP in the last 7 days.</p>`;
  return html`<p class="hint" id="f-role_map-seen">Seen from the IdP in <code>${seen.claim ?? ''}</code> in the last 7 days:
${seen.values.map((v, i) => html`${i ? ', ' : ''}<code>${v.value}</code> (${v.launches}${Object.hasOwn(roleMap, v.value) ? '' : ', not in the role map'})`)}.</p>`;
}
