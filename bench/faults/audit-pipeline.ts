import { countMessageIds } from '../lib/count-message-ids.ts'
import { readDlq } from '../lib/read-dlq.ts'
import { countPrefixTopics, readTopicKeys } from '../lib/read-topic-keys.ts'
import { consumerNames, type Pipeline } from '../lib/start-pipeline.ts'
import { auditAnalytics } from './audit-analytics.ts'
import { auditEmail } from './audit-email.ts'
import { auditNotifications } from './audit-notifications.ts'
import type { SentWebhook } from './record-deliveries.ts'

/** The whole audit after the consumers have caught up; `problems` lists every failed invariant. */
export async function auditPipeline(p: Pipeline, webhooks: Map<string, SentWebhook>, say: (line: string) => void) {
  const topics = (await countPrefixTopics(p.infra.kafkaBrokers, p.topicPrefix)).filter((t) => !t.topic.endsWith('.rejected'))
  say(`reading ${topics.reduce((s, t) => s + t.records, 0)} records of ${topics.length} category topics`)
  const stored = await readTopicKeys(
    p.infra.kafkaBrokers,
    topics.map((t) => t.topic),
    300_000,
  )
  const acked = [...webhooks.values()].filter((w) => w.acked)
  const lostIds = acked.filter((w) => !stored.has(w.event.webhookId)).map((w) => w.event.webhookId)
  const storedUnacked = [...webhooks.values()].filter((w) => !w.acked && stored.has(w.event.webhookId)).length
  const neverSent = [...stored.keys()].filter((k) => !webhooks.has(k)).length
  const storedTwice = [...stored.values()].filter((n) => n > 1).length
  // What the consumers saw: every stored webhook id once (acknowledged or not: a stored one
  // that Nudj saw fail is in Kafka all the same, and counted apart).
  const seen = [...webhooks.values()].filter((w) => stored.has(w.event.webhookId))

  say('auditing analytics, email and notifications')
  const { analytics, email, notifications } = p.consumers
  const analyticsAudit = await auditAnalytics(seen, { url: analytics.url, token: p.analyticsToken }, analytics.database.url)
  const emailAudit = await auditEmail(seen, email.database.url, await countMessageIds(p.mailpit.apiUrl), p.emailDomain)
  const notificationsAudit = await auditNotifications(seen, notifications.database.url)

  const dlq: Record<string, { records: number; by_code: Record<string, number>; unexplained: number; examples: string[] }> = {}
  for (const name of consumerNames) {
    const records = await readDlq(p.infra.kafkaBrokers, `${p.consumers[name].group}.dlq`)
    const entry = { records: records.length, by_code: {} as Record<string, number>, unexplained: 0, examples: [] as string[] }
    for (const r of records) {
      entry.by_code[r.errorCode] = (entry.by_code[r.errorCode] ?? 0) + 1
      // Explained: a consumer refusing a webhook that fails validateNudjEvent (the suite sends none on purpose).
      const explained = r.errorCode === 'VALIDATION_FAILED' && (webhooks.get(r.key)?.problems ?? 0) > 0
      if (!explained) {
        entry.unexplained += 1
        if (entry.examples.length < 10) entry.examples.push(`${r.key} ${r.errorCode}: ${r.errorMessage}`)
      }
    }
    dlq[name] = entry
  }
  const dlqTotal = Object.values(dlq).reduce((s, d) => s + d.records, 0)
  const dlqUnexplained = Object.values(dlq).reduce((s, d) => s + d.unexplained, 0)
  const doubledEffects = emailAudit.doubled + notificationsAudit.doubled

  const problems = [
    lostIds.length > 0 && `${lostIds.length} acknowledged webhooks are not in Kafka (e.g. ${lostIds.slice(0, 3).join(', ')})`,
    neverSent > 0 && `${neverSent} webhook ids in Kafka that the simulator never sent`,
    !analyticsAudit.matches && 'the analytics projection differs from the independent computation',
    emailAudit.undecided > 0 && `${emailAudit.undecided} routed webhooks have no final email decision`,
    emailAudit.must_send_not_sent > 0 && `${emailAudit.must_send_not_sent} webhooks with a certain recipient were not emailed`,
    emailAudit.sent_without_message > 0 && `${emailAudit.sent_without_message} emails recorded sent are not in Mailpit`,
    emailAudit.unexplained_messages > 0 && `${emailAudit.unexplained_messages} messages in Mailpit that no sent row explains`,
    emailAudit.doubled > emailAudit.doubled_resumed &&
      `${emailAudit.doubled - emailAudit.doubled_resumed} repeated emails not recorded as resumed sends`,
    notificationsAudit.missing > 0 && `${notificationsAudit.missing} inbox rows missing`,
    notificationsAudit.doubled > 0 && `${notificationsAudit.doubled} inbox rows doubled`,
    notificationsAudit.unexpected > 0 && `${notificationsAudit.unexpected} unexpected inbox rows`,
    notificationsAudit.wrong_user > 0 && `${notificationsAudit.wrong_user} inbox rows for the wrong user`,
    notificationsAudit.delivery_failures_recorded !== notificationsAudit.delivery_failures_expected &&
      'reward.delivery_failed records differ from the webhooks sent',
    dlqUnexplained > 0 && `${dlqUnexplained} DLQ records unexplained`,
  ].filter((x): x is string => typeof x === 'string')

  return {
    figures: {
      acked: acked.length,
      lost: lostIds.length,
      doubled_effects: doubledEffects,
      dlq: dlqTotal,
      dlq_unexplained: dlqUnexplained,
    },
    kafka: {
      topics,
      stored_webhook_ids: stored.size,
      stored_twice: storedTwice,
      stored_unacknowledged: storedUnacked,
      never_sent: neverSent,
      lost_examples: lostIds.slice(0, 20),
    },
    analytics: analyticsAudit,
    email: emailAudit,
    notifications: notificationsAudit,
    dlq_by_group: dlq,
    problems,
  }
}
