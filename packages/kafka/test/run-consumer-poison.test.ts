// Hostile records against the runtime (issue 17): whatever decode, filter or validation
// throws, and however large the record, the message ends in the DLQ and its partition flows.
import { randomBytes } from 'node:crypto'
import { produce, waitFor } from '@nudj-webhooks/testing'
import { ConfigResourceTypes } from 'kafkajs'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { RetryableError } from '../src/errors.ts'
import { provenanceHeaders as h } from '../src/group-topics.ts'
import { omittedValueHeaders } from '../src/move-record.ts'
import { createHarness, effects, type Harness } from './consumer-harness.ts'

const infra = inject('infra')
let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const depth = 200_000

describe('runConsumer with poison pills', () => {
  it('sends any throw of decode, filter or validation to the DLQ (a stack overflow included) and keeps the partition flowing', async () => {
    harness = await createHarness(infra, [200], 1)
    await harness.start({
      decode: (m) => {
        // Not an Error: the runtime must not read `.message` off it blindly.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        if (m.key === 'throws-null') throw null
        return m.value.toString()
      },
      handles: (event) => {
        if (event === 'filter-bug') throw new TypeError("Cannot read properties of undefined (reading 'canonical')")
        return true
      },
      // The bug of issue 17: a problem message built with JSON.stringify of the value.
      validate: (event) => (event.startsWith('[') ? [`must be a string, got ${JSON.stringify(JSON.parse(event))}`] : []),
      // A whole fetched batch goes through the batch path first (processBatchOnce).
      batchHandler: async (items, ctx) => {
        for (const { id, event } of items) await ctx.tx.query('INSERT INTO effects (webhook_id, value) VALUES ($1, $2)', [id, event])
      },
      handler: async (event, ctx) => {
        await ctx.tx!.query('INSERT INTO effects (webhook_id, value) VALUES ($1, $2)', [ctx.id, event])
      },
    })
    const deep = '['.repeat(depth) + ']'.repeat(depth)
    await harness.send([
      { key: 'deep', value: deep },
      { key: 'throws-null', value: 'x' },
      { key: 'filter-bug', value: 'filter-bug' },
      { key: 'good', value: 'good' },
    ])
    const dlq = await harness.readDlq(3)
    await waitFor(async () => (await effects(harness!.pool)).length === 1, {
      timeoutMs: 20_000,
      message: 'the good record was not applied',
    })
    expect(await effects(harness.pool)).toEqual(['good=good'])

    const byKey = new Map(dlq.map((r) => [r.key, r]))
    const provenance = (offset: string) => ({
      [h.attempt]: '1',
      [h.group]: harness!.group,
      [h.originTopic]: harness!.topic,
      [h.originPartition]: '0',
      [h.originOffset]: offset,
    })
    expect(byKey.get('deep')?.value).toBe(deep)
    expect(byKey.get('deep')?.headers).toMatchObject({
      ...provenance('0'),
      [h.errorCode]: 'VALIDATION_FAILED',
      [h.errorMessage]: 'validation threw RangeError: Maximum call stack size exceeded',
    })
    expect(byKey.get('throws-null')?.headers).toMatchObject({
      ...provenance('1'),
      [h.errorCode]: 'DECODE_FAILED',
      [h.errorMessage]: 'null',
    })
    expect(byKey.get('filter-bug')?.headers).toMatchObject({
      ...provenance('2'),
      [h.errorCode]: 'VALIDATION_FAILED',
      [h.errorMessage]: "validation threw TypeError: Cannot read properties of undefined (reading 'canonical')",
    })
  })

  it('dead-letters a record too large for its retry or dead-letter topic without its value, and keeps the partition flowing', async () => {
    harness = await createHarness(infra, [200], 1)
    // The source topic admits ~2 MiB; the retry and dead-letter topics keep the broker's default (~1 MiB).
    const admin = harness.kafka.admin()
    await admin.connect()
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: harness.topic, configEntries: [{ name: 'max.message.bytes', value: '2097152' }] },
      ],
    })
    await admin.disconnect()
    await harness.start({
      handler: async (event, ctx) => {
        if (ctx.id === 'big') throw new RetryableError('DOWNSTREAM_500', 'the downstream answered 500')
        await ctx.tx!.query('INSERT INTO effects (webhook_id, value) VALUES ($1, $2)', [ctx.id, event])
      },
    })
    // Random bytes: gzip cannot make them fit.
    const big = randomBytes(1024 * 1024)
    // The new max.message.bytes reaches the partition a moment after alterConfigs answers.
    await waitFor(
      async () => {
        await produce(harness!.kafka, harness!.topic, [
          { key: 'big', value: big },
          { key: 'good', value: 'good' },
        ])
        return true
      },
      { timeoutMs: 10_000, retryErrors: true },
    )
    const [record] = await harness.readDlq(1)
    await waitFor(async () => (await effects(harness!.pool)).length === 1, {
      timeoutMs: 20_000,
      message: 'the good record was not applied',
    })
    expect(await effects(harness.pool)).toEqual(['good=good'])
    expect(record?.key).toBe('big')
    expect(record?.value).toBe('')
    expect(Object.keys(record!.headers).sort()).toEqual(
      [
        ...Object.values(omittedValueHeaders),
        h.attempt,
        h.group,
        h.errorCode,
        h.errorMessage,
        h.originTopic,
        h.originPartition,
        h.originOffset,
        h.firstFailureAt,
        h.lastFailureAt,
      ].sort(),
    )
    expect(record?.headers).toMatchObject({
      [h.attempt]: '1',
      [h.group]: harness.group,
      [h.errorCode]: 'DOWNSTREAM_500',
      [h.errorMessage]: 'the downstream answered 500',
      [h.originTopic]: harness.topic,
      [h.originPartition]: '0',
      [h.originOffset]: '0',
      [omittedValueHeaders.reason]: 'MESSAGE_TOO_LARGE',
      [omittedValueHeaders.bytes]: String(big.length),
    })
  })
})
