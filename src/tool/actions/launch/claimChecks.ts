import { ID_TOKEN_CHECKS, type IdTokenCheck, type IdTokenExpectations } from '../../../lti/idTokenChecks.ts';
import type { Step } from '../pipeline.ts';
import type { LaunchContext } from './context.ts';

/** What the registration and the login state expect of the verified id_token's claims. */
function expectations(ctx: LaunchContext): IdTokenExpectations {
  const registration = ctx.registration!;
  return {
    issuer: registration.issuer,
    clientId: registration.clientId,
    deploymentIds: registration.deploymentIds,
    // The login_states column `nonce` holds the nonce's SHA-256, never the nonce itself.
    nonceHash: ctx.loginState!.nonce,
    nowSeconds: Math.floor(Date.now() / 1000),
    clockSkewSeconds: ctx.gateway.services.config.clockSkewSeconds,
  };
}

/** A pure claim check of src/lti as a step: its name, codes and spec as it declares them. */
function claimStep({ name, codes, spec, check }: IdTokenCheck): Step<LaunchContext> {
  return { name, codes, spec, run: (ctx) => check(ctx.payload!, expectations(ctx)) };
}

/** The claim checks of ID_TOKEN_CHECKS, one step each, in their order. */
export const claimChecks: ReadonlyArray<Step<LaunchContext>> = ID_TOKEN_CHECKS.map(claimStep);
