import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { FollowUpResult, OpenFollowUp } from '@warroom/contracts';
import { useState } from 'react';
import { errorText } from '../../../lib/api-client';
import { followUpsQueryOptions, markFollowUpDone } from '../api/follow-ups';

/** The follow-up list, polled, and marking one done (the list is read again at once). */
export function useFollowUps(token: string): {
  followUps: OpenFollowUp[];
  problem: string | null;
  busyId: string | null;
  markDone: (id: string, result: FollowUpResult) => Promise<void>;
} {
  const client = useQueryClient();
  const query = useQuery(followUpsQueryOptions(token));
  const [busyId, setBusyId] = useState<string | null>(null);
  const [actionProblem, setActionProblem] = useState<string | null>(null);
  const markDone = async (id: string, result: FollowUpResult): Promise<void> => {
    setBusyId(id);
    setActionProblem(null);
    try {
      await markFollowUpDone(token, id, result);
      await client.invalidateQueries({ queryKey: followUpsQueryOptions(token).queryKey });
    } catch (error) {
      setActionProblem(errorText(error));
    } finally {
      setBusyId(null);
    }
  };
  return {
    followUps: query.data?.followUps ?? [],
    problem: actionProblem ?? (query.error ? errorText(query.error) : null),
    busyId,
    markDone,
  };
}
