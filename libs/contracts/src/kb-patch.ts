import { z } from 'zod';
import { stageSchema } from './chat-event';
import { actorSchema, gradeSchema, roleSchema } from './auth';
import { answerIdSchema, kbAnswerSchema, kbReplySchema, packIdSchema, shopIdSchema, skuSchema } from './kb-pack';
import { personText, wellFormedString } from './well-formed';

/**
 * Knowledge-base patches (the live patch loop). A trainer's change is proposed on Kafka `kb.patches`
 * (one partition: the sequencer) with the revision of its target it was based on. Every reader (the api,
 * every bot) applies the log in order with one deterministic rule, so all replicas agree without a lock:
 * a patch whose base revision is not its target's current revision is rejected. `kb_revisions` in
 * ClickHouse records every decision (append-only) and is what the api rebuilds from after a restart.
 *
 * Revisions count per target: a target's first version carries its pack file's revision (a new answer's
 * is 1), every applied patch adds one; 0 means "does not exist yet" (the base of a new answer). A shop
 * sees an industry answer it does not override at the industry target's revision; its first shop-scope
 * patch creates the shop's own target from there.
 */

/** Which pack a patch changes: one shop's own pack, or the industry pack every shop of it shares. */
export const kbScopeSchema = z.discriminatedUnion('pack', [
  z.strictObject({ pack: z.literal('shop'), shopId: shopIdSchema }),
  z.strictObject({ pack: z.literal('industry'), industryId: packIdSchema }),
]);
export type KbScope = z.infer<typeof kbScopeSchema>;

const examples = z.array(personText().trim().min(1).max(200)).min(1).max(200);

export const kbPatchOpSchema = z.discriminatedUnion('op', [
  /** A new answer with its example questions. */
  z.strictObject({ op: z.literal('new_answer'), scope: kbScopeSchema, answer: kbAnswerSchema }),
  /** More example questions for an existing answer (what most gaps need). */
  z.strictObject({ op: z.literal('add_examples'), scope: kbScopeSchema, answerId: answerIdSchema, examples }),
  /** A new reply (and optionally stage) for an existing answer. */
  z.strictObject({ op: z.literal('edit_answer'), scope: kbScopeSchema, answerId: answerIdSchema, reply: kbReplySchema, stage: stageSchema.optional() }),
  /** One product's value for one industry attribute, keyed by SKU. */
  z.strictObject({ op: z.literal('set_product_attribute'), shopId: shopIdSchema, sku: skuSchema, attributeId: answerIdSchema, reply: kbReplySchema }),
  /** The answer stops being matched; its history stays. */
  z.strictObject({ op: z.literal('retire_answer'), scope: kbScopeSchema, answerId: answerIdSchema }),
  /** The answer as it was at `toRevision` becomes a new revision. */
  z.strictObject({ op: z.literal('rollback'), scope: kbScopeSchema, answerId: answerIdSchema, toRevision: z.number().int().positive() }),
]);
export type KbPatchOp = z.infer<typeof kbPatchOpSchema>;

/** What a trainer sends to `POST /api/kb/patches` and `POST /api/kb/preview`. */
export const patchRequestSchema = z.strictObject({
  patch: kbPatchOpSchema,
  /** The target's revision the trainer edited (0 for a new answer). */
  baseRevision: z.number().int().nonnegative(),
  /** The gap this patch closes, if any: it becomes `published` with the resulting revision. */
  gapId: wellFormedString().min(1).max(64).optional(),
});
export type PatchRequest = z.infer<typeof patchRequestSchema>;

/** An Ed25519 signature, base64 (64 bytes). */
const ed25519Signature = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'expected a base64 Ed25519 signature');

/**
 * A proposal as it travels on `kb.patches`. The api signs every proposal it writes with its deployment's
 * Ed25519 key, over the proposal without `signature` (`libs/knowledge` `kbSignedBytes`), and states the
 * author's role and grade as it checked them; every reader verifies both before the ledger sees the
 * proposal. Records written before the signing cut-over carry neither.
 */
export const kbPatchProposalSchema = z.strictObject({
  v: z.literal(1),
  patchId: z.uuid(),
  proposedAt: z.iso.datetime({ offset: true }),
  author: actorSchema,
  /** The author's rights when the api accepted the change (readers check the change against them). */
  rights: z.strictObject({ role: roleSchema, grade: gradeSchema.nullable() }).optional(),
  baseRevision: z.number().int().nonnegative(),
  gapId: wellFormedString().min(1).max(64).optional(),
  patch: kbPatchOpSchema,
  signature: ed25519Signature.optional(),
});
export type KbPatchProposal = z.infer<typeof kbPatchProposalSchema>;

/**
 * The signing cut-over, written (signed) once by the first api that signs: from its offset on, every reader
 * refuses an unsigned record; the unsigned records before it (the topic is kept forever) stay valid.
 */
export const kbSigningCutoverSchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal('signing_cutover'),
  cutoverId: z.uuid(),
  at: z.iso.datetime({ offset: true }),
  signature: ed25519Signature,
});
export type KbSigningCutover = z.infer<typeof kbSigningCutoverSchema>;

/** Anything on `kb.patches`: a proposal, or the signing cut-over. */
export const kbPatchRecordSchema = z.union([kbPatchProposalSchema, kbSigningCutoverSchema]);
export type KbPatchRecord = z.infer<typeof kbPatchRecordSchema>;

/** One version of one target, as the history and the 409 show it. */
export const kbTargetVersionSchema = z.strictObject({
  /** `shop:<shopId>/<answerId>`, `industry:<industryId>/<answerId>` or `product:<shopId>/<sku>/<attributeId>`. */
  target: z.string().min(1),
  revision: z.number().int().positive(),
  /** The content of the target at this revision; null once retired. */
  content: z
    .strictObject({
      stage: stageSchema.nullable(),
      reply: kbReplySchema,
      examples: z.array(z.string()),
    })
    .nullable(),
  /** Who and when; null for the version that came from the pack file. */
  author: actorSchema.nullable(),
  appliedAt: z.iso.datetime({ offset: true }).nullable(),
  patchId: z.uuid().nullable(),
  op: z.string(),
});
export type KbTargetVersion = z.infer<typeof kbTargetVersionSchema>;

/** One answer a shop sees, as `GET /api/kb/answers` lists them: the target a patch of it is based on, and its version. */
export const shopAnswerSchema = z.strictObject({ answerId: z.string(), target: z.string(), version: kbTargetVersionSchema });
export type ShopAnswer = z.infer<typeof shopAnswerSchema>;

/** A decision of the sequencer's rule about one proposal, as `kb_revisions` records it. */
export const kbPatchDecisionSchema = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('applied'), patchId: z.uuid(), offset: z.number().int().nonnegative(), version: kbTargetVersionSchema }),
  z.strictObject({
    status: z.literal('rejected'),
    patchId: z.uuid(),
    offset: z.number().int().nonnegative(),
    target: z.string(),
    reason: z.string(),
    /** The target's current version when the patch was rejected (null if it does not exist). */
    current: kbTargetVersionSchema.nullable(),
  }),
]);
export type KbPatchDecision = z.infer<typeof kbPatchDecisionSchema>;

/** What the preview of a patch found (replayed against the knowledge base with the patch applied). */
export const patchPreviewSchema = z.strictObject({
  /** Distinct normalised questions replayed (the gap's and the last 30 minutes'), at most `cap`. */
  replayed: z.number().int().nonnegative(),
  cap: z.number().int().positive(),
  capped: z.boolean(),
  /** Of the gap's questions: how many, and how many the patched knowledge base answers. */
  gapQuestions: z.strictObject({ total: z.number().int().nonnegative(), answered: z.number().int().nonnegative() }),
  /** Replayed questions unmatched now that the patch would answer. */
  newlyAnswered: z.number().int().nonnegative(),
  /** Every replayed question whose answer would change (answered → other answer or unmatched, too). */
  changed: z.array(
    z.strictObject({
      text: z.string(),
      before: z.string().nullable(),
      after: z.string().nullable(),
    }),
  ),
  tookMs: z.number().nonnegative(),
});
export type PatchPreview = z.infer<typeof patchPreviewSchema>;

/** The most questions one preview replays (the gap's plus the last 30 minutes' distinct ones). */
export const PREVIEW_CAP = 5_000;

/**
 * The largest request body the answer engine (apps/bot) accepts, in bytes: a chat message is far smaller.
 * The api splits a preview's questions into requests that fit it.
 */
export const BOT_MAX_BODY_BYTES = 100 * 1024;

/**
 * The answer engine's preview (`POST /api/kb/preview` on apps/bot, called by the api): replays questions
 * against its knowledge base as it is and with the patch applied, and says what each would be answered
 * with (the answer id, or null when unmatched).
 */
export const botPreviewRequestSchema = z.strictObject({
  shopId: shopIdSchema,
  patch: kbPatchOpSchema,
  baseRevision: z.number().int().nonnegative(),
  questions: z.array(personText().min(1).max(4000)).max(PREVIEW_CAP + 500),
});
export type BotPreviewRequest = z.infer<typeof botPreviewRequestSchema>;

export const botPreviewResponseSchema = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('applied'),
    outcomes: z.array(z.strictObject({ before: z.string().nullable(), after: z.string().nullable() })),
  }),
  /** The patch itself would be rejected by the ledger (stale base, unknown answer…). */
  z.strictObject({ status: z.literal('rejected'), reason: z.string() }),
]);
export type BotPreviewResponse = z.infer<typeof botPreviewResponseSchema>;

/** The answer engine's ranking of one text (`POST /api/kb/match` on apps/bot): no event, no session. */
export const botMatchRequestSchema = z.strictObject({
  shopId: shopIdSchema,
  text: personText().min(1).max(4000),
  topK: z.number().int().min(1).max(10).default(3),
});
export type BotMatchRequest = z.infer<typeof botMatchRequestSchema>;
export const botMatchResponseSchema = z.strictObject({
  matched: z.boolean(),
  candidates: z.array(z.strictObject({ answerId: z.string(), score: z.number().min(0).max(1) })),
});
export type BotMatchResponse = z.infer<typeof botMatchResponseSchema>;

/** `GET /api/kb/nearest?shop=&text=`: the existing answers nearest to a question, for the patch editor. */
export const nearestQuerySchema = z.strictObject({ shop: shopIdSchema, text: personText().trim().min(1).max(4000) });
export const nearestAnswerSchema = z.strictObject({
  answerId: z.string(),
  score: z.number().min(0).max(1),
  /** What a patch of it names, and the revision it is based on. */
  target: z.string(),
  revision: z.number().int().positive(),
  reply: kbReplySchema,
});
export type NearestAnswer = z.infer<typeof nearestAnswerSchema>;
