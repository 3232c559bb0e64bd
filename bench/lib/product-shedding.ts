/**
 * startIngestProcess raises ingest's event-loop shedding threshold for tests (a loaded test
 * machine would shed at random). A benchmark measures the product: its default, said here.
 */
export const productShedding = { INGEST_MAX_EVENT_LOOP_DELAY: '250ms' } as const
