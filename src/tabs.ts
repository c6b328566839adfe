// `react-durable-iterator/tabs`: sharing streams across the tabs of a browser, as its own entry so that apps that
// do not share pay nothing for it. `<DurableIteratorProvider shareAcrossTabs={acrossTabs}>`.
export { acrossTabs, type TabSharing } from './connection/cross-tab/tab-sharing.js'
