import { AGS_MEDIA_TYPES } from '../../../lti/services/ags.ts';
import { AGS_SCOPES } from '../../../lti/services/scopes.ts';
import type { AgsContext } from '../ags/context.ts';
import { findLineItem } from '../ags/findLineItem.ts';
import { checkAccept } from '../ags/mediaTypes.ts';
import { readQuery } from '../ags/readQuery.ts';
import { servicePipeline } from '../service.ts';
import { authenticateAccessToken, requireScope } from '../steps/accessToken.ts';
import { resolvePlatform } from '../steps/resolvePlatform.ts';
import { listResults } from './listResults.ts';

/** `GET …/lineitems/:line_item_id/results` (AGS 2.0 §5): the line item's results. */
export const LIST_RESULTS = servicePipeline<AgsContext>([
  resolvePlatform, authenticateAccessToken, requireScope(AGS_SCOPES.resultReadOnly),
  checkAccept(AGS_MEDIA_TYPES.resultContainer), readQuery, findLineItem, listResults,
]);
