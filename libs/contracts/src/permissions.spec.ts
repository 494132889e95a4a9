import { ROLES, type Grade, type Role } from './auth';
import { describe, expect, it } from 'vitest';
import {
  canAddExamples,
  canAdmin,
  canClaimGaps,
  canDismissGaps,
  canPublishToIndustry,
  canReadLive,
  canReadReports,
  canRollBack,
  canRollbackAny,
  canTakeGap,
  canUseTrainerDesk,
  canWorkHandoffs,
  canWriteAnswers,
  gradesThatMayTake,
  trainerRank,
  type Permission,
  type Subject,
} from './permissions';

const trainer = (grade: Grade): Subject => ({ role: 'trainer', grade, disabled: false });
const other = (role: Exclude<Role, 'trainer'>): Subject => ({ role, grade: null, disabled: false });

const PEOPLE: Record<string, Subject> = {
  assistant: trainer('assistant'),
  junior: trainer('junior'),
  mid: trainer('mid'),
  senior: trainer('senior'),
  lead: other('lead'),
  agent: other('agent'),
  manager: other('manager'),
  admin: other('admin'),
};

/** The DESIGN.md "Roles" table, written out by hand: who may do what. */
const EXPECTED: [name: string, permission: Permission, allowed: string[]][] = [
  ['claim gaps', canClaimGaps, ['assistant', 'junior', 'mid', 'senior', 'lead']],
  ['add examples', canAddExamples, ['assistant', 'junior', 'mid', 'senior', 'lead']],
  ['write answers', canWriteAnswers, ['junior', 'mid', 'senior', 'lead']],
  ['publish to industry', canPublishToIndustry, ['senior', 'lead']],
  ['dismiss gaps', canDismissGaps, ['lead']],
  ['roll back any revision', canRollbackAny, ['lead']],
  ['use the trainers\' desk', canUseTrainerDesk, ['assistant', 'junior', 'mid', 'senior', 'lead']],
  ['read reports', canReadReports, ['manager']],
  ['work handoffs', canWorkHandoffs, ['lead', 'agent']],
  ['administer', canAdmin, ['admin']],
  ['read live metrics', canReadLive, Object.keys(PEOPLE)],
];

describe('permissions (DESIGN.md "Roles")', () => {
  for (const [name, permission, allowed] of EXPECTED) {
    it(`${name}: ${allowed.join(', ')}`, () => {
      const actual = Object.entries(PEOPLE)
        .filter(([, person]) => permission(person))
        .map(([who]) => who);
      expect(actual).toEqual(allowed);
    });
  }

  it('rolls back: a lead any revision, a writer (junior and up) their own only', () => {
    const me = (subject: Subject) => ({ ...subject, userId: 'u-me' });
    expect(canRollBack(me(PEOPLE.lead as Subject), 'u-someone')).toBe(true);
    expect(canRollBack(me(PEOPLE.junior as Subject), 'u-me')).toBe(true);
    expect(canRollBack(me(PEOPLE.junior as Subject), 'u-someone')).toBe(false);
    expect(canRollBack(me(PEOPLE.assistant as Subject), 'u-me')).toBe(false);
    expect(canRollBack(me(PEOPLE.senior as Subject), null)).toBe(false);
  });

  it('a disabled user may do nothing', () => {
    for (const person of Object.values(PEOPLE)) {
      for (const [, permission] of EXPECTED) expect(permission({ ...person, disabled: true })).toBe(false);
    }
  });

  it('a trainer without a grade (bad data) is off the ladder', () => {
    expect(trainerRank({ role: 'trainer', grade: null, disabled: false })).toBeNull();
    expect(canClaimGaps({ role: 'trainer', grade: null, disabled: false })).toBe(false);
  });

  it('leads rank above seniors; other roles are off the ladder', () => {
    expect(trainerRank(PEOPLE.lead as Subject)).toBeGreaterThan(trainerRank(PEOPLE.senior as Subject) as number);
    for (const role of ROLES.filter((r) => r !== 'trainer' && r !== 'lead')) expect(trainerRank(other(role as Exclude<Role, 'trainer'>))).toBeNull();
  });

  it('routes gaps by grade: examples to every grade, new answers to junior and above; leads take any', () => {
    expect(gradesThatMayTake('add_examples')).toEqual(['assistant', 'junior', 'mid', 'senior']);
    expect(gradesThatMayTake('new_answer')).toEqual(['junior', 'mid', 'senior']);
    const newAnswer = gradesThatMayTake('new_answer');
    expect(canTakeGap(trainer('assistant'), newAnswer)).toBe(false);
    expect(canTakeGap(trainer('junior'), newAnswer)).toBe(true);
    expect(canTakeGap(other('lead'), ['senior'])).toBe(true);
    expect(canTakeGap(other('admin'), newAnswer)).toBe(false);
    expect(canTakeGap({ ...trainer('senior'), disabled: true }, newAnswer)).toBe(false);
  });
});
