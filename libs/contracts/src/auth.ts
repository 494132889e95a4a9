import { z } from 'zod';

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
    displayName: z.string().min(1).max(80),
    role: roleSchema,
    grade: gradeSchema.optional(),
    password: passwordSchema,
  })
  .refine((user) => (user.role === 'trainer') === (user.grade !== undefined), {
    message: 'a trainer needs a grade, and only trainers have one',
    path: ['grade'],
  });
export type CreateUserRequest = z.infer<typeof createUserRequestSchema>;
