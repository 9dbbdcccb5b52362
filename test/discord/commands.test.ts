/**
 * Slash command registration against the fake: one bulk PUT when the set changed, none when it is
 * already there, guild or global scope, and the application id from config or the API.
 */
import { REST } from '@discordjs/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApplicationId, syncSlashCommands } from '../../adapters/discord/index.js';
import { silentLogger } from '../../src/log.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { discordConfig, startTestBot, uniquePrefix } from './helpers.js';

let fake: FakeDiscord;
let rest: REST;
beforeAll(async () => {
  fake = await startFakeDiscord();
  rest = new REST({ api: fake.restUrl, version: '10' }).setToken(fake.token);
});
afterAll(async () => fake?.close());

const puts = (route: string) => fake.calls.filter((c) => c.method === 'PUT' && c.route === route);

describe('registration', () => {
  it('registers guild commands once at start-up and does not PUT them again on the next start', async () => {
    const route = '/applications/:app/guilds/:guild/commands';
    const first = await startTestBot(fake, 'cmd', { DISCORD_GUILD_ID: fake.guild.id });
    await first.stop();
    expect(puts(route)).toHaveLength(1);
    const stored = fake.world.commands.get(`guild:${fake.guild.id}`)!;
    expect(stored.map((c) => c.name)).toEqual(['video', 'export', 'credits', 'status', 'new', 'cancel', 'jobs', 'show', 'login', 'logout', 'admin', 'lang', 'help']);
    expect(stored.find((c) => c.name === 'show')!.options).toMatchObject([{ name: 'id', type: 3, required: true }]);
    expect(stored[0]!.name_localizations).toEqual({ 'zh-CN': '视频', 'zh-TW': '影片' });
    expect(stored[0]!.description_localizations).toMatchObject({ 'zh-CN': '根据描述（和图片）生成视频' });

    const second = await startTestBot(fake, 'cmd', { DISCORD_GUILD_ID: fake.guild.id });
    await second.stop();
    expect(puts(route)).toHaveLength(1);
    const gets = fake.calls.filter((c) => c.method === 'GET' && c.route === route);
    expect(gets.at(-1)!.query).toEqual({ with_localizations: 'true' });
    expect(second.logs.text()).toContain('slash commands already registered');
  });

  it('registers globally (usable in DMs) when no guild is configured', async () => {
    const route = '/applications/:app/commands';
    expect(await syncSlashCommands({ rest, applicationId: fake.applicationId, logger: silentLogger })).toBe('updated');
    expect(await syncSlashCommands({ rest, applicationId: fake.applicationId, logger: silentLogger })).toBe('unchanged');
    expect(puts(route)).toHaveLength(1);
    const video = fake.world.commands.get('global')!.find((c) => c.name === 'video')!;
    expect(video.contexts).toEqual([0, 1]);
    expect(video.options).toEqual([
      expect.objectContaining({ name: 'prompt', type: 3, required: true }),
      expect.not.objectContaining({ required: true }),
    ]);
  });

  it('PUTs again when a command changed', async () => {
    const key = `guild:${fake.guild.id}`;
    fake.world.commands.set(key, fake.world.commands.get(key)!.map((c) => (c.name === 'help' ? { ...c, description: 'outdated' } : c)));
    const before = puts('/applications/:app/guilds/:guild/commands').length;
    expect(await syncSlashCommands({ rest, applicationId: fake.applicationId, guildId: fake.guild.id, logger: silentLogger })).toBe('updated');
    expect(puts('/applications/:app/guilds/:guild/commands')).toHaveLength(before + 1);
  });
});

describe('application id', () => {
  it('comes from DISCORD_APPLICATION_ID, else from GET /applications/@me', async () => {
    const before = fake.calls.filter((c) => c.route === '/applications/@me').length;
    const fromConfig = discordConfig(fake, uniquePrefix('cmd'), { DISCORD_APPLICATION_ID: '123456789012345678' });
    expect(await resolveApplicationId(rest, fromConfig)).toBe('123456789012345678');
    expect(fake.calls.filter((c) => c.route === '/applications/@me')).toHaveLength(before);
    expect(await resolveApplicationId(rest, discordConfig(fake, uniquePrefix('cmd')))).toBe(fake.applicationId);
  });

  it('explains a rejected token', async () => {
    const bad = new REST({ api: fake.restUrl, version: '10' }).setToken('MTIz.bad.token');
    await expect(resolveApplicationId(bad, discordConfig(fake, uniquePrefix('cmd')))).rejects.toThrow(/DISCORD_TOKEN was rejected/);
  });
});
