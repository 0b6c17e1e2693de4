import type { FastifyRequest } from 'fastify';
import type { Services } from '../server/services.ts';
import { StepRecorder } from '../pipeline/steps.ts';

/**
 * One launch passing through the launcher's endpoints, one request at a time:
 * `await flow.step('name', check)` for each check (see StepRecorder in src/pipeline/steps.ts).
 */
export class Flow extends StepRecorder {
  constructor(services: Services, request: FastifyRequest) {
    super(services, request, 'platform');
  }
}
