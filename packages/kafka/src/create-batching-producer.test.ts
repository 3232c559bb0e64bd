import { describe, expect, it } from 'vitest'
import { createBatchingProducer, type BatchingProducerOptions } from './create-batching-producer.ts'
import { RetryableError } from './errors.ts'
import type { ProduceRecord, ProducerDriver } from './producer-driver.ts'

// The real brokers' refusals are provoked in test/batching-producer.test.ts and
// test/producer-failover.test.ts. Kafka 4.1 no longer answers an idempotent producer with
// UNKNOWN_PRODUCER_ID (after its state is gone it accepts the next sequence), and
// INVALID_PRODUCER_EPOCH needs a transactional producer fencing this one: those two are
// only reachable here, through the project's own driver interface.

type FakeDriver = ProducerDriver & { id: number; sent: ProduceRecord[]; closed: boolean }

/** Drivers that each fail their sends with the next code in `failures`, then succeed. */
function fakeDrivers(failures: string[]) {
  const drivers: FakeDriver[] = []
  const create = async (): Promise<ProducerDriver> => {
    const driver: FakeDriver = {
      id: drivers.length,
      sent: [],
      closed: false,
      async send(records) {
        const code = failures.shift()
        if (code !== undefined) throw new RetryableError(code, `the broker answered ${code}`)
        driver.sent.push(...records)
      },
      async close() {
        driver.closed = true
      },
    }
    drivers.push(driver)
    return driver
  }
  return { drivers, create }
}

const options: BatchingProducerOptions = {
  lingerMs: 1,
  maxBatchRecords: 100,
  maxBatchBytes: 1 << 20,
  maxPendingRecords: 1000,
  maxPendingBytes: 1 << 24,
  compression: 'none',
  stallMs: 30_000,
}

const record = (key: string): ProduceRecord => ({ topic: 't', key, value: Buffer.from(key) })

describe('createBatchingProducer with a refusing producer', () => {
  it.each(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'CORRUPT_MESSAGE'])(
    'after %s: rejects that batch, is unready at once, replaces the driver and writes later records through the new one',
    async (code) => {
      const { drivers, create } = fakeDrivers([code])
      const replaced: string[] = []
      const producer = await createBatchingProducer(create, { ...options, onReplace: (event) => replaced.push(event.code) })

      const first = producer.send(record('a'))
      await expect(first).rejects.toMatchObject({ code: 'PRODUCE_FAILED', retryable: true })
      await expect(first).rejects.toThrow(code)
      expect(replaced).toEqual([code])
      expect(drivers[0]?.closed).toBe(true)

      await producer.send(record('b'))
      expect(drivers).toHaveLength(2)
      expect(drivers[1]?.sent.map((r) => r.key)).toEqual(['b'])
      expect(drivers[0]?.sent).toEqual([])
      expect(producer.unready()).toBeUndefined()
      await producer.close()
      expect(drivers[1]?.closed).toBe(true)
    },
  )

  it('says why it is unready while the new driver is still connecting', async () => {
    let allowConnect: () => void = () => undefined
    const { drivers, create } = fakeDrivers(['OUT_OF_ORDER_SEQUENCE_NUMBER'])
    let connects = 0
    const producer = await createBatchingProducer(async () => {
      connects += 1
      if (connects === 2) await new Promise<void>((resolve) => (allowConnect = resolve))
      return create()
    }, options)

    await expect(producer.send(record('a'))).rejects.toThrow('OUT_OF_ORDER_SEQUENCE_NUMBER')
    expect(producer.unready()).toBe('replacing the Kafka producer after OUT_OF_ORDER_SEQUENCE_NUMBER')
    const later = producer.send(record('b'))
    allowConnect()
    await later
    expect(producer.unready()).toBeUndefined()
    expect(drivers.at(-1)?.sent.map((r) => r.key)).toEqual(['b'])
    await producer.close()
  })
})
