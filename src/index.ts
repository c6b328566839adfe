// The client entry (its build starts with 'use client'): the React hooks, on top of everything in `./core`.
export * from './core.js'
export { DurableIteratorProvider, type DurableIteratorProviderProps } from './react/DurableIteratorProvider.js'
export {
  type UseDurableEventIteratorOptions,
  type UseDurableEventIteratorResult,
  useDurableEventIterator,
} from './react/useDurableEventIterator.js'
