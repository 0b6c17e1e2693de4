import { ACTIVITY_PROGRESS, GRADING_PROGRESS } from '../../../lti/services/ags.ts';
import type { Step } from '../pipeline.ts';
import { AppFieldError, bodyFields, MAX_COMMENT, numberField, oneOf, optionalText, requiredText } from '../appApi/appInput.ts';
import type { ScoresContext } from './context.ts';

const FIELDS = ['user_id', 'score_given', 'score_maximum', 'comment', 'activity_progress', 'grading_progress'] as const;

/**
 * AGS 2.0 §4.3 in the app's words: `user_id`, `activity_progress` and `grading_progress` (§4.4's
 * values) are required; `score_given` is a number ≥ 0 and needs `score_maximum` (> 0). The
 * timestamp is the gateway's: an app's own is not a field.
 */
export const readScore: Step<ScoresContext> = {
  name: 'read_score',
  spec: 'AGS 2.0 §4.3, §4.4',
  codes: ['app_field_invalid'],
  run(ctx) {
    const fields = bodyFields(ctx.body, FIELDS);
    const userId = requiredText(fields, 'user_id');
    const scoreGiven = numberField(fields, 'score_given', { atLeast: 0 });
    const scoreMaximum = numberField(fields, 'score_maximum', { above: 0 });
    if (scoreGiven !== null && scoreMaximum === null) throw new AppFieldError('score_maximum', 'is required with score_given: a number greater than 0');
    ctx.score = {
      user_id: userId,
      score_given: scoreGiven,
      score_maximum: scoreMaximum,
      comment: optionalText(fields, 'comment', MAX_COMMENT),
      activity_progress: oneOf(fields, 'activity_progress', ACTIVITY_PROGRESS),
      grading_progress: oneOf(fields, 'grading_progress', GRADING_PROGRESS),
    };
  },
};
