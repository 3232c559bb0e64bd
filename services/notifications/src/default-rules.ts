/** The built-in rules (NOTIFICATIONS_RULES_FILE replaces them): the same shape as the file. */
export const defaultRules = {
  rules: [
    {
      id: 'reward-earned',
      events: ['reward.earned'],
      audience: 'user',
      title: 'Reward earned',
      body: 'You earned {{data.reward.name|a reward}}.',
    },
    {
      id: 'reward-delivered',
      events: ['reward.delivered'],
      audience: 'user',
      title: 'Reward delivered',
      body: '{{data.reward.name|Your reward}} is on its way.',
    },
    {
      id: 'achievement-earned',
      events: ['achievement.earned'],
      audience: 'user',
      title: 'Achievement unlocked',
      body: 'You reached {{data.achievement.name|an achievement}}.',
    },
    {
      id: 'challenge-completed',
      events: ['challenge.completed'],
      audience: 'user',
      title: 'Challenge completed',
      body: 'You completed {{data.challenge.name|a challenge}}.',
    },
    {
      id: 'points-awarded',
      events: ['points.awarded'],
      audience: 'user',
      title: 'Points update',
      body: '{{data.points.amount|Some}} points: {{data.points.reason|activity}}.',
    },
    {
      id: 'referral-credited',
      events: ['referral.referrer_credited', 'referral.referee_credited'],
      audience: 'user',
      title: 'Referral reward',
      body: 'Your referral reward {{data.reward.name|}} was credited.',
    },
    {
      id: 'reward-delivery-failed',
      events: ['reward.delivery_failed'],
      audience: 'operator',
      title: 'Reward delivery failed',
      body: 'Reward {{data.reward.name|?}} ({{data.reward.id|?}}) for user {{user.id|?}} failed: {{data.error|no reason given}}.',
    },
  ],
}
