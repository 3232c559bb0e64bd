import type { Category } from './catalog.ts'
import { categories } from './catalog.ts'

export const defaultTopicPrefix = 'nudj.webhooks'

/** The raw topic of a category: `nudj.webhooks.<category>`. */
export function topicForCategory(category: Category, prefix = defaultTopicPrefix): string {
  return `${prefix}.${category}`
}

/** Every category topic, `nudj.webhooks.unknown` included. */
export function allCategoryTopics(prefix = defaultTopicPrefix): string[] {
  return categories.map((category) => topicForCategory(category, prefix))
}

/** Where ingest writes rejected requests for audit (never a category topic). */
export function rejectedTopic(prefix = defaultTopicPrefix): string {
  return `${prefix}.rejected`
}
