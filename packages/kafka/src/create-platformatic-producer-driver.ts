import type { KafkaSecurity } from './connection-security.ts'
import { RetryableError } from './errors.ts'
import type { CreateProducerDriver, ProducerDriver, ProducerDriverOptions } from './producer-driver.ts'

/**
 * @platformatic/kafka behind the producer seam: each driver is a new idempotent Producer,
 * so a new producer id, connected before it is handed out.
 *
 * When a broker answers OUT_OF_ORDER_SEQUENCE_NUMBER or UNKNOWN_PRODUCER_ID, the library
 * itself takes a new producer id and resends that broker's whole request once; the send
 * then resolves as if nothing happened. Partitions of that request the broker had already
 * appended are written a second time under the new id, and nothing tells us. With one send
 * in flight and a fresh producer per driver, those errors mean the broker lost or expired this
 * producer's state (unclean leader election, idle past producer.id.expiration.ms), where the
 * kafkajs driver fails the send and the records are resent anyway.
 */
export function platformaticProducerDriver({ brokers, clientId, security = {} }: ProducerDriverOptions): CreateProducerDriver {
  return async (): Promise<ProducerDriver> => {
    // Loaded on first use: every service imports this package, few of them produce through it.
    const { compatibilityPartitioner, ProduceAcks, Producer, stringSerializer } = await import('@platformatic/kafka')
    const producer = new Producer<Buffer, Buffer, string, string>({
      clientId,
      bootstrapBrokers: brokers,
      ...platformaticSecurity(security),
      idempotent: true,
      // murmur2 & 0x7fffffff, as Java and kafkajs place keys; the library's default
      // (murmur2 >>> 0) disagrees whenever the partition count is not a power of two.
      partitioner: compatibilityPartitioner,
      serializers: { headerKey: stringSerializer, headerValue: stringSerializer },
      // Enough to ride out a broker restart at 2 s apart (100 ms doubling, like the kafkajs
      // driver), yet bounded: a request whose partitions' leaders moved to different brokers
      // is resent to one of them forever, and a failed send gets the driver replaced.
      retries: 60,
      retryDelay: (_client, _operation, attempt) => Math.min(100 * 2 ** (attempt - 1), 2000),
      // How long the broker may wait for the in-sync replicas (kafkajs's 30 s); the client waits a bit longer.
      timeout: 30_000,
      requestTimeout: 35_000,
    })
    try {
      // Connections open lazily and `retries` applies to everything: ask with few retries
      // first so a dead cluster fails here, then take the producer id.
      await producer.metadata({ topics: [], forceUpdate: true, retries: 2 })
      await producer.initIdempotentProducer({})
    } catch (err) {
      await producer.close()
      throw new RetryableError(...describe(err), { cause: err })
    }
    return {
      async send(records, { compression }) {
        try {
          // A fresh options object each time: send() fills in defaults on the one it is given.
          await producer.send({
            acks: ProduceAcks.ALL,
            compression,
            // Keys as UTF-8 bytes, like kafkajs: the partitioner sends anything but a Buffer to partition 0.
            messages: records.map(({ topic, key, value, headers }) => ({ topic, key: Buffer.from(key, 'utf8'), value, headers })),
          })
        } catch (err) {
          throw new RetryableError(...describe(err), { cause: err })
        }
      },
      close: async () => await producer.close(),
    }
  }
}

/** The library's `tls` and `sasl` options: the same settings, its mechanism names in capitals. */
function platformaticSecurity({ tls, sasl }: KafkaSecurity) {
  const names = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const
  return { ...(tls && { tls }), ...(sasl && { sasl: { ...sasl, mechanism: names[sasl.mechanism] } }) }
}

type ErrorNode = Error & { apiId?: unknown; code?: unknown; errors?: unknown }

/**
 * Kafka's error name and message from the tree the library throws: MultipleErrors per broker,
 * then per attempt, then a ResponseError holding a ProtocolError per partition, whose `apiId`
 * is the name. Without one (a network error, a closed client) the code of the newest error
 * that is not a wrapper. Later attempts are searched first: they are the ones that ended the retries.
 */
function describe(err: unknown): [code: string, message: string] {
  let leaf: ErrorNode | undefined
  const visit = (node: unknown, depth: number): ErrorNode | undefined => {
    if (!(node instanceof Error) || depth > 8) return undefined
    const { apiId, errors } = node as ErrorNode
    if (typeof apiId === 'string') return node
    if (!Array.isArray(errors)) leaf ??= node
    for (const child of [...(Array.isArray(errors) ? (errors as unknown[]) : []).reverse(), node.cause]) {
      const found = visit(child, depth + 1)
      if (found) return found
    }
    return undefined
  }
  const found: ErrorNode = visit(err, 0) ?? leaf ?? (err instanceof Error ? err : new Error(String(err)))
  const code = found.apiId ?? found.code
  return [typeof code === 'string' ? code : 'UNKNOWN', found.message]
}
