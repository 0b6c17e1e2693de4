import type { ActivityProgress, GradingProgress, ScoreFields } from '../../lti/services/ags.ts';

/** The score columns the results, scores and webhook deliveries tables share. */
export interface ScoreColumns {
  user_id: string;
  score_given: number | string | null;
  score_maximum: number | string | null;
  comment: string | null;
  activity_progress: string;
  grading_progress: string;
  timestamp: string;
}

/** A row's score fields, mapped once (numbers as numbers whatever the driver gives back). */
export function scoreFieldsOf(row: ScoreColumns): ScoreFields {
  return {
    userId: row.user_id,
    scoreGiven: row.score_given === null ? null : Number(row.score_given),
    scoreMaximum: row.score_maximum === null ? null : Number(row.score_maximum),
    comment: row.comment,
    activityProgress: row.activity_progress as ActivityProgress,
    gradingProgress: row.grading_progress as GradingProgress,
    timestamp: row.timestamp,
  };
}

/** A score's columns, to write (the inverse of scoreFieldsOf). */
export function scoreColumnsOf(score: ScoreFields) {
  return {
    user_id: score.userId,
    score_given: score.scoreGiven,
    score_maximum: score.scoreMaximum,
    comment: score.comment,
    activity_progress: score.activityProgress,
    grading_progress: score.gradingProgress,
    timestamp: score.timestamp,
  };
}
