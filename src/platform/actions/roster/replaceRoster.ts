import type { Step } from '../context.ts';
import type { RosterContext } from './context.ts';

/**
 * The pushed roster replaces the last one, in one transaction: its members are Active, the ones
 * an earlier push named and this one leaves out become Inactive, users known only from launches
 * stay. Answers the context's members by status, as NRPS now shows them.
 */
export const replaceRoster: Step<RosterContext> = {
  name: 'replace_roster',
  async run(ctx) {
    const counts = await ctx.launcher.members.replaceRoster(ctx.platform!.id, ctx.contextId!, ctx.roster!);
    ctx.done = true;
    ctx.answer = (reply) => reply.code(200).header('cache-control', 'no-store').send(counts);
  },
};
