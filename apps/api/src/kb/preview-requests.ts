import { BOT_MAX_BODY_BYTES, type BotPreviewRequest } from '@warroom/contracts';

/** The patch alone (with no question) does not fit in one request the answer engine accepts. */
export class PreviewTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`the patch is too large to preview: ${bytes} bytes with no question, and the answer engine takes at most ${maxBytes}`);
    this.name = 'PreviewTooLargeError';
  }
}

/**
 * A preview as requests whose JSON body is at most `maxBytes` (the answer engine's limit, shared through
 * libs/contracts), the questions in order and each question in exactly one request; the bot answers a
 * larger body 413. Sizes are the UTF-8 bytes of the very JSON the request is sent as. A preview without
 * questions is still one request: the bot's ledger decides whether the patch itself would be applied.
 */
export function splitPreview(request: BotPreviewRequest, maxBytes = BOT_MAX_BODY_BYTES): BotPreviewRequest[] {
  // `{…,"questions":[]}`: each question adds its JSON string, and a comma after the first.
  const envelope = Buffer.byteLength(JSON.stringify({ ...request, questions: [] }));
  const parts: BotPreviewRequest[] = [];
  let questions: string[] = [];
  let bytes = envelope;
  for (const question of request.questions) {
    const size = Buffer.byteLength(JSON.stringify(question));
    if (envelope + size > maxBytes) throw new PreviewTooLargeError(envelope + size, maxBytes);
    const comma = questions.length > 0 ? 1 : 0;
    if (bytes + comma + size > maxBytes) {
      parts.push({ ...request, questions });
      questions = [];
      bytes = envelope;
    }
    bytes += (questions.length > 0 ? 1 : 0) + size;
    questions.push(question);
  }
  if (questions.length > 0 || parts.length === 0) parts.push({ ...request, questions });
  return parts;
}
