import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process: launches by outcome and failure code, refused anonymous requests, per-step latency. */
export class Metrics {
  readonly registry = new Registry();
  readonly launches: Counter<'role' | 'outcome' | 'code'>;
  readonly stepSeconds: Histogram<'role' | 'step'>;
  readonly refused: Counter<'role' | 'code'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.launches = new Counter({
      name: 'lti_launches_total',
      help: 'Launches by role, outcome and failure code',
      labelNames: ['role', 'outcome', 'code'],
      registers: [this.registry],
    });
    // Labels are the role and a failure code of the catalogue, never a value from the request.
    this.refused = new Counter({
      name: 'lti_refused_requests_total',
      help: 'Requests refused before they named a known platform and tool (launcher) or registration (gateway); not in the launch log',
      labelNames: ['role', 'code'],
      registers: [this.registry],
    });
    this.stepSeconds = new Histogram({
      name: 'lti_step_duration_seconds',
      help: 'Time spent in each step of the launch flow',
      labelNames: ['role', 'step'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
  }
}
