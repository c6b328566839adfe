import { useQuery } from '@tanstack/react-query'

export interface ServerStats {
  openSockets: number
  tokensIssued: number
  serverUp: boolean
}

/** The reference server's counters, from the demo's control API, every second. */
export function useServerStats(): ServerStats | undefined {
  return useQuery({
    queryKey: ['demo', 'server-stats'],
    queryFn: async (): Promise<ServerStats> => (await fetch('/demo/api/stats')).json(),
    refetchInterval: 1000,
    networkMode: 'always',
  }).data
}
