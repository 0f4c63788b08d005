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
// Schema → TypeScript

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function propertyName(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

function docComment(text: string | undefined, indent: string): string {
  if (text === undefined || text.trim() === '') return '';
  const lines = text.replace(/\*\//g, '*\\/').trim().split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

/** A type usable as an array element or union member without changing its meaning. */
function wrap(type: string): string {
  return /[|&]/.test(type) ? `(${type})` : type;
}

function union(members: string[]): string {
  const unique = [...new Set(members)];
  return unique.length === 0 ? 'never' : unique.join(' | ');
}

/**
 * Titled schemas become named types; the same title on a different schema (which the server
 * does not do today) is inlined rather than named twice, so generation never fails on it.
 */
class Namer {
  readonly named = new Map<string, { key: string; schema: JsonSchema }>();

  nameOf(schema: JsonSchema): string | undefined {
    if (schema.title === undefined || !IDENTIFIER.test(schema.title)) return undefined;
    const key = JSON.stringify(schema);
    const existing = this.named.get(schema.title);
    if (existing === undefined) {
      this.named.set(schema.title, { key, schema });
      return schema.title;
    }
    return existing.key === key ? schema.title : undefined;
  }
}

function typeOf(schema: JsonSchema | boolean | undefined, namer: Namer, indent: string, top = false): string {
  if (schema === undefined || schema === true) return 'unknown';
  if (schema === false) return 'never';
  if (!top) {
    const name = namer.nameOf(schema);
    if (name !== undefined) return name;
  }
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum !== undefined) return union(schema.enum.map((v) => JSON.stringify(v)));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined) return union(alternatives.map((s) => wrap(typeOf(s, namer, indent))));
  if (Array.isArray(schema.type)) {
    return union(
      schema.type.map((t) => wrap(typeOf({ ...schema, type: t, title: undefined }, namer, indent))),
    );
  }
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `${wrap(typeOf(schema.items, namer, indent))}[]`;
    case 'object':
      return objectType(schema, namer, indent);
    default:
      return 'unknown';
  }
}

function objectType(schema: JsonSchema, namer: Namer, indent: string): string {
  const properties = Object.entries(schema.properties ?? {});
  const extra = schema.additionalProperties;
  if (properties.length === 0) {
    if (extra === false) return 'Record<string, never>';
    return `Record<string, ${extra === undefined || extra === true ? 'unknown' : typeOf(extra, namer, indent)}>`;
  }
  const required = new Set(schema.required ?? []);
  const inner = `${indent}  `;
  let out = '{\n';
  for (const [name, prop] of properties) {
    out += docComment(prop.description, inner);
    out += `${inner}${propertyName(name)}${required.has(name) ? '' : '?'}: ${typeOf(prop, namer, inner)};\n`;
  }
  if (extra !== undefined && extra !== false && extra !== true) {
    // An index signature must admit the named properties too.
    const named = properties.map(([, p]) => typeOf(p, namer, inner));
    out += `${inner}[key: string]: ${union([typeOf(extra, namer, inner), ...named, 'undefined'])};\n`;
  }
  return `${out}${indent}}`;
}

function paramsType(params: Parameter[], namer: Namer, indent: string): string {
  if (params.length === 0) return 'Record<string, never>';
  const inner = `${indent}  `;
  let out = '{\n';
  for (const p of params) {
    out += docComment(p.description ?? p.schema?.description, inner);
    out += `${inner}${propertyName(p.name)}${p.required === true ? '' : '?'}: ${typeOf(p.schema, namer, inner)};\n`;
  }
  return `${out}${indent}}`;
}

function contentType(
  content: Record<string, { schema?: JsonSchema }> | undefined,
  namer: Namer,
  indent: string,
) {
  if (content === undefined) return 'undefined';
  const json = content['application/json'];
  if (json !== undefined) return typeOf(json.schema, namer, indent);
  // Text responses (/metrics): the client hands back the body as a string.
  return 'string';
}

/** The TypeScript source (unformatted) of client/src/generated.ts for `doc`. */
export function renderClientTypes(doc: OpenApiDocument): string {
  const namer = new Namer();
  const ops: string[] = [];
  const keys: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op === undefined) continue;
      const key = `${method.toUpperCase()} ${path}`;
      keys.push(key);
      const indent = '    ';
      const params = op.parameters ?? [];
      const body = op.requestBody?.content;
      const success = Object.entries(op.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
      let entry = docComment([op.summary, op.description].filter(Boolean).join('\n\n'), '  ');
      entry += `  ${JSON.stringify(key)}: {\n`;
      entry += `${indent}params: ${paramsType(
        params.filter((p) => p.in === 'path'),
        namer,
        indent,
      )};\n`;
      entry += `${indent}query: ${paramsType(
        params.filter((p) => p.in === 'query'),
        namer,
        indent,
      )};\n`;
      entry += `${indent}body: ${body === undefined ? 'never' : contentType(body, namer, indent)};\n`;
      if (success.length === 0) {
        // A stream (text/event-stream) has no JSON success body to type.
        entry += `${indent}responses: Record<string, never>;\n  };\n`;
      } else {
        entry += `${indent}responses: {\n`;
        for (const [status, response] of success) {
          entry += `${indent}  ${status}: ${contentType(response.content, namer, `${indent}  `)};\n`;
        }
        entry += `${indent}};\n  };\n`;
      }
      ops.push(entry);
    }
    // Error bodies are all the Problem schema: name it even though no success type uses it.
    for (const method of METHODS) {
      for (const response of Object.values(item[method]?.responses ?? {})) {
        for (const media of Object.values(response.content ?? {})) {
          if (media.schema !== undefined) typeOf(media.schema, namer, '');
        }
      }
    }
  }

  // Named types are rendered last because rendering the operations is what discovers them;
  // rendering one may discover more, so loop until none is new.
  const rendered = new Map<string, string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, { schema }] of namer.named) {
      if (rendered.has(name)) continue;
      grew = true;
      const type = typeOf(schema, namer, '', true);
      const doc = docComment(schema.description, '');
      rendered.set(
        name,
        type.startsWith('{')
          ? `${doc}export interface ${name} ${type}\n`
          : `${doc}export type ${name} = ${type};\n`,
      );
    }
  }
  const names = [...rendered.keys()].sort();

  return [
    '// Generated by scripts/generate-client-types.ts from the OpenAPI document of the Sellify API.',
    '// Do not edit: run `npm run client:types` after changing a route schema.',
    '',
    ...names.map((n) => rendered.get(n) ?? ''),
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
  return formatTypeScript(renderClientTypes(await loadOpenApiDocument()));
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
