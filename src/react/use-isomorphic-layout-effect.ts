import { useEffect, useLayoutEffect } from 'react'

// Layout effects run before the browser paints and before any event can reach a callback; on the server neither
// kind runs, and React 18 warns about useLayoutEffect there.
export const useIsomorphicLayoutEffect = typeof document !== 'undefined' ? useLayoutEffect : useEffect
