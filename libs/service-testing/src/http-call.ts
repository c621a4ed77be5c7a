/** Anything holding a running service, such as a service's test harness. */
export interface HasService {
  service: { baseUrl: string };
}

/** An HTTP call to the service; `key` sends it as that caller. */
export async function call(
  harness: HasService,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; rawBody?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${harness.service.baseUrl}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined || options.rawBody !== undefined ? { "content-type": "application/json" } : {}),
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
    },
    ...(options.rawBody !== undefined
      ? { body: options.rawBody }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
