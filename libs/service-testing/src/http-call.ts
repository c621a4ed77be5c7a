import { type ObservedAnswer, undocumentedAnswer } from "@voltstack/service-kit";

type OpenApiDocument = Parameters<typeof undocumentedAnswer>[0];

/** Anything holding a running service, such as a service's test harness. */
export interface HasService {
  service: { baseUrl: string };
}

// The document itself, served beside the operations it describes.
const SELF_DESCRIBED = /^\/docs(\/|$|\?)/;

const documents = new Map<string, Promise<OpenApiDocument>>();

/**
 * An HTTP call to the service; `key` sends it as that caller. The answer must be one the
 * service's own OpenAPI document promises for that operation (status, refusal code, body),
 * else the call throws, failing the test that received it.
 */
export async function call(
  harness: HasService,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; rawBody?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const { baseUrl } = harness.service;
  const response = await fetch(`${baseUrl}${path}`, {
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
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  await expectDocumentedAnswer(baseUrl, { method, path, status: response.status, body });
  return { status: response.status, body };
}

/** Fails unless the service at `baseUrl` documents this answer to this request. */
export async function expectDocumentedAnswer(baseUrl: string, answer: ObservedAnswer): Promise<void> {
  if (SELF_DESCRIBED.test(answer.path)) return;
  const problem = undocumentedAnswer(await documentOf(baseUrl), answer);
  if (problem) throw new Error(`Undocumented answer: ${problem}`);
}

function documentOf(baseUrl: string): Promise<OpenApiDocument> {
  let document = documents.get(baseUrl);
  if (!document) {
    document = fetch(`${baseUrl}/docs/json`).then(async (response) => {
      if (!response.ok) throw new Error(`${baseUrl}/docs/json answered ${response.status}`);
      return (await response.json()) as OpenApiDocument;
    });
    documents.set(baseUrl, document);
    // A failed fetch is not kept: the next call asks again.
    document.catch(() => documents.delete(baseUrl));
  }
  return document;
}
