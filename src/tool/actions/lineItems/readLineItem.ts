import type { Step } from '../pipeline.ts';
import { AppFieldError, bodyFields, numberField, optionalDateTime, optionalText, requiredText } from '../appApi/appInput.ts';
import type { LineItemsContext } from './context.ts';

const FIELDS = ['label', 'score_maximum', 'resource_id', 'tag', 'resource_link_id', 'start_date_time', 'end_date_time'] as const;

/**
 * The line item an app creates or replaces (AGS 2.0 §3.2.6: a PUT is the whole item; Moodle wants
 * label and score_maximum every time): label a non-empty text, score_maximum a number above 0, the
 * rest optional. The `url` of an item read back and sent again is accepted and dropped: the URL
 * says which item it is.
 */
export const readLineItem: Step<LineItemsContext> = {
  name: 'read_line_item',
  spec: 'AGS 2.0 §3.2.5, §3.2.6',
  codes: ['app_field_invalid'],
  run(ctx) {
    const fields = bodyFields(ctx.body, FIELDS, ['url']);
    const start = optionalDateTime(fields, 'start_date_time');
    const end = optionalDateTime(fields, 'end_date_time');
    if (start !== null && end !== null && Date.parse(end) < Date.parse(start)) throw new AppFieldError('end_date_time', 'must not be before start_date_time');
    ctx.lineItem = {
      label: requiredText(fields, 'label'),
      score_maximum: numberField(fields, 'score_maximum', { above: 0, required: true })!,
      resource_id: optionalText(fields, 'resource_id'),
      tag: optionalText(fields, 'tag'),
      resource_link_id: optionalText(fields, 'resource_link_id'),
      start_date_time: start,
      end_date_time: end,
    };
  },
};
