import { DEEP_LINKING_REQUEST, RESOURCE_LINK_REQUEST } from './claims.ts';
import type { CodeWithStatus } from './failureCodes.ts';

/**
 * The LTI message types a launch to this service may name in its `message_type` claim (LTI Core
 * 1.3 §5.3.1), and whether each is handled yet. A type not listed is refused as unsupported (400);
 * one listed but not yet handled is answered 501 with its own code and sentence. A message type is
 * taken on here: LtiDeepLinkingRequest (LTI Deep Linking 2.0) loses its `notYetHandled` when deep
 * linking is built, and gains its claim checks beside the resource link's.
 */
export interface MessageType {
  /** The `message_type` claim's value. */
  type: string;
  /** The standard that defines the message. */
  spec: string;
  /** Known but not handled yet: the failure a launch of this type ends with (status 501). */
  notYetHandled?: { code: CodeWithStatus<501>; message: string };
}

export const MESSAGE_TYPES: ReadonlyArray<MessageType> = [
  { type: RESOURCE_LINK_REQUEST, spec: 'LTI Core §5.3' },
  {
    type: DEEP_LINKING_REQUEST,
    spec: 'LTI Deep Linking 2.0',
    notYetHandled: {
      code: 'deep_linking_not_supported',
      message: 'Adding content from this tool (LTI Deep Linking) is not supported yet. Add the tool as a plain link instead.',
    },
  },
];

/** The registry's entry for a `message_type` claim's value, if this service knows it. */
export function messageType(value: unknown): MessageType | undefined {
  return MESSAGE_TYPES.find((m) => m.type === value);
}

/** The message types a launch is handled for, in the registry's order. */
export const HANDLED_MESSAGE_TYPES: readonly string[] = MESSAGE_TYPES.filter((m) => !m.notYetHandled).map((m) => m.type);

/** The codes a launch of a known but not yet handled message type ends with. */
export const NOT_YET_HANDLED_CODES: ReadonlyArray<CodeWithStatus<501>> = MESSAGE_TYPES.flatMap((m) => (m.notYetHandled ? [m.notYetHandled.code] : []));
