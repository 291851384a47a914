/** A node name is part of a database name and a lock name: keep it short and plain. */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const SESSION_KEY = 'iscp/node-name';

/**
 * The tab's node name: `?node=NAME` wins, else the one this tab used before (sessionStorage survives a reload
 * but not a new tab), else a fresh random one. Remembered in sessionStorage so a reload is the same node.
 */
export function chooseNodeName(search: string, session: Storage, random: () => string): string {
  const fromUrl = new URLSearchParams(search).get('node');
  if (fromUrl !== null && !NODE_NAME_PATTERN.test(fromUrl)) {
    throw new Error(`node name '${fromUrl}' is not allowed: use 1–32 letters, digits, '-' or '_'`);
  }
  const name = fromUrl ?? session.getItem(SESSION_KEY) ?? `node-${random()}`;
  session.setItem(SESSION_KEY, name);
  return name;
}
