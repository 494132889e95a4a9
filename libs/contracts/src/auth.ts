import { z } from 'zod';
import { personText } from './well-formed';

/**
 * Users, roles and sessions (DESIGN.md "Roles"). Users live in ClickHouse as versioned rows; passwords
 * are hashed (bcrypt); a session is a signed token that expires. Walls read with a kiosk token instead.
 */

export const ROLES = ['agent', 'trainer', 'lead', 'manager', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** Trainer grades, lowest first: what a trainer may change grows with the grade. */
export const GRADES = ['assistant', 'junior', 'mid', 'senior'] as const;
export const gradeSchema = z.enum(GRADES);
export type Grade = z.infer<typeof gradeSchema>;

export const loginSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'expected a login of 2 to 64 lower-case letters, digits, ".", "_" or "-"');
/** Long enough to resist guessing; no composition rules (NIST SP 800-63B). */
export const passwordSchema = z.string().min(12, 'a password has at least 12 characters').max(128);

export const userSchema = z.strictObject({
  userId: z.string().min(1).max(64),
  login: loginSchema,
  displayName: z.string().min(1).max(80),
  role: roleSchema,
  /** Trainers only; null for every other role. */
  grade: gradeSchema.nullable(),
  disabled: z.boolean(),
});
export type User = z.infer<typeof userSchema>;

/** Who did something, as recorded beside every change. */
export const actorSchema = z.strictObject({ userId: z.string().min(1).max(64), login: z.string().min(1).max(64) });
export type Actor = z.infer<typeof actorSchema>;

export const loginRequestSchema = z.strictObject({ login: z.string().min(1).max(64), password: z.string().min(1).max(128) });
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const sessionResponseSchema = z.strictObject({
  token: z.string().min(1),
  expiresAt: z.iso.datetime({ offset: true }),
  user: userSchema,
  /** The first admin's one-time password must be replaced before anything else is allowed. */
  mustChangePassword: z.boolean(),
});
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

export const changePasswordRequestSchema = z.strictObject({ currentPassword: z.string().min(1).max(128), newPassword: passwordSchema });
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;

export const createUserRequestSchema = z
  .strictObject({
    login: loginSchema,
    displayName: personText().min(1).max(80),
    role: roleSchema,
    grade: gradeSchema.optional(),
    password: passwordSchema,
    /** The admin knows the password it sets, so by default the user must replace it at first sign-in. */
    mustChangePassword: z.boolean().optional(),
  })
  .refine((user) => (user.role === 'trainer') === (user.grade !== undefined), {
    message: 'a trainer needs a grade, and only trainers have one',
    path: ['grade'],
  });
export type CreateUserRequest = z.infer<typeof createUserRequestSchema>;

/**
 * An admin's change to a user (`PATCH /api/users/:id`); at least one field. Changing the role away from
 * trainer clears the grade; changing it to trainer needs a grade.
 */
export const updateUserRequestSchema = z
  .strictObject({
    displayName: personText().min(1).max(80).optional(),
    role: roleSchema.optional(),
    grade: gradeSchema.nullable().optional(),
    disabled: z.boolean().optional(),
  })
  .refine((change) => Object.values(change).some((value) => value !== undefined), { message: 'name at least one field to change' });
export type UpdateUserRequest = z.infer<typeof updateUserRequestSchema>;

export const userListSchema = z.strictObject({ users: z.array(userSchema) });
export type UserList = z.infer<typeof userListSchema>;

/** An admin lifted a user's sign-in locks (`POST /api/users/:id/unlock`): how many addresses were locked. */
export const unlockUserResponseSchema = z.strictObject({ user: userSchema, locksLifted: z.number().int().nonnegative() });
export type UnlockUserResponse = z.infer<typeof unlockUserResponseSchema>;

/**
 * An admin reset a user's password (`POST /api/users/:id/password-reset`): the one-time password, shown to
 * the admin once, which the user must replace at their next sign-in. Their locks are lifted too.
 */
export const passwordResetResponseSchema = z.strictObject({ user: userSchema, oneTimePassword: z.string().min(12) });
export type PasswordResetResponse = z.infer<typeof passwordResetResponseSchema>;

/** `service.verb` or `area.service.verb`, e.g. `user.create`, `auth.password_change`, `gap.dismiss`. */
export const auditActionSchema = z.string().regex(/^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/, 'expected an action like user.create');

/** Who changed what, when: one row of the append-only audit log. */
export const auditEntrySchema = z.strictObject({
  at: z.iso.datetime({ offset: true }),
  /** The user who did it; the first admin's creation is done by `{ userId: 'system', login: 'system' }`. */
  actor: actorSchema,
  action: auditActionSchema,
  /** What it was done to: a user id, a gap id, an answer id… */
  target: z.string().max(200),
  /** What changed (before/after, a reason); never a password or its hash. */
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  action: auditActionSchema.optional(),
  target: z.string().min(1).max(200).optional(),
  /** Entries strictly before this instant (paging back). */
  before: z.iso.datetime({ offset: true }).optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditListSchema = z.strictObject({ entries: z.array(auditEntrySchema) });
export type AuditList = z.infer<typeof auditListSchema>;
