/**
 * The fake Discord enforces the rules the adapter tests rely on: bot auth, one interaction
 * response within the window, token lifetime, payload validation, and rate-limit answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';

let fake: FakeDiscord;
beforeAll(async () => {
  fake = await startFakeDiscord({ ackWindowMs: 300, interactionTokenTtlMs: 600 });
});
afterAll(async () => fake?.close());

const api = (path: string, init: RequestInit & { json?: unknown; bot?: boolean } = {}) =>
  fetch(`${fake.restUrl}/v10${path}`, {
    ...init,
    headers: { ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...(init.bot === false ? {} : { authorization: `Bot ${fake.token}` }) },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });

describe('fake Discord', () => {
  it('serves gateway information and needs the bot token on bot routes', async () => {
    const info = (await (await api('/gateway/bot')).json()) as { url: string; shards: number; session_start_limit: { max_concurrency: number } };
    expect(info.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(info.shards).toBe(1);
    expect(info.session_start_limit.max_concurrency).toBe(1);
    expect((await api('/users/@me', { bot: false })).status).toBe(401);
  });

  it('answers an interaction once, within the window; the token dies later', async () => {
    const ix = fake.pushSlashCommand({ channelId: fake.channels.general, name: 'help' });
    const cb = (type: number) => api(`/interactions/${ix.id}/${ix.token}/callback`, { method: 'POST', json: { type }, bot: false });
    expect((await cb(5)).status).toBe(204);
    const again = await cb(5);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { code: number }).code).toBe(40060);
    const edit = await api(`/webhooks/${fake.applicationId}/${ix.token}/messages/%40original`, { method: 'PATCH', json: { content: 'hi' }, bot: false });
    expect(edit.status).toBe(200);

    const late = fake.pushSlashCommand({ channelId: fake.channels.general, name: 'help' });
    await new Promise((r) => setTimeout(r, 350));
    const lateRes = await api(`/interactions/${late.id}/${late.token}/callback`, { method: 'POST', json: { type: 5 }, bot: false });
    expect(((await lateRes.json()) as { code: number }).code).toBe(10062);

    await new Promise((r) => setTimeout(r, 300));
    const expired = await api(`/webhooks/${fake.applicationId}/${ix.token}/messages/@original`, { method: 'PATCH', json: { content: 'late' }, bot: false });
    expect(((await expired.json()) as { code: number }).code).toBe(50027);
  });

  it('rejects payloads Discord would reject', async () => {
    const tooLong = await api(`/channels/${fake.channels.general}/messages`, { method: 'POST', json: { content: 'x'.repeat(2001) } });
    expect(((await tooLong.json()) as { code: number }).code).toBe(50035);
    const empty = await api(`/channels/${fake.channels.general}/messages`, { method: 'POST', json: {} });
    expect(((await empty.json()) as { code: number }).code).toBe(50006);
    const badButton = await api(`/channels/${fake.channels.general}/messages`, {
      method: 'POST',
      json: { content: 'x', components: [{ type: 1, components: [{ type: 2, style: 2, label: 'no id' }] }] },
    });
    expect(badButton.status).toBe(400);
    const badCommand = await api(`/applications/${fake.applicationId}/commands`, { method: 'PUT', json: [{ name: 'Video', description: 'x' }] });
    expect(badCommand.status).toBe(400);
  });

  it('answers injected 429s with Discord rate-limit headers', async () => {
    fake.inject({ method: 'POST', route: '/channels/:id/typing', status: 429, retryAfter: 1.5 });
    const res = await api(`/channels/${fake.channels.general}/typing`, { method: 'POST' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1.5');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(((await res.json()) as { retry_after: number }).retry_after).toBe(1.5);
    expect((await api(`/channels/${fake.channels.general}/typing`, { method: 'POST' })).status).toBe(204);
  });
});
