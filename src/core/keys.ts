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
  /** Set once a job's video has been posted (exactly-once delivery). */
  delivered(jobId: string) {
    return `${this.prefix}:delivered:${jobId}`;
  }
  button(id: string) {
    return `${this.prefix}:btn:${id}`;
  }
  cancelled(jobId: string) {
    return `${this.prefix}:cancelled:${jobId}`;
  }
  /** Pub/sub channel telling workers to abort a running job. */
  cancelChannel() {
    return `${this.prefix}:cancel`;
  }
}
