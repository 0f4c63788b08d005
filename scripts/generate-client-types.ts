/**
 * Writes client/src/generated.ts, the request and response types of every HTTP operation, from
 * the OpenAPI document the server builds out of its route schemas. The client package therefore
 * shares the server's types without importing server code, and test/client/generated.test.ts
 * regenerates the file in memory and fails when the committed one differs, so the two cannot
 * drift apart unnoticed.
 *
 *   npm run client:types            rewrite the file
 *   npm run client:types -- --check exit 1 if the file is out of date (CI)
 *
 * The app is booted in-process over an in-memory PGlite store: nothing listens, nothing is
 * written to disk. The output is formatted with the repository's Biome settings so that
 * `biome check` accepts it as is.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { loadConfig } from '../src/config.ts';
import { createKeyring, generateKey } from '../src/crypto/keyring.ts';
import { buildApp } from '../src/http/app.ts';
import { createMemoryLimiter } from '../src/ratelimit/memory.ts';
import { createStore, openDb } from '../src/store/index.ts';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Where the generated file lives, relative to the repository root (Biome resolves its settings from it). */
export const GENERATED_FILE = 'client/src/generated.ts';

/** The parts of JSON Schema the route schemas use (TypeBox output: no $ref, no allOf). */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
}

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

interface Operation {
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: JsonSchema }> }>;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema>; [section: string]: unknown };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Boots the app in memory and returns the document it serves at /openapi.json. */
export async function loadOpenApiDocument(): Promise<OpenApiDocument> {
  const db = await openDb({ dataDir: '', memory: true });
  const store = createStore(db, createKeyring(generateKey()));
  // The version is fixed so that a release bump does not change the generated file.
  const app = await buildApp({
    config: loadConfig({}),
    store,
    limiter: createMemoryLimiter(),
    collectDefaultMetrics: false,
    version: '0.0.0',
  });
  try {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`GET /openapi.json answered ${res.statusCode}`);
    return res.json() as OpenApiDocument;
  } finally {
    await app.close();
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Document → TypeScript: openapi-typescript renders `paths` and `components`; this script only
// names the titled schemas and maps each operation onto the `Operations` shape the client uses.

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Moves every titled schema (TypeBox inlines them: `title: 'Product'`) into `components.schemas`
 * and points its uses at it with a `$ref`, so openapi-typescript renders it once under its name.
 * Inner schemas are hoisted first; a title used for two different schemas (the server does not do
 * this today) stays inline the second time rather than naming two types alike. Returns a copy.
 */
export function hoistTitledSchemas(doc: OpenApiDocument): OpenApiDocument {
  const named = new Map<string, { key: string; schema: JsonSchema }>();
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (value === null || typeof value !== 'object') return value;
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = visit(v);
    const title = copy.title;
    if (typeof title !== 'string' || !IDENTIFIER.test(title) || !('type' in copy || 'anyOf' in copy)) {
      return copy;
    }
    const key = JSON.stringify(copy);
    const existing = named.get(title);
    if (existing === undefined) named.set(title, { key, schema: copy as JsonSchema });
    else if (existing.key !== key) return copy;
    return { $ref: `#/components/schemas/${title}` };
  };
  const paths = visit(doc.paths) as OpenApiDocument['paths'];
  const schemas: Record<string, JsonSchema> = {};
  for (const name of [...named.keys()].sort()) schemas[name] = named.get(name)?.schema ?? {};
  return {
    ...doc,
    paths,
    components: { ...doc.components, schemas: { ...doc.components?.schemas, ...schemas } },
  };
}

function docComment(text: string | undefined, indent: string): string {
  if (text === undefined || text.trim() === '') return '';
  const lines = text.replace(/\*\//g, '*\\/').trim().split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

/** Generic helpers the `Operations` entries are written with (part of the generated file). */
const HELPERS = `
/** Path or query parameters of an operation, \`Record<string, never>\` when it has none. */
type ParamsIn<Op, Where extends 'path' | 'query'> = Op extends { parameters: infer P }
  ? [NonNullable<P[Where & keyof P]>] extends [never]
    ? Record<string, never>
    : NonNullable<P[Where & keyof P]>
  : Record<string, never>;
/** The JSON request body of an operation, \`never\` when it takes none. */
type JsonBody<Op> = Op extends { requestBody?: infer B }
  ? [NonNullable<B>] extends [never]
    ? never
    : NonNullable<B> extends { content: { 'application/json': infer T } }
      ? T
      : never
  : never;
/** A response's body: its JSON, a string for text (/metrics), undefined when it has none (204). */
type ResponseBody<R> = R extends { content: { 'application/json': infer T } }
  ? T
  : R extends { content: Record<string, unknown> }
    ? string
    : undefined;
`;

/** The TypeScript source (unformatted) appended to openapi-typescript's output for `doc`. */
export function renderOperations(doc: OpenApiDocument, schemaNames: string[]): string {
  const ops: string[] = [];
  const keys: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op === undefined) continue;
      const key = `${method.toUpperCase()} ${path}`;
      keys.push(key);
      const ref = `paths[${JSON.stringify(path)}][${JSON.stringify(method)}]`;
      const success = Object.keys(op.responses ?? {}).filter((status) => /^2\d\d$/.test(status));
      let entry = docComment([op.summary, op.description].filter(Boolean).join('\n\n'), '  ');
      entry += `  ${JSON.stringify(key)}: {\n`;
      entry += `    params: ParamsIn<${ref}, 'path'>;\n`;
      entry += `    query: ParamsIn<${ref}, 'query'>;\n`;
      entry += `    body: JsonBody<${ref}>;\n`;
      // A stream (text/event-stream) has no success body to type.
      entry +=
        success.length === 0
          ? '    responses: Record<string, never>;\n'
          : `    responses: {\n${success
              .map((s) => `      ${s}: ResponseBody<${ref}['responses'][${s}]>;\n`)
              .join('')}    };\n`;
      ops.push(`${entry}  };\n`);
    }
  }
  return [
    ...schemaNames.map((n) => `export type ${n} = components['schemas'][${JSON.stringify(n)}];`),
    HELPERS,
    '/** Every operation by `METHOD path`: path parameters, query, JSON body and success responses by status. */',
    'export interface Operations {',
    ...ops,
    '}',
    '',
    '/** The operation keys, in the order the server registers them. */',
    `export const OPERATION_KEYS = [${keys.map((k) => JSON.stringify(k)).join(', ')}] as const;`,
    '',
  ].join('\n');
}

/** The TypeScript source (unformatted) of client/src/generated.ts for `doc`. */
export async function renderClientTypes(doc: OpenApiDocument): Promise<string> {
  const hoisted = hoistTitledSchemas(doc);
  const ast = await openapiTS(hoisted as unknown as Parameters<typeof openapiTS>[0]);
  return [
    '// Generated by scripts/generate-client-types.ts (openapi-typescript) from the OpenAPI document',
    '// of the Sellify API. Do not edit: run `npm run client:types` after changing a route schema.',
    '',
    astToString(ast),
    renderOperations(hoisted, Object.keys(hoisted.components?.schemas ?? {})),
  ].join('\n');
}

/** Formats TypeScript with the repository's Biome settings (the file must pass `biome check`). */
export function formatTypeScript(source: string, filePath = GENERATED_FILE): string {
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  const result = spawnSync(process.execPath, [biome, 'format', `--stdin-file-path=${filePath}`], {
    cwd: ROOT,
    input: source,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`biome format failed: ${result.stderr || result.stdout}`);
  return result.stdout;
}

/** The content client/src/generated.ts should have for the current server. */
export async function generateClientTypes(): Promise<string> {
  return formatTypeScript(await renderClientTypes(await loadOpenApiDocument()));
}

async function main(argv: string[]): Promise<number> {
  const target = `${ROOT}${GENERATED_FILE}`;
  const source = await generateClientTypes();
  if (argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // A missing file is simply out of date.
    }
    if (current === source) return 0;
    process.stderr.write(`${GENERATED_FILE} is out of date: run npm run client:types\n`);
    return 1;
  }
  writeFileSync(target, source);
  process.stdout.write(`wrote ${GENERATED_FILE}\n`);
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
