import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../src/openapi/document.js';

/**
 * Checks real HTTP responses against the OpenAPI document the server publishes: the status must
 * be documented for the operation, the content type declared for that status, and a JSON body
 * valid against its schema (JSON Schema 2020-12, as OpenAPI 3.1 has it). The api tests call
 * every route through `startTestGateway().request`, which runs this on each response, so a
 * route that answers something its document does not say fails the test that called it.
 */

type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const document = openApiDocument() as Json;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats.default(ajv);
ajv.addSchema(document, 'openapi.json');

/** Each documented path as a pattern; literal paths before templated ones (`/v1/account` before `/v1/accounts/{id}`). */
const operations = Object.entries(document.paths as Json)
  .map(([path, item]) => ({
    path,
    pattern: new RegExp(`^${path.replaceAll(/\{[^}]+\}/g, '[^/]+')}$`),
    params: (path.match(/\{/g) ?? []).length,
    item: item as Json,
  }))
  .sort((a, b) => a.params - b.params);

const compiled = new Map<string, ValidateFunction>();
function validatorAt(pointer: string): ValidateFunction {
  let validate = compiled.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `openapi.json#${pointer}` });
    compiled.set(pointer, validate);
  }
  return validate;
}

const pointerSegment = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/** Throws, naming the route and what differs, when `response` does not match the document. */
export async function assertDocumentedResponse(
  method: string,
  url: string,
  response: Response,
): Promise<void> {
  const path = new URL(url).pathname;
  const verb = method.toLowerCase();
  if (!METHODS.includes(verb)) return;
  const operation = operations.find((candidate) => candidate.pattern.test(path) && verb in candidate.item);
  const where = `${method.toUpperCase()} ${path} → ${response.status}`;
  if (!operation) {
    // An undocumented route must be the contract's 404.
    if (response.status === 404) return;
    throw new Error(`${where}: no operation of the OpenAPI document serves this path`);
  }
  const responses = operation.item[verb].responses as Json;
  const status = String(response.status);
  const documentedStatus = status in responses ? status : 'default' in responses ? 'default' : undefined;
  if (!documentedStatus) {
    throw new Error(
      `${where}: status ${status} is not documented for ${operation.path} (documented: ${Object.keys(responses).join(', ')})`,
    );
  }
  const content = (responses[documentedStatus].content ?? {}) as Json;
  const body = await response.clone().text();
  if (Object.keys(content).length === 0) {
    if (body !== '') throw new Error(`${where}: a body is sent where the document declares none`);
    return;
  }
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const declared = Object.keys(content).find((type) => type.split(';')[0]!.trim() === mediaType);
  if (declared === undefined) {
    throw new Error(
      `${where}: content type "${mediaType}" is not declared (declared: ${Object.keys(content).join(', ')})`,
    );
  }
  if (mediaType !== 'application/json' || !content[declared].schema) return;
  const pointer = [
    '',
    'paths',
    operation.path,
    verb,
    'responses',
    documentedStatus,
    'content',
    declared,
    'schema',
  ]
    .map(pointerSegment)
    .join('/');
  const validate = validatorAt(pointer);
  if (!validate(JSON.parse(body))) {
    throw new Error(
      `${where}: the body does not match the document: ${ajv.errorsText(validate.errors, { separator: '; ' })}\n${body.slice(0, 500)}`,
    );
  }
}
