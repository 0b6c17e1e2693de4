import { randomUUID } from 'node:crypto';
import { sql, type Selectable, type Updateable } from 'kysely';
import type { Db } from './db.ts';
import type { LaunchLogTable } from './schema.ts';

export type LaunchRole = 'platform' | 'tool';
export type Outcome = 'pending' | 'success' | 'failure';

/** What the IdP sent in the role claim, and what the role map made of it (for the launch log). */
export interface IdpRoles {
  /** The claim read; null when the platform names none. */
  claim: string | null;
  /** The values found in it, as the IdP sent them (at most 20, each at most 100 characters). */
  values: string[];
  /** The LIS role URIs they mapped to; empty when none did. */
  roles: string[];
}

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
    const row = {
      id,
      role: who.role,
      platform_id: who.platformId ?? null,
      tool_id: who.toolId ?? null,
      outcome: state.outcome,
      failure_code: state.failed ? loggedText(state.failed.code) : null,
      failure_message: state.failed ? loggedText(state.failed.message) : null,
      steps: JSON.stringify(steps.map(loggedStep)),
      request_id: who.requestId ?? null,
      user_sub: state.userSub == null ? null : loggedText(state.userSub),
      storage: null,
      test: state.test ? 1 : 0,
      created_at: now,
      updated_at: now,
      warning: null,
    };
    await this.db.insertInto('launch_log').values({ ...row, size_bytes: Buffer.byteLength(JSON.stringify(row)) }).execute();
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
        ? { step, outcome: 'failed', at: now, code: result.failed.code, message: result.failed.message, detail: result.failed.detail }
        : { step, outcome: 'ok', at: now, ...result.info },
    );
    // The request id is stored on the first step of each request only; readers carry it forward
    // (see stepsOf): a launch's steps take a third less space than with it on every step.
    if (result.requestId) added[0] = { ...added[0], request_id: result.requestId };
    // Appended in the database (the stored array never is empty: `start` writes the first step),
    // so a write is one statement and two instances writing steps of one launch lose nothing.
    const tail = `,${JSON.stringify(added.map(loggedStep)).slice(1)}`;
    const set: Record<string, unknown> = { updated_at: now };
    if (result.failed) {
      set.outcome = 'failure';
      set.failure_code = loggedText(result.failed.code);
      set.failure_message = loggedText(result.failed.message);
    } else if (result.done) {
      set.outcome = 'success';
    }
    if (result.userSub !== undefined) set.user_sub = loggedText(result.userSub);
    if (result.warning !== undefined) set.warning = loggedText(result.warning);
    if (result.storage !== undefined) set.storage = loggedText(result.storage);
    if (result.toolId !== undefined) set.tool_id = result.toolId;
    if (result.platformId !== undefined) set.platform_id = result.platformId;
    // What the write adds (a replaced value is counted again: an estimate that errs on the large side).
    const addedBytes = Buffer.byteLength(tail) + Buffer.byteLength(JSON.stringify(set));
    const update: Record<string, unknown> = {
      ...set,
      steps: sql<string>`substr(steps, 1, length(steps) - 1) || ${tail}`,
      size_bytes: sql<number>`size_bytes + ${addedBytes}`,
    };
    await this.db.updateTable('launch_log').set(update as Updateable<LaunchLogTable>).where('id', '=', id).execute();
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

  /**
   * The steps that kept the IdP's role values (`idp_roles`) in a platform's latest real (not test)
   * launches since `since`, newest first: what the role-map form shows an admin.
   */
  async idpRoleSteps(platformId: string, since: number, limit: number): Promise<LaunchStep[]> {
    const rows = await this.db
      .selectFrom('launch_log')
      .select(['steps'])
      .where('role', '=', 'platform')
      .where('platform_id', '=', platformId)
      .where('test', '=', 0)
      .where('created_at', '>=', since)
      .where('steps', 'like', '%"idp_roles"%')
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    const found: LaunchStep[] = [];
    for (const row of rows) {
      const step = (JSON.parse(row.steps) as LaunchStep[]).find((s) => s.idp_roles);
      if (step) found.push(step);
    }
    return found;
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

function toEntry(row: Selectable<LaunchLogTable>): LaunchEntry {
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
 * Step names before issue 15 made every step's name a verb (the launcher's were nouns), as entries
 * written by an earlier version hold them: read under today's name, so one launch log reads alike
 * whichever version wrote it. The metrics' `step` label has the new names from the upgrade on.
 */
const STEP_RENAMES: Readonly<Record<string, string>> = {
  platform_resolved: 'resolve_platform', tool_resolved: 'resolve_tool', context_verified: 'verify_context',
  context_unused: 'use_context_jti', idp_configured: 'check_idp_config', idp_redirect: 'redirect_to_idp',
  state_checked: 'consume_state', idp_answered: 'read_idp_answer', idp_token_verified: 'verify_idp_token',
  idp_claims_text: 'check_idp_claims_text', context_user: 'check_context_user', tool_login_redirect: 'redirect_to_tool_login',
  auth_request_parsed: 'read_auth_request', auth_client: 'check_client', auth_scope: 'check_scope',
  auth_response_type: 'check_response_type', auth_response_mode: 'check_response_mode', auth_prompt: 'check_prompt',
  auth_redirect_uri: 'check_redirect_uri', login_hint: 'consume_login_hint', message_hint: 'check_message_hint',
  nonce: 'check_nonce', nonce_unused: 'use_nonce', id_token_signed: 'sign_id_token', id_token_posted: 'post_id_token',
  platform_host_redirect: 'redirect_to_platform_host', test_launch_start_checked: 'check_test_launch_start',
  test_launch_start_opened: 'open_test_launch_start', handoff_redeemed: 'send_launch',
};

/**
 * The stored steps with each step's request id: a step without one ran in the same request as the
 * step before it (steps of the launch's first request have none: that id is the entry's own).
 */
function stepsOf(stored: string): LaunchStep[] {
  const steps = JSON.parse(stored) as LaunchStep[];
  let requestId: string | undefined;
  for (const step of steps) {
    step.step = STEP_RENAMES[step.step] ?? step.step;
    if (step.request_id) requestId = step.request_id;
    else if (requestId) step.request_id = requestId;
  }
  return steps;
}

/**
 * The longest text a request can put in one field of the launch log: a message quoting what it
 * sent, a user's sub, an IdP role value. With every field cut, one request writes about 2 KB at
 * most however large it is, so anyone who can send requests cannot fill the disk through the log.
 */
export const MAX_LOGGED_TEXT = 256;
/** A failure's detail (for admins) gets room for a URL and its refusal. */
export const MAX_LOGGED_DETAIL = 500;
/** The most role values (and roles) kept per step; the IdP decides how many it sends. */
const MAX_LOGGED_VALUES = 20;

/**
 * A text as the launch log keeps it: at most `max` characters (marked when cut), and no control
 * character but tab and newline — Postgres text cannot hold NUL, and JSON writes the others as
 * six-byte escapes.
 */
export function loggedText(text: string, max = MAX_LOGGED_TEXT): string {
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\uFFFD');
  if (clean.length <= max) return clean;
  // Never half of a surrogate pair.
  const end = /[\ud800-\udbff]/.test(clean[max - 1]) ? max - 1 : max;
  return `${clean.slice(0, end)}… (cut)`;
}

/** A step with every text in it bounded (see MAX_LOGGED_TEXT); absent fields stay absent. */
function loggedStep(step: LaunchStep): LaunchStep {
  const out: LaunchStep = { ...step, step: loggedText(step.step) };
  if (step.code !== undefined) out.code = loggedText(step.code);
  if (step.message !== undefined) out.message = loggedText(step.message);
  if (step.detail) out.detail = loggedText(step.detail, MAX_LOGGED_DETAIL);
  else delete out.detail;
  if (step.request_id !== undefined) out.request_id = loggedText(step.request_id);
  if (step.idp_roles) {
    const { claim, values, roles } = step.idp_roles;
    out.idp_roles = {
      claim: claim === null ? null : loggedText(claim),
      values: values.slice(0, MAX_LOGGED_VALUES).map((v) => loggedText(v)),
      roles: roles.slice(0, MAX_LOGGED_VALUES).map((r) => loggedText(r)),
    };
  }
  return out;
}
