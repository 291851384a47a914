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
/**
 * The real hub. The app is built first (the hub serves dist/) unless E2E_SKIP_BUILD=1 says dist/ is fresh.
 * Multi-tab specs start a private hub per test as well (e2e/hub-process.ts says why).
 */
const HUB_CMD = `npx tsx src/hub/main.ts --port ${HUB_PORT} --memory --confirm-delay-ms 50`;
const BUILD_CMD = process.env.E2E_SKIP_BUILD === '1' ? 'true' : 'npm run --silent build';

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
    command: `${BUILD_CMD} && ${HUB_CMD}`,
    url: `http://127.0.0.1:${HUB_PORT}/api/hub`,
    reuseExistingServer: false,
    timeout: 240_000,
  },
});
