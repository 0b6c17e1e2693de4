import { AGS_MEDIA_TYPES } from '../../../lti/services/ags.ts';
import { AGS_SCOPES } from '../../../lti/services/scopes.ts';
import type { AgsContext } from '../ags/context.ts';
import { findLineItem } from '../ags/findLineItem.ts';
import { checkContentType } from '../ags/mediaTypes.ts';
import { servicePipeline } from '../service.ts';
import { authenticateAccessToken, requireScope } from '../steps/accessToken.ts';
import { resolvePlatform } from '../steps/resolvePlatform.ts';
import { checkMember } from './checkMember.ts';
import { readScore } from './readScore.ts';
import { recordScore } from './recordScore.ts';

/** `POST …/lineitems/:line_item_id/scores` (AGS 2.0 §4): a tool publishes a user's score. */
export const POST_SCORE = servicePipeline<AgsContext>([
  resolvePlatform, authenticateAccessToken, requireScope(AGS_SCOPES.score),
  checkContentType(AGS_MEDIA_TYPES.score), findLineItem, readScore, checkMember, recordScore,
]);
