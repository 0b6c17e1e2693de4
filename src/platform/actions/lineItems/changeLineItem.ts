import { AGS_MEDIA_TYPES } from '../../../lti/services/ags.ts';
import type { AgsContext } from '../ags/context.ts';
import { lineItemUrl } from '../ags/urls.ts';
import type { Step } from '../context.ts';
import { lineItemJson } from './lineItemJson.ts';

/** POST to the container: the new item, 201 with its URL as `id` and Location (AGS 2.0 §3.2.5). */
export const createLineItem: Step<AgsContext> = {
  name: 'create_line_item',
  spec: 'AGS 2.0 §3.2.5',
  async run(ctx) {
    const platform = ctx.platform!;
    const item = await ctx.launcher.lineItems.create({ platformId: platform.id, contextId: ctx.contextId, toolId: ctx.tool!.id }, ctx.lineItemInput!);
    const url = lineItemUrl(ctx.launcher.services.config, platform, ctx.contextId, item.id);
    ctx.answer = (reply) => reply.code(201).header('location', url).type(AGS_MEDIA_TYPES.lineItem).send(JSON.stringify(lineItemJson(item, url)));
  },
};

/** GET an item: as stored (AGS 2.0 §3.3). */
export const showLineItem: Step<AgsContext> = {
  name: 'show_line_item',
  spec: 'AGS 2.0 §3.3',
  run(ctx) {
    const item = ctx.lineItem!;
    const url = lineItemUrl(ctx.launcher.services.config, ctx.platform!, ctx.contextId, item.id);
    ctx.answer = (reply) => reply.code(200).type(AGS_MEDIA_TYPES.lineItem).send(JSON.stringify(lineItemJson(item, url)));
  },
};

/** PUT an item: replaced by what was sent, its results kept (AGS 2.0 §3.3). */
export const updateLineItem: Step<AgsContext> = {
  name: 'update_line_item',
  spec: 'AGS 2.0 §3.3',
  async run(ctx) {
    const item = await ctx.launcher.lineItems.update(ctx.lineItem!, ctx.lineItemInput!);
    const url = lineItemUrl(ctx.launcher.services.config, ctx.platform!, ctx.contextId, item.id);
    ctx.answer = (reply) => reply.code(200).type(AGS_MEDIA_TYPES.lineItem).send(JSON.stringify(lineItemJson(item, url)));
  },
};

/** DELETE an item, with its results and scores: 204 (AGS 2.0 §3.3). */
export const deleteLineItem: Step<AgsContext> = {
  name: 'delete_line_item',
  spec: 'AGS 2.0 §3.3',
  async run(ctx) {
    await ctx.launcher.lineItems.delete(ctx.lineItem!.id);
    ctx.answer = (reply) => reply.code(204).send();
  },
};
