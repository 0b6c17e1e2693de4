import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { Metrics } from '../../src/server/metrics.ts';
import { StepRecorder } from '../../src/pipeline/steps.ts';
import { LtiError } from '../../src/lti/errors.ts';
import type { LaunchLog } from '../../src/store/launchLog.ts';
import { runFlow, type FlowContext, type Step } from '../../src/tool/actions/pipeline.ts';
import type { Gateway } from '../../src/tool/gateway.ts';

/** A launch log that only remembers which writes it was asked for. */
function fakeLaunchLog(options: { broken?: boolean } = {}) {
  const writes: Array<{ kind: 'start' | 'step' | 'failure'; args: unknown[] }> = [];
  const record = (kind: 'start' | 'step' | 'failure') => async (...args: unknown[]) => {
    writes.push({ kind, args });
    if (options.broken) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    return 'failure-entry';
  };
  const launchLog = { start: record('start'), step: record('step'), failure: record('failure') } as unknown as LaunchLog;
  return { launchLog, writes };
}

function setup(options: { broken?: boolean } = {}) {
  const { launchLog, writes } = fakeLaunchLog(options);
  const metrics = new Metrics();
  const log = { error: vi.fn(), info: vi.fn() };
  const request = { id: 'req-1', log } as unknown as FastifyRequest;
  return { services: { launchLog, metrics }, request, writes, log, metrics };
}

async function stepCounts(metrics: Metrics): Promise<Record<string, number>> {
  const { values } = await metrics.stepSeconds.get();
  return Object.fromEntries(
    values.filter((v) => v.metricName === 'lti_step_duration_seconds_count').map((v) => [`${v.labels.role}/${v.labels.step}`, v.value]),
  );
}

async function launchCounts(metrics: Metrics): Promise<Record<string, number>> {
  const { values } = await metrics.launches.get();
  return Object.fromEntries(values.map((v) => [`${v.labels.role}/${v.labels.outcome}/${v.labels.code}`, v.value]));
}

/**
 * A refusal with a code and status of the test's own (the catalogue's pairs are the compiler's
 * business): the recorder passes any LtiError on as it is, whatever it says.
 */
const refusalOf = (code: string, status: number, message: string): LtiError =>
  Object.assign(new LtiError('internal_error', 500, message), { code, status });

const databaseLost = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' });

describe('the step recorder shared by the launcher and the gateway', () => {
  it('times every check under its role and step name', async () => {
    const { services, request, metrics } = setup();
    const flow = new StepRecorder(services, request, 'platform');
    flow.resume('launch-1');
    expect(await flow.step('first', () => 1)).toBe(1);
    expect(await flow.step('second', async () => 'two')).toBe('two');
    await expect(flow.step('third', () => { throw refusalOf('refused', 400, 'No.'); })).rejects.toThrow('No.');
    expect(await stepCounts(metrics)).toEqual({ 'platform/first': 1, 'platform/second': 1, 'platform/third': 1 });
  });

  it('writes a request’s passed checks in one append, with the step it ends on', async () => {
    const { services, request, writes, metrics } = setup();
    const flow = new StepRecorder(services, request, 'platform');
    flow.resume('launch-1');
    flow.toolId = 'tool-1';
    await flow.step('a', () => {});
    await flow.step('b', () => {});
    expect(writes).toHaveLength(0);
    await flow.ok('done', { userSub: 'u1', done: true });
    expect(writes).toHaveLength(1);
    expect(writes[0].kind).toBe('step');
    const [id, step, result] = writes[0].args as [string, string, Record<string, unknown>];
    expect(id).toBe('launch-1');
    expect(step).toBe('done');
    expect(result).toMatchObject({ userSub: 'u1', done: true, requestId: 'req-1', toolId: 'tool-1', failed: undefined });
    expect((result.passed as Array<{ step: string }>).map((p) => p.step)).toEqual(['a', 'b']);
    expect(await launchCounts(metrics)).toEqual({ 'platform/success/': 1 });
  });

  it('writes a launch started in this request as one insert, its checks included', async () => {
    const { services, request, writes } = setup();
    const flow = new StepRecorder(services, request, 'platform');
    const id = await flow.start('launch_received', true);
    await flow.step('a', () => {});
    await flow.ok('redirected');
    expect(writes.map((w) => w.kind)).toEqual(['start']);
    expect(writes[0].args[0]).toMatchObject({
      id, role: 'platform', step: 'launch_received', test: true, outcome: 'pending', requestId: 'req-1',
      then: [expect.objectContaining({ step: 'a', outcome: 'ok' }), expect.objectContaining({ step: 'redirected', outcome: 'ok' })],
    });
  });

  it('keeps an LtiError as it is and writes it with the checks passed before it', async () => {
    const { services, request, writes, log, metrics } = setup();
    const flow = new StepRecorder(services, request, 'platform');
    flow.resume('launch-1');
    flow.platformId = 'platform-1';
    flow.toolId = 'tool-1';
    flow.toolName = 'Quiz';
    const refusal = new LtiError('nonce_replayed', 401, 'Used already.', 'seen at 12:00');
    await flow.step('a', () => {});
    const thrown = await flow.step('b', () => Promise.reject(refusal)).catch((err: unknown) => err);
    expect(thrown).toBe(refusal);
    expect(refusal.context).toEqual({ tool: 'Quiz', platform: null });
    expect(writes).toHaveLength(1);
    const [, step, result] = writes[0].args as [string, string, Record<string, unknown>];
    expect(step).toBe('b');
    expect(result.failed).toEqual({ code: 'nonce_replayed', message: 'Used already.', detail: 'seen at 12:00' });
    expect((result.passed as Array<{ step: string }>).map((p) => p.step)).toEqual(['a']);
    expect(log.error).not.toHaveBeenCalled();
    expect(log.info).toHaveBeenCalledWith(expect.objectContaining({ code: 'nonce_replayed', detail: 'seen at 12:00' }), 'launch refused');
    expect(await launchCounts(metrics)).toEqual({ 'platform/failure/nonce_replayed': 1 });
  });

  it('turns a lost database into a 503 database_unavailable', async () => {
    const { services, request, log, metrics } = setup();
    const flow = new StepRecorder(services, request, 'tool');
    flow.platformId = 'registration-1';
    const thrown = (await flow.step('a', () => { throw databaseLost(); }).catch((err: unknown) => err)) as LtiError;
    expect(thrown).toBeInstanceOf(LtiError);
    expect([thrown.status, thrown.code]).toEqual([503, 'database_unavailable']);
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ step: 'a' }), 'launch step failed unexpectedly');
    expect(await launchCounts(metrics)).toEqual({ 'tool/failure/database_unavailable': 1 });
  });

  it('turns anything else into a 500 internal_error, logged, worded as each role always has', async () => {
    for (const [role, message] of [
      ['platform', 'Something went wrong on our side. The error has been logged.'],
      ['tool', 'Something went wrong on our side.'],
    ] as const) {
      const { services, request, log, writes } = setup();
      const bug = new TypeError('x is undefined');
      const flow = new StepRecorder(services, request, role);
      flow.platformId = 'platform-or-registration-1';
      flow.toolId = 'tool-1';
      const thrown = (await flow.step('a', () => { throw bug; }).catch((err: unknown) => err)) as LtiError;
      expect([thrown.status, thrown.code, thrown.message]).toEqual([500, 'internal_error', message]);
      expect(log.error).toHaveBeenCalledWith({ err: bug, step: 'a' }, 'launch step failed unexpectedly');
      // No launch yet: the failure gets an entry of its own.
      expect(writes.map((w) => w.kind)).toEqual(['failure']);
      expect(writes[0].args[0]).toMatchObject({ role, step: 'a', code: 'internal_error', requestId: 'req-1' });
    }
  });

  it('still shows the step’s own error when the launch log cannot be written', async () => {
    const { services, request, log } = setup({ broken: true });
    const flow = new StepRecorder(services, request, 'platform');
    flow.resume('launch-1');
    flow.platformId = 'platform-1';
    flow.toolId = 'tool-1';
    const refusal = new LtiError('state_unknown', 401, 'Unknown state.');
    await expect(flow.step('a', () => { throw refusal; })).rejects.toBe(refusal);
    expect(log.error).toHaveBeenCalledWith(expect.anything(), 'could not write the launch log');
  });

  it('writes nothing for a request that names no known platform and tool, or something unknown: it counts it', async () => {
    const cases: Array<[role: 'platform' | 'tool', ids: { platformId?: string; toolId?: string }, code: string]> = [
      ['platform', {}, 'platform_unknown'],
      ['platform', { platformId: 'p1' }, 'tool_unknown'],
      ['platform', { platformId: 'p1' }, 'state_unknown'],
      ['platform', { platformId: 'p1', toolId: 't1' }, 'auth_client_unknown'],
      ['tool', {}, 'state_unknown'],
      ['tool', { platformId: 'reg-1' }, 'app_unknown'],
    ];
    for (const [role, ids, code] of cases) {
      const { services, request, writes, metrics } = setup();
      const flow = new StepRecorder(services, request, role);
      await flow.start('received');
      Object.assign(flow, ids);
      const refusal = refusalOf(code, 404, 'Not here.');
      await expect(flow.step('a', () => { throw refusal; })).rejects.toBe(refusal);
      expect(writes, `${role} ${code}`).toHaveLength(0);
      expect(await launchCounts(metrics), `${role} ${code}`).toEqual({});
      const { values } = await metrics.refused.get();
      expect(values.map((v) => [v.labels, v.value])).toEqual([[{ role, code }, 1]]);
    }
  });
});

describe('the gateway’s step list, run on the shared recorder', () => {
  function context(services: ReturnType<typeof setup>['services'], request: FastifyRequest): FlowContext {
    return { gateway: { services } as unknown as Gateway, request, reply: {} as FastifyReply, launchId: 'launch-1' };
  }

  it('runs the steps in order, times each, and writes the request once, on its last step', async () => {
    const { services, request, writes, metrics } = setup();
    const ctx = context(services, request);
    const steps: Array<Step<FlowContext>> = [
      { name: 'one', run() {} },
      { name: 'two', async run(c) { c.registration = { id: 'reg-1', name: 'Moodle', coursePageOrigins: [] } as unknown as FlowContext['registration']; } },
      { name: 'three', run(c) { c.done = true; c.storage = 'cookie'; c.answer = (reply) => reply; } },
      { name: 'never', run: vi.fn() },
    ];
    await runFlow(ctx, steps);
    expect(steps[3].run).not.toHaveBeenCalled();
    expect(await stepCounts(metrics)).toEqual({ 'tool/one': 1, 'tool/two': 1, 'tool/three': 1 });
    expect(writes).toHaveLength(1);
    const [id, step, result] = writes[0].args as [string, string, Record<string, unknown>];
    expect([id, step]).toEqual(['launch-1', 'three']);
    expect(result).toMatchObject({ platformId: 'reg-1', storage: 'cookie', done: true, requestId: 'req-1' });
    expect((result.passed as Array<{ step: string }>).map((p) => p.step)).toEqual(['one', 'two']);
    expect(await launchCounts(metrics)).toEqual({ 'tool/success/': 1 });
  });

  it('stops at the first failure: later steps do not run, and the failure names what the steps had found', async () => {
    const { services, request, writes, metrics } = setup();
    const ctx = context(services, request);
    const later = vi.fn();
    const steps: Array<Step<FlowContext>> = [
      { name: 'one', run() {} },
      { name: 'two', run(c) {
        c.registration = { id: 'reg-1', name: 'Moodle', coursePageOrigins: [] } as unknown as FlowContext['registration'];
        c.app = { id: 'app-1', name: 'Quiz' } as FlowContext['app'];
        throw refusalOf('app_forbidden', 403, 'No app.');
      } },
      { name: 'three', run: later },
    ];
    const thrown = (await runFlow(ctx, steps).catch((err: unknown) => err)) as LtiError;
    expect(later).not.toHaveBeenCalled();
    expect([thrown.status, thrown.code]).toEqual([403, 'app_forbidden']);
    expect(thrown.context).toEqual({ tool: 'Quiz', platform: 'Moodle' });
    expect(writes).toHaveLength(1);
    const [, step, result] = writes[0].args as [string, string, Record<string, unknown>];
    expect(step).toBe('two');
    expect(result).toMatchObject({ failed: { code: 'app_forbidden', message: 'No app.' }, toolId: 'app-1', platformId: 'reg-1' });
    expect((result.passed as Array<{ step: string }>).map((p) => p.step)).toEqual(['one']);
    expect(await stepCounts(metrics)).toEqual({ 'tool/one': 1, 'tool/two': 1 });
    expect(await launchCounts(metrics)).toEqual({ 'tool/failure/app_forbidden': 1 });
  });

  it('writes a failure by the endpoint’s own rule when it has one, and counts the others as refused', async () => {
    const byApp = { attributed: ({ toolId }: { toolId: string | null }) => toolId !== null };
    const refuse = (withApp: boolean): Array<Step<FlowContext>> => [{ name: 'check', run(c) {
      if (withApp) c.app = { id: 'app-1', name: 'Quiz' } as FlowContext['app'];
      throw refusalOf('code_unknown', 404, 'No such code.');
    } }];
    const anonymous = setup();
    await expect(runFlow({ ...context(anonymous.services, anonymous.request), launchId: null }, refuse(false), byApp)).rejects.toThrow('No such code.');
    expect(anonymous.writes).toHaveLength(0);
    expect((await anonymous.metrics.refused.get()).values.map((v) => [v.labels, v.value])).toEqual([[{ role: 'tool', code: 'code_unknown' }, 1]]);

    // No registration, so the gateway's rule would not write it; the endpoint's rule does.
    const known = setup();
    await expect(runFlow({ ...context(known.services, known.request), launchId: null }, refuse(true), byApp)).rejects.toThrow('No such code.');
    expect(known.writes.map((w) => w.kind)).toEqual(['failure']);
    expect(known.writes[0].args[0]).toMatchObject({ role: 'tool', step: 'check', code: 'code_unknown', toolId: 'app-1', platformId: null });
    expect(await launchCounts(known.metrics)).toEqual({ 'tool/failure/code_unknown': 1 });
  });

  it('writes only the step a request ends on when the endpoint keeps no passed checks, and still times each', async () => {
    const { services, request, writes, metrics } = setup();
    const steps: Array<Step<FlowContext>> = [
      { name: 'one', run() {} },
      { name: 'two', run(c) { c.answer = (reply) => reply; } },
    ];
    await runFlow(context(services, request), steps, { logsPassedChecks: false });
    expect(writes).toHaveLength(1);
    const [id, step, result] = writes[0].args as [string, string, Record<string, unknown>];
    expect([id, step]).toEqual(['launch-1', 'two']);
    expect(result.passed).toEqual([]);
    expect(await stepCounts(metrics)).toEqual({ 'tool/one': 1, 'tool/two': 1 });
  });
});
