/**
 * The Prometheus metrics of one process (prom-client), served on HEALTH_PORT at /metrics.
 *
 * Each process has its own registry (no global state: tests run several runtimes in one process).
 * Counters and histograms are fed by thin wrappers around the Nemo client, the outboxes, the ingress
 * and the lane workers (src/ops/instrument-*.ts), so the core carries no metrics code. Queue depths
 * are read from Redis when Prometheus scrapes, never kept in memory.
 *
 * Every name starts with `nemo_bot_`; labels have a small, fixed set of values (no chat or job ids).
 */
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** Reads the lane queues' job counts at scrape time: lane → state → count. */
export type QueueCountSource = () => Promise<Record<string, Record<string, number>>>;

/** Seconds: a turn is 30 s to 15 min, a render 10 s to 10 min. */
const LONG_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800];
/** Seconds a job waits in its lane before a worker starts it. */
const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300];

export class Metrics {
  readonly registry = new Registry();
  private queueSources: QueueCountSource[] = [];

  /** Jobs in each lane's queue by BullMQ state (wait, active, delayed, prioritized, completed, failed), read on scrape. */
  readonly queueJobs = new Gauge({
    name: 'nemo_bot_queue_jobs',
    help: 'Jobs in each lane queue by state, read from Redis on every scrape (all processes share these queues).',
    labelNames: ['lane', 'state'] as const,
    registers: [this.registry],
    // Read from the shared queues: a worker thread reports the same numbers, so they are not summed.
    aggregator: 'first',
    collect: async () => {
      this.queueJobs.reset();
      for (const source of this.queueSources) {
        const counts = await source();
        for (const [lane, states] of Object.entries(counts)) {
          for (const [state, n] of Object.entries(states)) this.queueJobs.set({ lane, state }, n);
        }
      }
    },
  });

  /** Job runs that ended in this process: completed (done or waiting), handed_over (continues in another lane), failed. */
  readonly jobRuns = new Counter({
    name: 'nemo_bot_job_runs_total',
    help: 'Job runs finished by this process, by lane, job kind (turn, export, credits, status) and result (done, handed_over, failed).',
    labelNames: ['lane', 'kind', 'result'] as const,
    registers: [this.registry],
  });

  readonly queueWait = new Histogram({
    name: 'nemo_bot_queue_wait_seconds',
    help: 'Time from a job entering a lane queue to a worker starting it (first start in that lane).',
    labelNames: ['lane'] as const,
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });

  readonly turnDuration = new Histogram({
    name: 'nemo_bot_turn_duration_seconds',
    help: 'Duration of Nemo SSE turns (run_sse) by outcome (ok or the error kind).',
    labelNames: ['outcome'] as const,
    buckets: LONG_BUCKETS,
    registers: [this.registry],
  });

  readonly renderDuration = new Histogram({
    name: 'nemo_bot_render_duration_seconds',
    help: 'Time from a render id being chosen to its poll answering completed or failed.',
    labelNames: ['outcome'] as const,
    buckets: LONG_BUCKETS,
    registers: [this.registry],
  });

  readonly sseOpen = new Gauge({
    name: 'nemo_bot_sse_streams_open',
    help: 'Nemo SSE turn streams open in this process right now.',
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: 'nemo_bot_deliveries_total',
    help: 'Finished videos posted to a chat, by platform and kind (video: the file; link: too large to attach).',
    labelNames: ['platform', 'kind'] as const,
    registers: [this.registry],
  });

  readonly nemoErrors = new Counter({
    name: 'nemo_bot_nemo_errors_total',
    help: 'Errors from the Nemo API by endpoint, error kind and code (the backend business code or HTTP status; "none" when neither).',
    labelNames: ['endpoint', 'kind', 'code'] as const,
    registers: [this.registry],
  });

  readonly messages = new Counter({
    name: 'nemo_bot_messages_total',
    help: 'Platform messages taken by the ingress, by platform and outcome (queued, answered, duplicate, ignored).',
    labelNames: ['platform', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly acks = new Counter({
    name: 'nemo_bot_acks_total',
    help: 'Acknowledgements sent (a job was queued and the user told what was understood), by platform.',
    labelNames: ['platform'] as const,
    registers: [this.registry],
  });

  readonly creditsLeft = new Gauge({
    name: 'nemo_bot_credits_left',
    help: 'Credits available on the shared NEMO_TOKEN, as last read from Nemo (absent until known).',
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'nemo_bot_' });
  }

  /** Register a reader of queue counts (one per runtime). */
  addQueueSource(source: QueueCountSource): void {
    this.queueSources.push(source);
  }

  private readonly remotes: Array<() => Promise<MetricObjectWithValues<MetricValue<string>>[]>> = [];

  /** Add the metrics of another registry of this process (the ROLE=all worker thread), merged on every scrape. */
  addRemote(read: () => Promise<MetricObjectWithValues<MetricValue<string>>[]>): void {
    this.remotes.push(read);
  }

  /** The exposition text for /metrics. */
  async render(): Promise<string> {
    if (!this.remotes.length) return this.registry.metrics();
    const parts = await Promise.all([this.registry.getMetricsAsJSON(), ...this.remotes.map((r) => r().catch(() => []))]);
    return AggregatorRegistry.aggregate(parts).metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
