import type { FastifyReply } from 'fastify';
import type { Step } from '../pipeline.ts';
import { findLineItem } from '../appApi/findLineItem.ts';
import { NEEDS } from '../appApi/checkServiceScope.ts';
import { getAccessToken } from '../appApi/getAccessToken.ts';
import { appApiPipeline, handleAppApi, serviceSteps } from '../appApi/pipeline.ts';
import type { LineItemsContext } from './context.ts';
import { createLineItem } from './createLineItem.ts';
import { deleteLineItem } from './deleteLineItem.ts';
import { listLineItems } from './listLineItems.ts';
import { readLineItem } from './readLineItem.ts';
import { readLineItemQuery } from './readLineItemQuery.ts';
import { showLineItem } from './showLineItem.ts';
import { updateLineItem } from './updateLineItem.ts';

type Steps = ReadonlyArray<Step<LineItemsContext>>;

/** `GET <line_items_url>[?resource_link_id=&resource_id=&tag=]` → `{line_items, truncated}`. */
export const LIST_LINE_ITEMS_STEPS: Steps = [...serviceSteps(NEEDS.listLineItems), readLineItemQuery, getAccessToken, listLineItems];
/** `POST <line_items_url>` `{label, score_maximum, …}` → 201 with the item. */
export const CREATE_LINE_ITEM_STEPS: Steps = [...serviceSteps(NEEDS.createLineItem), readLineItem, getAccessToken, createLineItem];
/** `GET <line_item_url>` → the item. */
export const SHOW_LINE_ITEM_STEPS: Steps = [...serviceSteps(NEEDS.readLineItem), findLineItem, getAccessToken, showLineItem];
/** `PUT <line_item_url>` with the whole item → the item. */
export const UPDATE_LINE_ITEM_STEPS: Steps = [...serviceSteps(NEEDS.changeLineItem), findLineItem, readLineItem, getAccessToken, updateLineItem];
/** `DELETE <line_item_url>` → 204. */
export const DELETE_LINE_ITEM_STEPS: Steps = [...serviceSteps(NEEDS.changeLineItem), findLineItem, getAccessToken, deleteLineItem];

const PIPELINES = {
  list: appApiPipeline(LIST_LINE_ITEMS_STEPS),
  create: appApiPipeline(CREATE_LINE_ITEM_STEPS),
  show: appApiPipeline(SHOW_LINE_ITEM_STEPS),
  update: appApiPipeline(UPDATE_LINE_ITEM_STEPS),
  delete: appApiPipeline(DELETE_LINE_ITEM_STEPS),
};

export function handleLineItems(call: keyof typeof PIPELINES, input: Omit<LineItemsContext, 'launchId'>): Promise<FastifyReply> {
  return handleAppApi(PIPELINES[call], input);
}
