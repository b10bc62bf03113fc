/**
 * The Authorization header for `url` from MODELMON_ENDPOINT_TOKENS, a JSON object of origin to
 * bearer token (`{"https://models.example.com": "..."}`). Tokens are bound to origins by the
 * user, so a workspace config that names another URL can never receive them.
 */
export function credentialHeaders(url: string, env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  const raw = env.MODELMON_ENDPOINT_TOKENS;
  if (!raw) return undefined;
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return undefined;
  }
  try {
    const tokens = JSON.parse(raw) as unknown;
    if (typeof tokens !== 'object' || tokens === null) return undefined;
    const token = (tokens as Record<string, unknown>)[origin];
    return typeof token === 'string' && token ? { authorization: `Bearer ${token}` } : undefined;
  } catch {
    // A malformed variable is ignored rather than echoed: it holds secrets.
    return undefined;
  }
}
