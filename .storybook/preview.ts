import { definePreview } from '@storybook/react-vite'
import addonMsw from 'msw-storybook-addon'

/** msw's worker starts once; each story adds its mock server's handlers, reset after the story. */
export default definePreview({
  addons: [addonMsw()],
  parameters: { layout: 'padded' },
})
