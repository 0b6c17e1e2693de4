import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { IdpRoles } from '../lti/roleMapping.ts';
import type { Db } from './db.ts';
import type { LaunchLogTable } from './schema.ts';

export type LaunchRole = 'platform' | 'tool';
export type Outcome = 'pending' | 'success' | 'failure';

export interface LaunchStep {
  step: string;
  outcome: 'ok' | 'failed';
  at: number;
  code?: string;
  message?: string;
  /**
   * The technical cause of a failure, for the admin's launch detail only (the person's page keeps
   * its plain sentence): e.g. the URL policy's refusal of a key set, the IdP's upstream status.
   */
  detail?: string;
  /** The launcher's sign-in: what the IdP sent in its role claim and what it mapped to. */
  idp_roles?: IdpRoles;
  /** The request the step ran in: a launch spans several requests, each with its own id. */
  request_id?: string;
}

export interface LaunchEntry {
  id: string;
  role: LaunchRole;
  platformId: string | null;
  toolId: string | null;
  outcome: Outcome;
  failureCode: string | null;
  failureMessage: string | null;
  steps: LaunchStep[];
  requestId: string | null;
  userSub: string | null;
  storage: string | null;
  test: boolean;
  createdAt: number;
  updatedAt: number;
  /** Set on a launch that needs an admin's eye though it went through (e.g. `no_role_mapped`). */
  warning: string | null;
}

export interface LaunchFilter {
  role: LaunchRole;
  platformId?: string;
  toolId?: string;
  outcome?: Outcome;
  failureCode?: string;
  /** Only launches with a warning. */
  warned?: boolean;
  /** Any request of the launch: the id a person reads off an error page. */
  requestId?: string;
  since?: number;
  limit?: number;
  before?: number;
}

/** The launch log: one row per launch attempt, with each step of the flow and its outcome. */
export class LaunchLog {
  constructor(private readonly db: Db) {}

  async start(entry: {
    role: LaunchRole;
    platformId?: string | null;
    toolId?: string | null;
    requestId?: string | null;
    test?: boolean;
    step: string;
    id?: string;
    /** Steps that followed within the same request, written with the entry in one statement. */
    then?: LaunchStep[];
    outcome?: Outcome;
    failed?: { code: string; message: string; detail?: string };
    userSub?: string | null;
  }): Promise<string> {
    const id = entry.id ?? randomUUID();
    await this.insert(id, entry, [{ step: entry.step, outcome: 'ok', at: Date.now() }, ...(entry.then ?? [])], {
      outcome: entry.failed ? 'failure' : entry.outcome ?? 'pending', failed: entry.failed, userSub: entry.userSub, test: entry.test,
    });
    return id;
  }

  private async insert(
    id: string,
    who: { role: LaunchRole; platformId?: string | null; toolId?: string | null; requestId?: string | null },
    steps: LaunchStep[],
    state: { outcome: Outcome; failed?: { code: string; message: string; detail?: string }; userSub?: string | null; test?: boolean },
  ): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto('launch_log')
      .values({
        id,
        role: who.role,
        platform_id: who.platformId ?? null,
        tool_id: who.toolId ?? null,
        outcome: state.outcome,
        failure_code: state.failed?.code ?? null,
        failure_message: state.failed ? withoutNul(state.failed.message) : null,
        steps: JSON.stringify(steps.map((s) => (s.detail ? { ...s, ...detailOf(s) } : s))),
        request_id: who.requestId ?? null,
        user_sub: state.userSub ?? null,
        storage: null,
        test: state.test ? 1 : 0,
        created_at: now,
        updated_at: now,
        warning: null,
      })
      .execute();
  }

  /** Appends a step; a failed step ends the launch as a failure, `done` ends it as a success. */
  async step(
    id: string,
    step: string,
    result: {
      failed?: { code: string; message: string; detail?: string };
      done?: boolean;
      userSub?: string;
      storage?: string;
      toolId?: string;
      platformId?: string;
      /** Steps that passed since the last write, recorded together to save round trips. */
      passed?: Array<{ step: string; at: number }>;
      /** The request these steps ran in (when it is not the launch's first). */
      requestId?: string;
      /** What the step found, kept with it (the IdP's role values at the launcher's callback). */
      info?: Pick<LaunchStep, 'idp_roles'>;
      /** Marks the launch for an admin's eye (see LaunchEntry.warning). */
      warning?: string;
    },
  ): Promise<void> {
    const now = Date.now();
    const added: LaunchStep[] = (result.passed ?? []).map((p) => ({ step: p.step, outcome: 'ok' as const, at: p.at }));
    added.push(
      result.failed
        ? { step, outcome: 'failed', at: now, code: result.failed.code, message: result.failed.message, ...detailOf(result.failed) }
        : { step, outcome: 'ok', at: now, ...result.info },
    );
    // The request id is stored on the first step of each request only; readers carry it forward
    // (see stepsOf): a launch's steps take a third less space than with it on every step.
    if (result.requestId) added[0] = { ...added[0], request_id: result.requestId };
    // Appended in the database (the stored array never is empty: `start` writes the first step),
    // so a write is one statement and two instances writing steps of one launch lose nothing.
    const tail = `,${JSON.stringify(added).slice(1)}`;
    const update: Record<string, unknown> = {
      steps: sql<string>`substr(steps, 1, length(steps) - 1) || ${tail}`,
      updated_at: now,
    };
    if (result.failed) {
      update.outcome = 'failure';
      update.failure_code = result.failed.code;
      update.failure_message = withoutNul(result.failed.message);
    } else if (result.done) {
      update.outcome = 'success';
    }
    if (result.userSub !== undefined) update.user_sub = result.userSub;
    if (result.warning !== undefined) update.warning = result.warning;
    if (result.storage !== undefined) update.storage = result.storage;
    if (result.toolId !== undefined) update.tool_id = result.toolId;
    if (result.platformId !== undefined) update.platform_id = result.platformId;
    await this.db.updateTable('launch_log').set(update as Partial<LaunchLogTable>).where('id', '=', id).execute();
  }

  /** A launch that failed before it had an entry of its own (unknown tool, bad first request). */
  async failure(entry: {
    role: LaunchRole;
    step: string;
    code: string;
    message: string;
    detail?: string;
    platformId?: string | null;
    toolId?: string | null;
    requestId?: string | null;
  }): Promise<string> {
    const now = Date.now();
    const id = randomUUID();
    await this.insert(id, entry, [{ step: entry.step, outcome: 'failed', at: now, code: entry.code, message: entry.message, detail: entry.detail }], {
      outcome: 'failure', failed: { code: entry.code, message: entry.message },
    });
    return id;
  }

  async get(id: string): Promise<LaunchEntry | null> {
    const row = await this.db.selectFrom('launch_log').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toEntry(row) : null;
  }

  async list(filter: LaunchFilter): Promise<LaunchEntry[]> {
    let q = this.db.selectFrom('launch_log').selectAll().where('role', '=', filter.role);
    if (filter.platformId) q = q.where('platform_id', '=', filter.platformId);
    if (filter.toolId) q = q.where('tool_id', '=', filter.toolId);
    if (filter.outcome) q = q.where('outcome', '=', filter.outcome);
    if (filter.failureCode) q = q.where('failure_code', '=', filter.failureCode);
    if (filter.warned) q = q.where('warning', 'is not', null);
    if (filter.requestId) {
      // Request ids are UUIDs; anything else cannot match (and must not reach LIKE as a pattern).
      const id = /^[0-9a-f-]{36}$/i.test(filter.requestId) ? filter.requestId.toLowerCase() : '-';
      q = q.where((eb) => eb.or([eb('request_id', '=', id), eb('steps', 'like', `%"request_id":"${id}"%`)]));
    }
    if (filter.since) q = q.where('created_at', '>=', filter.since);
    if (filter.before) q = q.where('created_at', '<', filter.before);
    const rows = await q.orderBy('created_at', 'desc').limit(Math.min(filter.limit ?? 100, 1000)).execute();
    return rows.map(toEntry);
  }
}

function toEntry(row: LaunchLogTable): LaunchEntry {
  return {
    id: row.id,
    role: row.role as LaunchRole,
    platformId: row.platform_id,
    toolId: row.tool_id,
    outcome: row.outcome as Outcome,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    steps: stepsOf(row.steps),
    requestId: row.request_id,
    userSub: row.user_sub,
    storage: row.storage,
    test: row.test === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    warning: row.warning ?? null,
  };
}

/**
 * The stored steps with each step's request id: a step without one ran in the same request as the
 * step before it (steps of the launch's first request have none: that id is the entry's own).
 */
function stepsOf(stored: string): LaunchStep[] {
  const steps = JSON.parse(stored) as LaunchStep[];
  let requestId: string | undefined;
  for (const step of steps) {
    if (step.request_id) requestId = step.request_id;
    else if (requestId) step.request_id = requestId;
  }
  return steps;
}

/** Longest detail kept: enough for a URL and its refusal, never a large row from one request. */
const MAX_DETAIL = 500;

function detailOf(failed: { detail?: string }): { detail?: string } {
  if (!failed.detail) return {};
  const text = withoutNul(failed.detail);
  return { detail: text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}… (cut)` : text };
}

/** Messages may quote what a request sent; Postgres text cannot hold NUL. */
function withoutNul(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}
