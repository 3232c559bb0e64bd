/** A sample Nudj body (gen-2, as sent) for each template: what `email preview` renders without --event. */
export const sampleEvents: Record<string, Record<string, unknown>> = {
  'reward-earned': body('reward.earned', {
    reward: { id: 'rwd_1', type: 'voucher', value: 25, currency: 'GBP', name: '£25 gift card' },
    challenge: { id: 'chl_1', name: 'Spring step challenge' },
  }),
  'reward-delivered': body('reward.delivered', {
    reward: {
      id: 'rwd_1',
      type: 'voucher',
      value: 25,
      currency: 'GBP',
      name: '£25 gift card',
      code: 'SAVE25-7F3A9C',
      link: 'https://rewards.nudj.example/r/7F3A9C',
    },
  }),
  'reward-delivery-failed': body('reward.delivery_failed', {
    reward: { id: 'rwd_1', type: 'voucher', value: 25, currency: 'GBP', name: '£25 gift card' },
    error: 'voucher provider timed out',
  }),
  'challenge-completed': body('challenge.completed', { challenge: { id: 'chl_1', name: 'Spring step challenge' } }),
  'achievement-earned': body('achievement.earned', { achievement: { id: 'ach_1', name: 'Marathon walker', tier: 3 } }),
  'referral-referrer-credited': body('referral.referrer_credited', {
    referral: { id: 'ref_1', referrerId: 'usr_1', refereeId: 'usr_2' },
    reward: { id: 'rwd_2', type: 'points', value: 1500, name: 'Referral bonus' },
  }),
  'referral-referee-credited': body('referral.referee_credited', {
    referral: { id: 'ref_1', referrerId: 'usr_2', refereeId: 'usr_1' },
    reward: { id: 'rwd_3', type: 'points', value: 500, name: 'Welcome bonus' },
  }),
}

function body(event: string, data: Record<string, unknown>): Record<string, unknown> {
  return {
    event,
    timestamp: '2026-03-14T09:26:53.000Z',
    data: { user: { id: 'usr_1', email: 'ada@example.com' }, organisationId: 'org_1', ...data },
  }
}
