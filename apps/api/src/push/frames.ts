import { serverFrameSchema, type ServerEventMap } from '@warroom/contracts';

declare const encodedFrame: unique symbol;
/** One server frame as the text a socket sends: encoded once, sent to every viewer of a subscription. */
export type EncodedFrame = string & { readonly [encodedFrame]: true };

/**
 * Encodes `{event, data}` after checking it against the frame contract, so a frame that the wall would
 * refuse fails here, loudly, instead. A wrong payload for an event name fails to compile.
 */
export function encodeFrame<E extends keyof ServerEventMap>(event: E, data: ServerEventMap[E]): EncodedFrame {
  return JSON.stringify(serverFrameSchema.parse({ event, data })) as EncodedFrame;
}
