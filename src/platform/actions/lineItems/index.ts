import type { FastifyReply, FastifyRequest } from 'fastify';
import { AGS_SCOPES } from '../../../lti/services/scopes.ts';
import { AGS_MEDIA_TYPES } from '../../../lti/services/ags.ts';
import type { Launcher } from '../../launcher.ts';
import type { AgsContext } from '../ags/context.ts';
import { findLineItem } from '../ags/findLineItem.ts';
import { checkAccept, checkContentType } from '../ags/mediaTypes.ts';
import { readQuery } from '../ags/readQuery.ts';
import { answerService, servicePipeline } from '../service.ts';
import { authenticateAccessToken, requireScope } from '../steps/accessToken.ts';
import { resolvePlatform } from '../steps/resolvePlatform.ts';
import { createLineItem, deleteLineItem, showLineItem, updateLineItem } from './changeLineItem.ts';
import { checkContextLaunched } from './checkContextLaunched.ts';
import { listLineItems } from './listLineItems.ts';
import { readLineItem } from './readLineItem.ts';
import { checkResourceLink } from './checkResourceLink.ts';

// AGS 2.0 §3.1: `lineitem` covers what `lineitem.readonly` allows (as Canvas reads it).
const READ = [AGS_SCOPES.lineItem, AGS_SCOPES.lineItemReadOnly];
const WRITE = [AGS_SCOPES.lineItem];
const AUTHENTICATED = [resolvePlatform, authenticateAccessToken];

/** `GET …/lineitems`: the tool's line items of a context. */
export const LIST_LINE_ITEMS = servicePipeline<AgsContext>([
  ...AUTHENTICATED, requireScope(...READ), checkAccept(AGS_MEDIA_TYPES.lineItemContainer), readQuery, listLineItems,
]);

/** `POST …/lineitems`: a new line item. */
export const CREATE_LINE_ITEM = servicePipeline<AgsContext>([
  ...AUTHENTICATED, requireScope(...WRITE), checkAccept(AGS_MEDIA_TYPES.lineItem), checkContentType(AGS_MEDIA_TYPES.lineItem),
  readLineItem, checkContextLaunched, checkResourceLink, createLineItem,
]);

/** `GET …/lineitems/:line_item_id`. */
export const SHOW_LINE_ITEM = servicePipeline<AgsContext>([
  ...AUTHENTICATED, requireScope(...READ), checkAccept(AGS_MEDIA_TYPES.lineItem), findLineItem, showLineItem,
]);

/** `PUT …/lineitems/:line_item_id`. */
export const UPDATE_LINE_ITEM = servicePipeline<AgsContext>([
  ...AUTHENTICATED, requireScope(...WRITE), checkAccept(AGS_MEDIA_TYPES.lineItem), checkContentType(AGS_MEDIA_TYPES.lineItem),
  findLineItem, readLineItem, checkResourceLink, updateLineItem,
]);

/** `DELETE …/lineitems/:line_item_id`. */
export const DELETE_LINE_ITEM = servicePipeline<AgsContext>([...AUTHENTICATED, requireScope(...WRITE), findLineItem, deleteLineItem]);

/** Runs one of the AGS pipelines for a request to `…/contexts/:context_id/lineitems[/:line_item_id[/…]]`. */
export function answerAgs(pipeline: ReturnType<typeof servicePipeline<AgsContext>>, launcher: Launcher, request: FastifyRequest, reply: FastifyReply) {
  const params = request.params as { context_id: string; line_item_id?: string };
  return answerService(pipeline, { launcher, request, reply, launchId: null, contextId: params.context_id, lineItemId: params.line_item_id });
}
