/// <reference lib="es2024.string" />
import { z } from 'zod';

/**
 * Well-formed text at every boundary. A lone UTF-16 surrogate (a broken input method, an emoji cut in
 * half) cannot be encoded as UTF-8: JSON carries it as `\ud800`, and ClickHouse refuses every INSERT
 * holding one (CANNOT_PARSE_ESCAPE_SEQUENCE), which would stall a Kafka partition forever.
 *
 * Two rules, one per kind of boundary:
 * - `personText()`: where a person's typing enters our system (a customer's message, an agent's reply, a
 *   trainer's example), lone surrogates are repaired to U+FFFD, so the customer still gets an answer.
 *   `.overwrite()` rather than `.transform()`: the type stays `string` and the schema still encodes.
 * - `wellFormedString()`: what must already be well formed (every string of a ChatEvent, so a third-party
 *   producer's bad event is dead-lettered with the reason; ids, where repairing would merge two ids).
 */

export const LONE_SURROGATE_MESSAGE = 'contains a lone UTF-16 surrogate (not encodable as UTF-8)';

/** A string refused when it holds a lone surrogate. */
export function wellFormedString(): z.ZodString {
  return z.string().refine((value) => value.isWellFormed(), { message: LONE_SURROGATE_MESSAGE });
}

/** Text a person typed: lone surrogates become U+FFFD (same length, so bounds checked after still hold). */
export function personText(): z.ZodString {
  return z.string().overwrite((value) => value.toWellFormed());
}
