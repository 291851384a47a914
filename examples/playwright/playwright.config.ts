import { defineConfig } from '@playwright/test';

/**
 * Debian's Chromium (CHROMIUM_PATH overrides it). --no-sandbox: headless Chromium as root;
 * --allow-loopback-in-peer-connection: WebRTC between tabs on one machine; the rest keeps Chromium off the network.
 * One worker: every committee is several real nodes, and a 2-core machine runs one committee at a time well.
 */
export default defineConfig({
  testDir: 'tests',
  timeout: 240_000,
  workers: 1,
  reporter: [['list']],
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--allow-loopback-in-peer-connection'],
    },
    permissions: ['camera', 'microphone'],
  },
});
