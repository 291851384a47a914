/**
 * The private hub of the e2e specs (e2e/test.ts) and the browser bench: the kit's (kit/hub.ts), so the repo's
 * own tests start hubs exactly as users' committee tests do. kit/hub.ts says why there is one per test.
 */
export { startPrivateHub as startHub, type PrivateHub as HubProcess } from '../kit/hub.ts';
