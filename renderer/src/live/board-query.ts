import type { QueryClient } from '@tanstack/react-query';
import type { BoardView } from '../../../common/schema/api.ts';
import { api } from '../api/endpoints.ts';
import { keys } from '../api/keys.ts';
import { mergeBoardSnapshot } from './reducer.ts';

/**
 * The board query, wherever it is used: each fetched snapshot is merged with
 * the live values already in the cache, so an answer that crossed a live event
 * on its way never winds progress or readings back (see mergeBoardSnapshot).
 */
export function boardQuery(client: QueryClient) {
  return {
    queryKey: keys.board,
    queryFn: async (): Promise<BoardView> => {
      const fresh = await api.board();
      return mergeBoardSnapshot(client.getQueryData<BoardView>(keys.board), fresh);
    },
  };
}
