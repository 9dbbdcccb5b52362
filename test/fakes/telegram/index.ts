/**
 * Fake Telegram Bot API for tests: `const fake = await FakeTelegram.start({ token })`, point grammY's
 * `apiRoot` at `fake.url`, push user updates with `fake.userText(...)` & co, assert on `fake.calls`,
 * `fake.sent(chatId)` and `fake.waitFor(...)`.
 */
export { FakeTelegram, type ApiCall, type FakeTelegramOptions, type InjectedError, type WebhookDelivery } from './server.js';
export { FakeChats, type SentMessage, type FakeFile, type AlbumItem } from './chats.js';
export { autoEntities, groupChat, makeUser, privateChat, DEFAULT_PHOTO_SIZES, type FakeChat } from './builders.js';
export type { InlineKeyboard } from './schemas.js';
