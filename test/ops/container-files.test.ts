/**
 * The Dockerfile and docker-compose.yml, read as data: what a production image and a deployment need
 * is there (non-root, an init process, a health check, no dev dependencies, compiled JavaScript;
 * Redis with AOF and noeviction and a health check; bot and worker services that scale apart; a demo
 * profile), and every variable the services set is a documented setting in .env.example.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configFields } from '../../src/platforms/config.js';
import { instructions, parseDockerfile } from '../helpers/dockerfile.js';

const read = (f: string) => readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8');
const stages = parseDockerfile(read('Dockerfile'));
const runtime = stages.at(-1)!;
const envExample = new Set([...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));

interface Service {
  image?: string;
  build?: { context: string; target?: string };
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  ports?: string[];
  stop_grace_period?: string;
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

describe('Dockerfile', () => {
  it('builds in one stage and runs compiled JavaScript without dev dependencies in the last', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'demo', 'runtime']);
    const build = stages[0]!;
    expect(instructions(build, 'RUN').map((r) => r.rest)).toContain('npm run build');
    expect(JSON.parse(read('package.json')).scripts.build).toBe('tsc -p tsconfig.build.json');
    const runs = instructions(runtime, 'RUN').map((r) => r.rest);
    expect(runs.some((r) => /\bnpm ci --omit=dev\b/.test(r))).toBe(true);
    expect(instructions(runtime, 'COPY').map((c) => `${c.flags.from ?? ''} ${c.rest}`)).toEqual([' package.json package-lock.json ./', 'build /app/dist ./dist', ' bin ./bin']);
    expect(runtime.instructions.find((i) => i.op === 'CMD')?.exec).toEqual(['node', 'dist/src/cli.js', 'start']);
    expect(runtime.instructions.find((i) => i.op === 'ENV')?.rest).toMatch(/NODE_ENV=production/);
  });

  it('uses a current Node LTS slim base, a non-root user, an init process and a health check', () => {
    for (const s of stages.filter((x) => x.name !== 'demo')) {
      const [, major] = /^node:(\d+)-[a-z]+-slim$/.exec(s.from) ?? [];
      expect(Number(major) % 2, s.from).toBe(0); // even majors are the LTS lines
      expect(Number(major)).toBeGreaterThanOrEqual(22);
    }
    const users = instructions(runtime, 'USER');
    expect(users.at(-1)?.rest).toBe('node');
    expect(runtime.instructions.find((i) => i.op === 'ENTRYPOINT')?.exec).toEqual(['/usr/bin/tini', '--']);
    expect(instructions(runtime, 'RUN').some((r) => /apt-get install .*\btini\b/.test(r.rest))).toBe(true);
    const hc = runtime.instructions.find((i) => i.op === 'HEALTHCHECK')!;
    expect(hc.flags).toMatchObject({ interval: expect.any(String), timeout: expect.any(String) });
    expect(hc.rest).toMatch(/^CMD \[/);
    expect(hc.rest).toContain('/healthz');
  });

  it('keeps secrets and local state out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const p of ['.env', 'node_modules', 'dist', '.git']) expect(ignored).toContain(p);
    expect(ignored).toContain('!.env.example');
  });
});

describe('docker-compose.yml', () => {
  it('runs Redis 7 with AOF, noeviction and a health check', () => {
    const redis = services.redis!;
    expect(redis.image).toMatch(/^redis:7/);
    const cmd = redis.command!.join(' ');
    expect(cmd).toMatch(/--appendonly yes/);
    expect(cmd).toMatch(/--maxmemory-policy noeviction/);
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('has bot and worker services from the runtime image that wait for a healthy Redis and scale apart', () => {
    for (const [name, role] of [['bot', 'bot'], ['worker', 'worker']] as const) {
      const s = services[name]!;
      expect(s.build?.target).toBe('runtime');
      expect(s.environment?.ROLE).toBe(role);
      expect(s.environment?.REDIS_URL).toBe('redis://redis:6379');
      expect(s.depends_on?.redis?.condition).toBe('service_healthy');
      expect(s.profiles).toBeUndefined();
      // Longer than main.ts's 20 s graceful stop, so running turns are handed back, not killed.
      expect(Number.parseInt(s.stop_grace_period ?? '10', 10)).toBeGreaterThan(20);
    }
    // `--scale worker=N` needs a worker without a fixed host port.
    expect(services.worker!.ports).toBeUndefined();
  });

  it('has a demo profile with the simulator and the console bot, no accounts needed', () => {
    expect(services.demo?.profiles).toEqual(['demo']);
    expect(services.sim?.profiles).toEqual(['demo']);
    expect(services.demo?.build?.target).toBe('demo');
    expect(services.demo?.environment?.NEMO_API_URL).toBe('http://sim:4010');
    const demoEnv = Object.keys(services.demo?.environment ?? {});
    expect(demoEnv.some((k) => /TOKEN/.test(k))).toBe(false);
  });

  it('sets only documented settings, each one in .env.example', () => {
    const documented = new Set(Object.keys(configFields));
    for (const [name, s] of Object.entries(services)) {
      if (name === 'redis' || name === 'sim') continue; // their own programs' settings
      for (const key of Object.keys(s.environment ?? {})) {
        expect(documented.has(key), `${name}: ${key}`).toBe(true);
        expect(envExample.has(key), `${name}: ${key} in .env.example`).toBe(true);
      }
    }
    // What the comments tell an operator to put in .env, and what the image sets.
    for (const key of ['TELEGRAM_BOT_TOKEN', 'DISCORD_TOKEN', 'NEMO_TOKEN', 'HEALTH_PORT']) expect(envExample.has(key), key).toBe(true);
    const imageEnv = [...runtime.instructions.filter((i) => i.op === 'ENV').flatMap((i) => [...i.rest.matchAll(/([A-Z_]+)=/g)].map((m) => m[1]!))];
    for (const key of imageEnv.filter((k) => k !== 'NODE_ENV')) expect(envExample.has(key), key).toBe(true);
  });
});
