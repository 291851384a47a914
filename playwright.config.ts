import { defineConfig } from '@playwright/test';

/**
 * Browser tests run in Debian's Chromium (CHROMIUM_PATH overrides it). Flags: headless Chromium as root
 * needs --no-sandbox; loopback WebRTC between tabs needs --allow-loopback-in-peer-connection; the rest keeps
 * Chromium off the (closed) network.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
];
const HUB_PORT = Number(process.env.E2E_HUB_PORT ?? 8787);

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${HUB_PORT}`,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    permissions: ['camera', 'microphone'],
  },
  webServer: {
    command: `npx tsx src/hub/main.ts --port ${HUB_PORT} --memory --confirm-delay-ms 50`,
    url: `http://127.0.0.1:${HUB_PORT}/api/hub`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
