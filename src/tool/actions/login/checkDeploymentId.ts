import { LtiError } from '../../../lti/errors.ts';
import type { Step } from '../pipeline.ts';
import type { LoginContext } from './context.ts';

/** `lti_deployment_id`, when the login names one, is a deployment this registration allows (empty: any). */
export const checkDeploymentId: Step<LoginContext> = {
  name: 'check_deployment_id',
  spec: 'LTI Core §4.1.2',
  codes: ['deployment_unknown'],
  run(ctx) {
    const { deploymentId } = ctx.login!;
    const allowed = ctx.registration!.deploymentIds;
    if (deploymentId !== null && allowed.length > 0 && !allowed.includes(deploymentId)) {
      throw new LtiError('deployment_unknown', 403, 'The login comes from a deployment that is not registered with this tool. Ask the administrator to add it.')
        .saying({ lti_deployment_id: deploymentId });
    }
  },
};
