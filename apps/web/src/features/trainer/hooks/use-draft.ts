import { useCallback, useEffect, useState } from 'react';
import { z } from 'zod';

/** What a trainer typed for one gap: kept in sessionStorage, so a conflict, a reconnect or a reload loses nothing. */
export const draftSchema = z.object({
  mode: z.enum(['add_examples', 'new_answer']),
  /** One example question per line. */
  examples: z.string(),
  /** add_examples: the answer the questions go to. */
  targetAnswerId: z.string(),
  /** Set after a conflict: publish on top of this revision instead of the one the answers list says. */
  rebaseRevision: z.number().int().nonnegative().nullable(),
  answerId: z.string(),
  topic: z.string(),
  stage: z.enum(['pre_sale', 'in_sale', 'after_sale']),
  text: z.string(),
  videoUrl: z.string(),
  /** `SKU | title | URL`, one per line. */
  products: z.string(),
  pack: z.enum(['shop', 'industry']),
});
export type Draft = z.infer<typeof draftSchema>;

const keyOf = (gapId: string) => `warroom.trainer.draft.${gapId}`;

function load(gapId: string): Draft | null {
  const raw = window.sessionStorage.getItem(keyOf(gapId));
  if (raw === null) return null;
  try {
    const parsed = draftSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The draft of one gap (mount one editor per gap): the saved one, else `initial()`; every change is saved at once. */
export function useDraft(gapId: string, initial: () => Draft): { draft: Draft; update: (change: Partial<Draft>) => void; saved: boolean } {
  const [state, setState] = useState<{ gapId: string; draft: Draft; saved: boolean }>(() => {
    const stored = load(gapId);
    return { gapId, draft: stored ?? initial(), saved: stored !== null };
  });
  useEffect(() => {
    if (!state.saved) return;
    window.sessionStorage.setItem(keyOf(state.gapId), JSON.stringify(state.draft));
  }, [state]);
  const update = useCallback((change: Partial<Draft>) => setState((previous) => ({ ...previous, draft: { ...previous.draft, ...change }, saved: true })), []);
  return { draft: state.draft, update, saved: state.saved };
}
