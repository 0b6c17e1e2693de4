import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../http/services.ts';
import { LtiError, databaseUnavailable } from '../lti/errors.ts';
import { isDatabaseUnavailable } from '../store/db.ts';
import type { LaunchStep } from '../store/launchLog.ts';

/**
 * One launch passing through the launcher's endpoints. Each named step is timed (metrics), and a
 * failing step is written to the launch log with its stable code before the error page is shown.
 */
export class Flow {
  launchId: string | null = null;
  platformId: string | null = null;
  toolId: string | null = null;
  platformName: string | null = null;
  toolName: string | null = null;
  /** Passed checks not yet written to the launch log (written with the next step or failure). */
  private passed: Array<{ step: string; at: number }> = [];

  constructor(
    private readonly services: Services,
    private readonly request: FastifyRequest,
  ) {}

  /** The entry of a launch started in this request, written with this request's first write. */
  private unsaved: { step: string; test: boolean; at: number } | null = null;

  /** Starts a new launch-log entry (the launch's first request); it is written with the next step. */
  async start(step: string, test = false): Promise<string> {
    this.launchId = randomUUID();
    this.unsaved = { step, test, at: Date.now() };
    this.passed = [];
    return this.launchId;
  }

  /** Writes this request's steps: one statement (an insert for a new launch, else an append). */
  private async write(step: LaunchStep, extra: { userSub?: string; done?: boolean } = {}): Promise<void> {
    if (!this.launchId) return;
    const passed = this.flushPassed();
    if (this.unsaved) {
      const first = this.unsaved;
      this.unsaved = null;
      const failed = step.outcome === 'failed' ? { code: step.code!, message: step.message! } : undefined;
      await this.services.launchLog.start({
        id: this.launchId, role: 'platform', platformId: this.platformId, toolId: this.toolId, requestId: this.request.id,
        step: first.step, test: first.test, then: [...passed.map((p) => ({ ...p, outcome: 'ok' as const })), step],
        outcome: extra.done ? 'success' : 'pending', failed, userSub: extra.userSub ?? null,
      });
      return;
    }
    await this.services.launchLog.step(this.launchId, step.step, {
      ...extra,
      requestId: this.request.id,
      failed: step.outcome === 'failed' ? { code: step.code!, message: step.message! } : undefined,
      passed, toolId: this.toolId ?? undefined, platformId: this.platformId ?? undefined,
    });
  }

  /** Continues an existing launch (a later request of the same launch). */
  resume(launchId: string): void {
    this.launchId = launchId;
  }

  async step<T>(name: string, check: () => T | Promise<T>): Promise<T> {
    const end = this.services.metrics.stepSeconds.startTimer({ role: 'platform', step: name });
    try {
      const result = await check();
      end();
      this.passed.push({ step: name, at: Date.now() });
      return result;
    } catch (err) {
      end();
      throw await this.fail(name, err);
    }
  }

  /** Records a passed step that needs no check of its own. */
  async ok(name: string, extra: { userSub?: string; done?: boolean } = {}): Promise<void> {
    await this.write({ step: name, outcome: 'ok', at: Date.now() }, extra);
    if (extra.done) this.services.metrics.launches.inc({ role: 'platform', outcome: 'success', code: '' });
  }

  private flushPassed(): Array<{ step: string; at: number }> {
    const passed = this.passed;
    this.passed = [];
    return passed;
  }

  private async fail(name: string, err: unknown): Promise<LtiError> {
    const error =
      err instanceof LtiError
        ? err
        : isDatabaseUnavailable(err)
          ? databaseUnavailable()
          : new LtiError('internal_error', 500, 'Something went wrong on our side. The error has been logged.');
    if (!(err instanceof LtiError)) this.request.log.error({ err, step: name }, 'launch step failed unexpectedly');
    else if (error.detail) this.request.log.info({ code: error.code, detail: error.detail, step: name }, 'launch refused');
    error.context = { tool: this.toolName, platform: this.platformName };
    const failed = { code: error.code, message: error.message };
    try {
      if (this.launchId) {
        await this.write({ step: name, outcome: 'failed', at: Date.now(), ...failed });
      } else {
        await this.services.launchLog.failure({
          role: 'platform', step: name, ...failed, platformId: this.platformId, toolId: this.toolId, requestId: this.request.id,
        });
      }
    } catch (logErr) {
      this.request.log.error({ err: logErr }, 'could not write the launch log');
    }
    this.services.metrics.launches.inc({ role: 'platform', outcome: 'failure', code: error.code });
    return error;
  }
}
