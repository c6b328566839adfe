import type { StorybookConfig } from '@storybook/react-vite'
import { mswWorkerPlugin } from './msw-worker-plugin.js'

const config: StorybookConfig = {
  framework: '@storybook/react-vite',
  stories: ['../stories/**/*.stories.tsx'],
  addons: ['@storybook/addon-vitest'],
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  viteFinal: (viteConfig) => ({ ...viteConfig, plugins: [...(viteConfig.plugins ?? []), mswWorkerPlugin()] }),
}

export default config
