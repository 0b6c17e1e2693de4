import { LtiError } from '../../../lti/errors.ts';
import { acceptAllows, contentTypeIs, type AgsMediaType } from '../../../lti/services/ags.ts';
import type { Step } from '../context.ts';
import type { AgsContext } from './context.ts';

/** The answer's media type is one the request accepts (AGS 2.0 §3.2, §5.2; RFC 9110 §12.5.1). */
export function checkAccept(type: AgsMediaType): Step<AgsContext> {
  return {
    name: 'check_accept',
    spec: 'AGS 2.0 media types; RFC 9110 §12.5.1',
    codes: ['ags_media_type_not_acceptable'],
    run(ctx) {
      const accept = ctx.request.headers.accept;
      if (!acceptAllows(accept, type)) {
        throw new LtiError('ags_media_type_not_acceptable', 406, `This answer is ${type}: accept it (or */*).`).saying({ accept });
      }
    },
  };
}

/** The body is sent as its AGS media type (AGS 2.0 §3.2.5, §4.2), parameters such as charset aside. */
export function checkContentType(type: AgsMediaType): Step<AgsContext> {
  return {
    name: 'check_content_type',
    spec: 'AGS 2.0 media types',
    codes: ['ags_media_type_unsupported'],
    run(ctx) {
      const sent = ctx.request.headers['content-type'];
      if (!contentTypeIs(sent, type)) {
        throw new LtiError('ags_media_type_unsupported', 415, `Send this body as Content-Type: ${type}.`).saying({ 'content-type': sent });
      }
    },
  };
}
