import { canAddExamples, canPublishToIndustry, canRollBack, canWriteAnswers, type KbPatchOp, type Subject } from '@warroom/contracts';

/**
 * DESIGN.md "Roles" for one knowledge-base change: null when `who` may make it, else why not. The api checks
 * it before proposing; every reader checks it again against the rights a signed proposal states, so a
 * record naming a user who may not make that change is refused wherever it is read. `currentAuthorId` is
 * who published the target's current revision (a writer may roll back their own).
 */
export function patchRefusal(patch: KbPatchOp, who: Subject & { userId: string }, currentAuthorId: string | null): string | null {
  if (patch.op !== 'set_product_attribute' && patch.scope.pack === 'industry' && !canPublishToIndustry(who)) {
    return 'only senior trainers and leads publish to the industry pack';
  }
  switch (patch.op) {
    case 'add_examples':
      return canAddExamples(who) ? null : 'only trainers and leads add example questions';
    case 'rollback':
      return canRollBack(who, currentAuthorId) ? null : 'only a lead rolls back a revision someone else published';
    default:
      return canWriteAnswers(who) ? null : 'writing answers needs a junior trainer or above';
  }
}
