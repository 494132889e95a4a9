import { GRADES, type Grade, type Role, type User } from './auth';

/**
 * DESIGN.md "Roles" as pure functions of a user, shared by the api (which enforces them) and the web app
 * (which shows only what the user may do). A disabled user may do nothing. Trainers' grades rank
 * assistant < junior < mid < senior, and a lead ranks above every senior (everything a senior may, plus
 * dismissing gaps and rolling back any revision).
 *
 * | who                         | may                                                                   |
 * | --------------------------- | --------------------------------------------------------------------- |
 * | trainer (any grade), lead   | claim gaps, add example questions                                      |
 * | trainer junior and up, lead | write new answers                                                      |
 * | trainer senior, lead        | publish to the industry pack                                           |
 * | lead                        | dismiss gaps, roll back any revision                                   |
 * | manager                     | staffing reports and exports, campaign comparisons                     |
 * | admin                       | users, tokens, shops, campaigns, audit log                             |
 * | agent                       | the handoff queue and the bot's suggestions, answer, flag a question    |
 */

export type Subject = Pick<User, 'role' | 'grade' | 'disabled'>;
export type Permission = (user: Subject) => boolean;

/** What a gap asks for (its `suggestion.kind`): example questions for a near answer, or a new answer. */
export type GapWork = 'add_examples' | 'new_answer';

/** Rank on the trainers' ladder: grades 0–3, a lead 4; null off the ladder (or disabled). */
export function trainerRank(user: Subject): number | null {
  if (user.disabled) return null;
  if (user.role === 'lead') return GRADES.length;
  if (user.role === 'trainer' && user.grade !== null) return GRADES.indexOf(user.grade);
  return null;
}

function rankAtLeast(grade: Grade): Permission {
  const needed = GRADES.indexOf(grade);
  return (user) => {
    const rank = trainerRank(user);
    return rank !== null && rank >= needed;
  };
}

function roleIn(...roles: readonly Role[]): Permission {
  return (user) => !user.disabled && roles.includes(user.role);
}

export const canClaimGaps: Permission = rankAtLeast('assistant');
export const canAddExamples: Permission = rankAtLeast('assistant');
export const canWriteAnswers: Permission = rankAtLeast('junior');
export const canPublishToIndustry: Permission = rankAtLeast('senior');
/*
 * The rights that depend on the role alone come with their role lists: the routes' `@Allow(...)` spreads the
 * same list the permission function is made of, so a route and a service cannot disagree about who may.
 */
export const GAP_DISMISS_ROLES = ['lead'] as const satisfies readonly Role[];
export const canDismissGaps: Permission = roleIn(...GAP_DISMISS_ROLES);
export const canRollbackAny: Permission = roleIn('lead');
/** The trainers' desk (gaps, patches, the knowledge base): every trainer and lead; grades decide the rest. */
export const TRAINER_DESK_ROLES = ['trainer', 'lead'] as const satisfies readonly Role[];
export const canUseTrainerDesk: Permission = roleIn(...TRAINER_DESK_ROLES);
/**
 * Staffing reports, exports and campaign comparisons: the manager's, by DESIGN.md. Leads and admins are
 * not listed there (a lead's rights are a senior's plus dismiss and rollback; an admin's are users,
 * tokens, shops, campaigns and the audit log).
 */
export const REPORT_ROLES = ['manager'] as const satisfies readonly Role[];
export const canReadReports: Permission = roleIn(...REPORT_ROLES);
/**
 * The handoff queue, the bot's suggestions, answering customers and flagging questions for trainers: the
 * agents'. Leads may work the queue too (the agent console has admitted them from the start).
 */
export const HANDOFF_ROLES = ['agent', 'lead'] as const satisfies readonly Role[];
export const canWorkHandoffs: Permission = roleIn(...HANDOFF_ROLES);
export const ADMIN_ROLES = ['admin'] as const satisfies readonly Role[];
export const canAdmin: Permission = roleIn(...ADMIN_ROLES);
/** Live metrics and gaps: what a wall kiosk reads, so every signed-in user may. */
export const canReadLive: Permission = (user) => !user.disabled;

/** The grades that may take a gap of this kind (leads may take every gap). */
export function gradesThatMayTake(work: GapWork): Grade[] {
  const lowest: Grade = work === 'new_answer' ? 'junior' : 'assistant';
  return GRADES.slice(GRADES.indexOf(lowest));
}

/** Whether this user may take (claim and close) a gap whose `grades` are these. */
export function canTakeGap(user: Subject, grades: readonly Grade[]): boolean {
  if (trainerRank(user) === null) return false;
  if (user.role === 'lead') return true;
  return user.grade !== null && grades.includes(user.grade);
}

/** Whether this user may roll back a target whose current revision `author` published: a lead any, a writer their own. */
export function canRollBack(user: Subject & Pick<User, 'userId'>, author: string | null): boolean {
  return canRollbackAny(user) || (author === user.userId && canWriteAnswers(user));
}
