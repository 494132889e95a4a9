import { QueryClient, type DefaultOptions } from '@tanstack/react-query';

/**
 * Server state for every screen (bulletproof-react's `lib/react-query.ts`): each `features/<x>/api/` file
 * holds its fetch function and the query or mutation hook around it; polling is a query's `refetchInterval`.
 */
export const queryConfig = {
  queries: {
    // A failed read shows as the screen's problem at once; the next poll is the retry.
    retry: false,
    refetchOnWindowFocus: false,
    // Desk screens keep polling in a background tab, so they are current when the trainer looks again.
    refetchIntervalInBackground: true,
  },
  mutations: { retry: false },
} satisfies DefaultOptions;

export function createQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: queryConfig });
}
