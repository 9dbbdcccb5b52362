/**
 * Redis key names, in one place.
 *
 * Every key of one conversation carries the conversation in a `{hash tag}`, so on a Redis Cluster
 * they live in one slot and multi-key scripts over a conversation stay legal.
 */
export class Keys {
  constructor(readonly prefix: string) {}

  private conv(conv: string, what: string): string {
    return `${this.prefix}:c:{${conv}}:${what}`;
  }
  session(conv: string) {
    return this.conv(conv, 'session');
  }
  credential(conv: string) {
    return this.conv(conv, 'cred');
  }
  /** Set while the conversation is connecting (first token / session): the next answer says "ready". */
  ready(conv: string) {
    return this.conv(conv, 'ready');
  }
  credentialLock(conv: string) {
    return this.conv(conv, 'cred-lock');
  }
  /** FIFO of job ids that touch this conversation's Nemo session (turns, exports). */
  line(conv: string) {
    return this.conv(conv, 'line');
  }
  /** Claim of one platform message (dedupe). */
  seen(jobId: string) {
    return `${this.prefix}:seen:${jobId}`;
  }
  /** The acknowledgement / status message of a job. */
  statusRef(jobId: string) {
    return `${this.prefix}:status:${jobId}`;
  }
  /** Taken by the one run of a job that may POST its message to /run_sse (at most once). */
  turnSend(jobId: string) {
    return `${this.prefix}:turnsend:${jobId}`;
  }
  /** Set once a job's video has been posted (exactly-once delivery). */
  delivered(jobId: string) {
    return `${this.prefix}:delivered:${jobId}`;
  }
  /** The turn gate of one shared Nemo token (`id` is a hash of it); one hash tag, so its scripts suit a Cluster. */
  gate(id: string, what: 'holders' | 'waiters' | 'seen') {
    return `${this.prefix}:gate:{${id}}:${what}`;
  }
  /** Live turn and export jobs of one user (the per-user cap). */
  userJobs(platform: string, userId: string) {
    return `${this.prefix}:u:{${platform}:${userId}}:jobs`;
  }
  /** Admin settings of a server or chat (settings.ts). */
  settings(scope: string) {
    return `${this.prefix}:settings:{${scope}}`;
  }
  /** Generations a user started in a scope on one UTC day (the daily quota). */
  quota(scope: string, userId: string, day: string) {
    return `${this.prefix}:quota:{${scope}}:${userId}:${day}`;
  }
  /** A conversation's language override (/lang). */
  conversationLanguage(conv: string) {
    return this.conv(conv, 'lang');
  }
  /** A user's own Nemo token, encrypted (token-vault.ts). */
  userToken(platform: string, userId: string) {
    return `${this.prefix}:u:{${platform}:${userId}}:token`;
  }
  /** Where a user can be written to privately (their direct chat with the bot), private-notice.ts. */
  reachable(platform: string, userId: string) {
    return `${this.prefix}:u:{${platform}:${userId}}:dm`;
  }
  /** The project before a turn (describes silent edits); kept out of the job data, which stays small. */
  baseline(jobId: string) {
    return `${this.prefix}:baseline:${jobId}`;
  }
  /** A small JPEG of the image a project started from (thumbnail.ts), per Nemo session: a new project has none. */
  inputThumbnail(conv: string, sessionId: string) {
    return this.conv(conv, `thumb:${sessionId}`);
  }
  /** A conversation's recent jobs (history.ts): entries by short id, and their order by time. */
  history(conv: string, what: 'entries' | 'order') {
    return this.conv(conv, `hist-${what}`);
  }
  /** Recent durations of finished jobs (the waiting-time estimate, eta.ts). */
  durations() {
    return `${this.prefix}:stats:durations`;
  }
  button(id: string) {
    return `${this.prefix}:btn:${id}`;
  }
  cancelled(jobId: string) {
    return `${this.prefix}:cancelled:${jobId}`;
  }
  /**
   * A platform adapter's own key: `<prefix>:<platform>:<what>` (the lease of its long poll or of a
   * gateway shard, buffered album parts).
   */
  platformKey(platform: string, what: string) {
    return `${this.prefix}:${platform}:${what}`;
  }
  /**
   * A platform adapter's keys that one MULTI or script touches together: `<prefix>:{<platform>:<group>}:<what>`.
   * One hash tag, so on a Redis Cluster they share a slot.
   */
  platformGroupKey(platform: string, group: string, what: string) {
    return `${this.prefix}:{${platform}:${group}}:${what}`;
  }
  /**
   * The inbox of messages not yet taken by the ingress (core/inbox.ts): a sorted set of ids by when
   * they are due, and a hash of the messages. One hash tag, so its scripts suit a Cluster.
   */
  inbox(what: 'due' | 'msgs') {
    return `${this.prefix}:inbox:{in}:${what}`;
  }
  /** Messages of one user in the current rate window, and whether they were told to slow down. */
  userRate(platform: string, userId: string, window: number, what: 'n' | 'told') {
    return `${this.prefix}:u:{${platform}:${userId}}:rate:${window}:${what}`;
  }
  /** Pub/sub channel telling workers to abort a running job. */
  cancelChannel() {
    return `${this.prefix}:cancel`;
  }
}
