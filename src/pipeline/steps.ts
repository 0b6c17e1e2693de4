import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { LtiError } from '../lti/errors.ts';
import { isAnonymous } from '../lti/failureCodes.ts';
import { databaseUnavailable, isDatabaseUnavailable } from '../store/db.ts';
import { MAX_LOGGED_DETAIL, loggedText, type LaunchRole, type LaunchStep } from '../store/launchLog.ts';
import { detailWithSaid } from '../web/requestSaid.ts';
import type { Services } from '../server/services.ts';

/** What a request's last write adds to its launch-log entry besides the steps. */
export interface StepExtra {
  userSub?: string;
  /** How the browser was bound to its login state (the gateway's launches). */
  storage?: string;
  /** The launch ends here, successfully. */
  done?: boolean;
  /** What the step found, kept with it in the launch log. */
  info?: Pick<LaunchStep, 'idp_roles'>;
  /** Marks the launch for an admin's eye (see LaunchEntry.warning). */
  warning?: string;
}

/** What the recorder writes to: the launch log and the metrics. */
export type RecorderServices = Pick<Services, 'launchLog' | 'metrics'>;

/** Who a request named, as far as its steps found: a failure is written only when the rule says it is tied to a launch. */
export type Attribution = (named: { platformId: string | null; toolId: string | null }) => boolean;

/**
 * Each role's rule for which failures belong in the launch log: the request named a known platform
 * and tool (the launcher) or a known registration (the gateway). Anything sooner is anonymous.
 */
export const ROLE_ATTRIBUTION: Record<LaunchRole, Attribution> = {
  platform: ({ platformId, toolId }) => platformId !== null && toolId !== null,
  tool: ({ platformId }) => platformId !== null,
};

/** How an endpoint's requests are written, where it differs from its role's (see Pipeline). */
export interface RecorderRules {
  /** Which failures are written; the role's rule (ROLE_ATTRIBUTION) when not given. */
  attributed?: Attribution;
  /** false: a request writes only the step it ends on (or fails on), not the checks it passed before. */
  logsPassedChecks?: boolean;
}

/**
 * Where the two roles have always differed: the gateway's unexpected-failure page says less, and
 * only the launcher logs the operator detail of a refusal. Kept so no page or log line changes.
 */
const ROLE_WORDING: Record<LaunchRole, { internalError: string; logRefusals: boolean }> = {
  platform: { internalError: 'Something went wrong on our side. The error has been logged.', logRefusals: true },
  tool: { internalError: 'Something went wrong on our side.', logRefusals: false },
};

/**
 * The steps of one request of a launch, in either role. Each named check is timed
 * (`lti_step_duration_seconds`); passed checks are kept and written to the launch log with the
 * request's last step or its failure, so a request costs one statement however many checks it
 * runs; a failure is mapped to its LtiError (a lost database is a 503, anything unexpected a 500),
 * written with its code, counted in `lti_launches_total` and given the names its error page shows.
 */
export class StepRecorder {
  launchId: string | null = null;
  platformId: string | null = null;
  toolId: string | null = null;
  platformName: string | null = null;
  toolName: string | null = null;
  /** Passed checks not yet written to the launch log (written with the next step or failure). */
  private passed: Array<{ step: string; at: number }> = [];
  /** The entry of a launch started in this request, written with this request's first write. */
  private unsaved: { step: string; test: boolean; at: number } | null = null;

  constructor(
    private readonly services: RecorderServices,
    private readonly request: Pick<FastifyRequest, 'id' | 'log'>,
    private readonly role: LaunchRole,
    private readonly rules: RecorderRules = {},
  ) {}

  /** Starts a new launch-log entry (the launch's first request); it is written with the next step. */
  async start(step: string, test = false): Promise<string> {
    this.launchId = randomUUID();
    this.unsaved = { step, test, at: Date.now() };
    this.passed = [];
    return this.launchId;
  }

  /** Continues an existing launch (a later request of the same launch). */
  resume(launchId: string): void {
    this.launchId = launchId;
  }

  /** Runs one named check: timed, then kept as passed, or written to the log as the failure it throws. */
  async step<T>(name: string, check: () => T | Promise<T>): Promise<T> {
    const stop = this.time(name);
    try {
      const result = await check();
      stop();
      this.pass(name);
      return result;
    } catch (err) {
      stop();
      throw await this.fail(name, err);
    }
  }

  /**
   * The parts of `step` for a runner that awaits its checks itself (one await per check on the
   * gateway's hot path): start the timer, then `pass` or `fail` the check once it has run.
   */
  time(name: string): () => void {
    return this.services.metrics.stepSeconds.startTimer({ role: this.role, step: name });
  }

  pass(name: string): void {
    this.passed.push({ step: name, at: Date.now() });
  }

  /** Records a passed step that needs no check of its own, writing this request's steps. */
  async ok(name: string, extra: StepExtra = {}): Promise<void> {
    await this.write({ step: name, outcome: 'ok', at: Date.now(), ...extra.info }, extra);
    if (extra.done) this.countSuccess();
  }

  /** Writes this request's passed checks, the last one as the step the request ended on. */
  async finish(extra: StepExtra = {}): Promise<void> {
    const last = this.passed.pop();
    if (last) await this.write({ step: last.step, outcome: 'ok', at: last.at, ...extra.info }, extra);
    if (extra.done) this.countSuccess();
  }

  /** Maps a check's error to the LtiError shown to the person, after logging, writing and counting it. */
  async fail(name: string, err: unknown): Promise<LtiError> {
    const wording = ROLE_WORDING[this.role];
    const error =
      err instanceof LtiError
        ? err
        : isDatabaseUnavailable(err)
          ? databaseUnavailable()
          : new LtiError('internal_error', 500, wording.internalError);
    // What the request said is no longer in the message: the admin reads it in the detail.
    const detail = detailWithSaid(error.detail, error.said);
    if (!(err instanceof LtiError)) this.request.log.error({ err, step: name }, 'launch step failed unexpectedly');
    else if (detail && wording.logRefusals) {
      // The detail may quote the request: cut like the launch log's, so the log file is bounded too.
      this.request.log.info({ code: error.code, detail: loggedText(detail, MAX_LOGGED_DETAIL), step: name }, 'launch refused');
    }
    error.context = { tool: this.toolName, platform: this.platformName };
    if (!this.attributed(error.code)) {
      this.services.metrics.refused.inc({ role: this.role, code: error.code });
      return error;
    }
    const failed = { code: error.code, message: error.message, detail };
    try {
      if (this.launchId) {
        await this.write({ step: name, outcome: 'failed', at: Date.now(), ...failed });
      } else {
        await this.services.launchLog.failure({
          role: this.role, step: name, ...failed, platformId: this.platformId, toolId: this.toolId, requestId: this.request.id,
        });
      }
    } catch (logErr) {
      this.request.log.error({ err: logErr }, 'could not write the launch log');
    }
    this.services.metrics.launches.inc({ role: this.role, outcome: 'failure', code: error.code });
    return error;
  }

  /**
   * Whether a failure belongs in the launch log: the request named what the endpoint's rule asks
   * for (by default its role's, ROLE_ATTRIBUTION), and the failure is not that it named something
   * unknown (an `anonymous` code of the catalogue, src/lti/failureCodes.ts). Like every failure
   * before the request is tied to what it names, those are anonymous: anyone can send them, so they
   * write nothing and are counted in `lti_refused_requests_total`.
   */
  private attributed(code: string): boolean {
    if (isAnonymous(code)) return false;
    const rule = this.rules.attributed ?? ROLE_ATTRIBUTION[this.role];
    return rule({ platformId: this.platformId, toolId: this.toolId });
  }

  /** Writes this request's steps: one statement (an insert for a new launch, else an append). */
  private async write(step: LaunchStep, extra: StepExtra = {}): Promise<void> {
    if (!this.launchId) return;
    const passed = this.rules.logsPassedChecks === false ? [] : this.passed;
    this.passed = [];
    const failed = step.outcome === 'failed' ? { code: step.code!, message: step.message!, detail: step.detail } : undefined;
    if (this.unsaved) {
      const first = this.unsaved;
      this.unsaved = null;
      await this.services.launchLog.start({
        id: this.launchId, role: this.role, platformId: this.platformId, toolId: this.toolId, requestId: this.request.id,
        step: first.step, test: first.test, then: [...passed.map((p) => ({ ...p, outcome: 'ok' as const })), step],
        outcome: extra.done ? 'success' : 'pending', failed, userSub: extra.userSub ?? null,
      });
      return;
    }
    await this.services.launchLog.step(this.launchId, step.step, {
      ...extra,
      requestId: this.request.id,
      failed,
      info: extra.info,
      warning: extra.warning,
      passed, toolId: this.toolId ?? undefined, platformId: this.platformId ?? undefined,
    });
  }

  private countSuccess(): void {
    this.services.metrics.launches.inc({ role: this.role, outcome: 'success', code: '' });
  }
}
