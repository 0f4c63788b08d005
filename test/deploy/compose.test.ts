/**
 * The deployment files, checked without Docker (none runs in CI): docker-compose.yml is parsed with
 * a YAML parser (anchors and `<<` merges resolved, as Compose does), and its raw text is searched
 * for every `${VAR}` it interpolates. The variables must all be documented in .env.example, and so
 * must every variable the configuration reads.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

const compose = read('docker-compose.yml');
const dockerfile = read('Dockerfile');
const envExample = read('.env.example');
const dockerignore = read('.dockerignore');

/** Variables .env.example documents, set (`NAME=`) or commented out with their default (`# NAME=…`). */
const documented = new Set([...envExample.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));

/** `${VAR}`, `${VAR:-default}`, `${VAR:?message}` and `$VAR` references (`$$` escapes a dollar). */
function composeVariables(text: string): string[] {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('#')) continue;
    const unescaped = line.replace(/\$\$/g, '');
    for (const m of unescaped.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(?::?[-?+])[^}]*)?\}/g))
      names.add(m[1]!);
    for (const m of unescaped.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]!);
  }
  return [...names];
}

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  env_file?: string;
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

/** docker-compose.yml as Compose reads it: `<<: *sellify` merged into the services. */
const composeFile = parseYaml(compose, { merge: true }) as ComposeFile;

/** Variables the code reads: every env name src/config.ts parses, and `process.env.X` outside test helpers. */
function codeVariables(): { config: string[]; direct: string[] } {
  const config = [
    ...read('src/config.ts').matchAll(/\(env, '([A-Z][A-Z0-9_]*)'|\['\w+', '([A-Z][A-Z0-9_]*)'\]/g),
  ].map((m) => (m[1] ?? m[2])!);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|js)$/.test(entry.name)) files.push(path);
    }
  };
  walk(join(ROOT, 'src'));
  walk(join(ROOT, 'bin'));
  const direct = new Set<string>();
  for (const file of files) {
    // Test files and the helpers only tests load (a crash child process, test fixtures) are not configuration.
    if (/\.test\.ts$|testing\.ts$|crash-child\.ts$/.test(file)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(
      /process\.env\.([A-Z][A-Z0-9_]*)|process\.env\[['"]([A-Z][A-Z0-9_]*)['"]\]/g,
    )) {
      direct.add((m[1] ?? m[2])!);
    }
  }
  return { config, direct: [...direct] };
}

describe('.env.example', () => {
  it('documents every variable src/config.ts reads', () => {
    const { config } = codeVariables();
    // The scan must find the configuration, or this test would pass on nothing.
    expect(config).toEqual(
      expect.arrayContaining(['PORT', 'DATABASE_URL', 'SELLIFY_API_KEY', 'WHATSAPP_GRAPH_URL']),
    );
    expect(config.length).toBeGreaterThanOrEqual(20);
    expect(config.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('documents every process.env variable read directly by src/ and bin/', () => {
    expect(codeVariables().direct.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('gives each variable a comment line that names its default or says it is required', () => {
    const lines = envExample.split('\n');
    lines.forEach((line, i) => {
      if (!/^#? ?[A-Z][A-Z0-9_]*=/.test(line)) return;
      const comment = lines[i - 1] ?? '';
      expect(comment, line).toMatch(/^# \S/);
      expect(comment, line).not.toMatch(/^#? ?[A-Z][A-Z0-9_]*=/);
      expect(comment, line).toMatch(/Default|Required|docker-compose\.yml only|Unset in development/);
    });
  });

  it('holds no secret values', () => {
    for (const line of envExample.split('\n')) {
      const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      if (m) expect(m[2], `${m[1]} must be left empty in the example`).toBe('');
    }
  });
});

describe('docker-compose.yml', () => {
  const services = composeFile.services;
  const service = (name: string): ComposeService => {
    const found = services[name];
    if (found === undefined) throw new Error(`no service ${name}`);
    return found;
  };

  it('interpolates only variables documented in .env.example', () => {
    const used = composeVariables(compose);
    expect(used).toEqual(
      expect.arrayContaining([
        'POSTGRES_PASSWORD',
        'SELLIFY_DB_PASSWORD',
        'REDIS_PASSWORD',
        'SELLIFY_API_KEY',
        'SELLIFY_ENCRYPTION_KEY',
      ]),
    );
    expect(used.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('is indented with spaces and closes every variable placeholder on its line', () => {
    expect(compose).not.toMatch(/\t/);
    for (const line of compose.split('\n')) {
      expect(line, 'unclosed ${').not.toMatch(/\$\{[^}]*$/);
      expect(line, 'nested ${').not.toMatch(/\$\{[^}]*\$\{/);
    }
  });

  it('runs the API and the worker from the same image with their roles, both health-checked', () => {
    const api = service('api');
    const worker = service('worker');
    for (const s of [api, worker]) {
      expect(s.build).toBe('.');
      expect(s.env_file).toBe('.env');
      expect(s.environment?.NODE_ENV).toBe('production');
      expect(s.environment?.DATABASE_URL).toMatch(
        /^postgres:\/\/sellify:\$\{SELLIFY_DB_PASSWORD[^}]*\}@postgres:5432\/sellify$/,
      );
      expect(s.environment?.REDIS_URL).toMatch(/^redis:\/\/:\$\{REDIS_PASSWORD[^}]*\}@redis:6379/);
      expect(s.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
      // The image's HEALTHCHECK (GET /health on PORT) applies to both: the worker serves a probe.
      expect(s.healthcheck?.disable).not.toBe(true);
    }
    expect(api.command).toEqual(['node', 'bin/sellify.js', 'serve', '--role', 'api']);
    expect(worker.command).toEqual(['node', 'bin/sellify.js', 'serve', '--role', 'worker']);
    expect(api.ports).toEqual(['3000:3000']);
    expect(worker.ports).toBeUndefined();
  });

  it('has PostgreSQL 16 and Redis with health checks, the ones depends_on waits for', () => {
    const postgres = service('postgres');
    const redis = service('redis');
    expect(postgres.image).toMatch(/^postgres:16\b/);
    // Over TCP, so it fails while the image's first-start server runs the init script.
    expect(postgres.healthcheck?.test).toEqual([
      'CMD-SHELL',
      'pg_isready -h 127.0.0.1 -U sellify -d sellify',
    ]);
    expect(redis.image).toMatch(/^redis:/);
    // redis-cli ping exits 0 even on NOAUTH: the check must authenticate and look for PONG.
    expect(redis.healthcheck?.test).toEqual([
      'CMD-SHELL',
      'REDISCLI_AUTH="$$REDIS_PASSWORD" redis-cli ping | grep -q PONG',
    ]);
  });

  it('connects no service as the PostgreSQL superuser: Sellify and Evolution have their own roles and databases', () => {
    const postgres = service('postgres');
    // The superuser is not the role any application uses.
    expect(postgres.environment?.POSTGRES_USER).toBe('postgres');
    expect(postgres.volumes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^\.\/deploy\/postgres\/init-roles\.sh:\/docker-entrypoint-initdb\.d\/[\w-]+\.sh:ro$/,
        ),
      ]),
    );
    expect(postgres.environment?.SELLIFY_DB_PASSWORD).toMatch(/^\$\{SELLIFY_DB_PASSWORD/);
    // Only the postgres service knows the superuser's password.
    for (const [name, s] of Object.entries(services)) {
      if (name !== 'postgres') expect(JSON.stringify(s), name).not.toContain('POSTGRES_PASSWORD');
    }
    const evolution = service('evolution');
    const evolutionDb = evolution.environment?.DATABASE_CONNECTION_URI ?? '';
    expect(evolutionDb).toMatch(
      /^postgresql:\/\/evolution:\$\{EVOLUTION_DB_PASSWORD[^}]*\}@postgres:5432\/evolution\?/,
    );
    expect(JSON.stringify(evolution)).not.toMatch(/sellify:\$\{|\/sellify\?/);
  });

  it('gives the init script what the migrations need, and a Sellify role that is not superuser', () => {
    const script = read('deploy/postgres/init-roles.sh');
    expect(statSync(join(ROOT, 'deploy/postgres/init-roles.sh')).mode & 0o111).not.toBe(0);
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toMatch(/ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS/);
    // Migration 0001 creates sellify_app only when missing (CREATE ROLE needs CREATEROLE) and needs
    // to SET ROLE to it; its SECURITY DEFINER functions SET app.owner_access (PostgreSQL 15+).
    expect(script).toMatch(/CREATE ROLE sellify_app NOLOGIN NOSUPERUSER NOBYPASSRLS/);
    expect(script).toMatch(/GRANT sellify_app TO %I/);
    expect(script).toMatch(/GRANT SET ON PARAMETER app\.owner_access TO %I/);
    expect(script).toMatch(/REVOKE ALL ON DATABASE %I FROM PUBLIC/);
    expect(read('migrations/0001_init.sql')).toMatch(/CREATE ROLE sellify_app/);
  });

  it('asks every Redis client for REDIS_PASSWORD', () => {
    const redis = service('redis');
    expect(redis.command?.join(' ')).toMatch(/--requirepass "\$\$REDIS_PASSWORD"/);
    expect(redis.environment?.REDIS_PASSWORD).toMatch(/^\$\{REDIS_PASSWORD:\?/);
    const urls = [...compose.matchAll(/redis:\/\/(?:\$\{[^}]*\}|[^\s$])*/g)].map((m) => m[0]);
    expect(urls.length).toBeGreaterThanOrEqual(1);
    for (const url of urls) expect(url).toMatch(/^redis:\/\/:\$\{REDIS_PASSWORD[^}]*\}@redis:6379/);
  });

  it('keeps the optional Evolution gateway and Adminer behind profiles', () => {
    expect(service('evolution').profiles).toEqual(['evolution']);
    expect(service('evolution').image).toMatch(/^(evoapicloud|atendai)\/evolution-api:v2\./);
    expect(service('dbadmin').profiles).toEqual(['dbadmin']);
    for (const name of ['api', 'worker', 'postgres', 'redis'])
      expect(service(name).profiles, name).toBeUndefined();
  });

  it('declares every named volume a service mounts', () => {
    const mounted = Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0] ?? '')
      .filter((source) => /^[a-z][a-z0-9-]*$/.test(source));
    expect(mounted).toEqual(expect.arrayContaining(['sellify-data', 'postgres-data']));
    expect(mounted.filter((name) => !(name in composeFile.volumes))).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)];
  const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const instruction = (text: string, name: string) =>
    // An instruction continues on the next line after a trailing backslash.
    [...text.matchAll(new RegExp(`^${name}\\s+((?:[^\\n]*\\\\\\n)*[^\\n]*)`, 'gm'))].map((m) => m[1]!);

  it('builds in stages: production dependencies first, then a small runtime image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-(bookworm-slim|alpine)$/m);
    expect(dockerfile).toMatch(/RUN npm ci --omit=dev\b/);
    expect(final).toMatch(/^COPY --from=deps \/app\/node_modules \.\/node_modules$/m);
  });

  it('runs as a non-root user in the final stage', () => {
    const users = instruction(final, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  it('checks /health with node, serves port 3000 in production and keeps data in /data', () => {
    const health = instruction(final, 'HEALTHCHECK').join('\n');
    expect(health).toContain('CMD ["node", "-e"');
    expect(health).toContain('/health');
    expect(final).toMatch(/^ENV NODE_ENV=production\b/m);
    expect(final).toMatch(/SELLIFY_DATA_DIR=\/data\b/);
    expect(final).toMatch(/^EXPOSE 3000$/m);
    expect(final).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(final).toMatch(/^CMD \["node", "bin\/sellify\.js", "serve"\]$/m);
  });

  it('copies only paths that exist and that .dockerignore lets through', () => {
    const ignored = dockerignore
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('!'));
    for (const copy of instruction(dockerfile, 'COPY')) {
      if (copy.startsWith('--from=')) continue;
      const parts = copy.split(/\s+/);
      for (const source of parts.slice(0, -1)) {
        expect(existsSync(join(ROOT, source)), source).toBe(true);
        expect(
          ignored.filter((pattern) => pattern.replace(/^\*\*\//, '') === relative('.', source)),
          source,
        ).toEqual([]);
      }
    }
    // The runtime needs these: the CLI entry, the compiled build, the SQL, and package.json (which
    // locates the package root and gives the OpenAPI version). Not the TypeScript sources.
    const copied = instruction(final, 'COPY').join(' ');
    for (const needed of ['bin', 'migrations', 'package.json']) expect(copied, needed).toContain(needed);
    expect(final).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(final).not.toMatch(/^COPY src\b/m);
    expect(ignored).toEqual(expect.arrayContaining(['.env', '.git', 'data', 'dist']));
  });

  it('compiles in a build stage; the runtime needs neither TypeScript nor tsx', () => {
    const build = dockerfile.slice(
      dockerfile.indexOf(' AS build'),
      dockerfile.indexOf('\nFROM ', dockerfile.indexOf(' AS build')),
    );
    expect(build).toMatch(/^RUN npm ci --ignore-scripts\b/m);
    expect(build).toMatch(/^RUN npm run build$/m);
    // The production install skips "prepare" (the build needs TypeScript, a dev dependency).
    expect(dockerfile).toMatch(/RUN npm ci --omit=dev --ignore-scripts\b/);
    const pkg = JSON.parse(read('package.json')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
      bin: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
    expect(pkg.dependencies.typescript).toBeUndefined();
    expect(pkg.bin.sellify).toBe('bin/sellify.js');
    expect(pkg.scripts.start).toBe('node bin/sellify.js serve');
    expect(pkg.scripts.prepare).toContain('bin/build.js');
    expect(read('bin/sellify.js')).not.toContain('tsx');
    expect(read('bin/build.js')).toContain("join(ROOT, 'dist', 'cli', 'main.js')");
  });
});
