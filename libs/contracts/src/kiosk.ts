import { z } from 'zod';
import { personText } from './well-formed';

/**
 * Kiosk tokens of the wall screens (DESIGN.md "Roles"): admins issue one per screen, named after it, and
 * revoke it without a restart; a revoked screen closes within seconds. The token is shown once, when issued.
 */

export const kioskTokenIdSchema = z.string().regex(/^kt_[A-Za-z0-9_-]{8,64}$/, 'expected a kiosk token id like kt_…');

export const issueKioskTokenRequestSchema = z.strictObject({ name: personText().trim().min(1).max(80) });
export type IssueKioskTokenRequest = z.infer<typeof issueKioskTokenRequestSchema>;

export const kioskTokenSchema = z.strictObject({
  tokenId: kioskTokenIdSchema,
  /** The screen it is for, e.g. "3楼作战室大屏". */
  name: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  /** Login of the admin who issued it. */
  createdBy: z.string(),
  revokedAt: z.iso.datetime({ offset: true }).nullable(),
  revokedBy: z.string().nullable(),
});
export type KioskToken = z.infer<typeof kioskTokenSchema>;

/** The answer to issuing: the token itself, this once. */
export const issuedKioskTokenSchema = z.strictObject({ kioskToken: kioskTokenSchema, token: z.string().min(32) });
export type IssuedKioskToken = z.infer<typeof issuedKioskTokenSchema>;

export const kioskTokenListSchema = z.strictObject({ kioskTokens: z.array(kioskTokenSchema) });
export type KioskTokenList = z.infer<typeof kioskTokenListSchema>;
