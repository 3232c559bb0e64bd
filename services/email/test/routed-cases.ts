// The seven routed events of the default routes, each with the recipient it must reach and
// what its email must say; payload values carry markup to prove they are escaped.
import { gen2 } from './email-harness.ts'

export function routedCases(run: string) {
  const support = `support.${run}@example.com`
  const address = (who: string): string => `${who}.${run}@example.com`
  const user = (who: string, extra: Record<string, unknown> = {}) => ({ user: { id: `usr-${who}-${run}`, email: address(who), ...extra } })
  const reward = { id: 'rwd_1', name: '<script>alert(1)</script> & Co voucher', value: 25, currency: 'GBP' }

  // Each routed event, the recipient it must reach, and what the email must say.
  const cases = [
    {
      id: 'earned',
      body: gen2('reward.earned', { ...user('earned'), reward, challenge: { id: 'c1', name: 'Spring <steps>' } }),
      to: address('earned'),
      subject: 'You earned <script>alert(1)</script> & Co voucher (£25.00)',
      text: 'for completing Spring <steps>',
      html: 'Spring &lt;steps&gt;',
    },
    {
      id: 'delivered',
      body: gen2('reward.delivered', {
        ...user('delivered'),
        reward: { ...reward, code: 'SAVE-<b>7F</b>', link: 'https://rewards.example/r/7F?a=1&b=2' },
      }),
      to: address('delivered'),
      subject: 'Your reward is ready: <script>alert(1)</script> & Co voucher (£25.00)',
      text: 'Your code: SAVE-<b>7F</b>',
      html: 'SAVE-&lt;b&gt;7F&lt;/b&gt;',
    },
    {
      id: 'failed',
      body: gen2('reward.delivery_failed', { ...user('failed'), reward, error: 'provider said <no>' }),
      to: support,
      subject: `Reward delivery failed: <script>alert(1)</script> & Co voucher (£25.00) for user usr-failed-${run}`,
      text: 'Error: provider said <no>',
      html: 'provider said &lt;no&gt;',
    },
    {
      id: 'challenge',
      body: gen2('challenge.completed', { ...user('challenge'), challenge: { id: 'c2', name: 'Ten & ten' } }),
      to: address('challenge'),
      subject: 'You completed Ten & ten',
      text: 'you completed Ten & ten',
      html: 'Ten &amp; ten',
    },
    {
      id: 'achievement',
      body: gen2('achievement.earned', { ...user('achievement'), achievement: { id: 'a1', name: '"Walker"', tier: 1200 } }),
      to: address('achievement'),
      subject: 'Achievement unlocked: "Walker" (tier 1,200)',
      text: 'You unlocked "Walker" (tier 1,200)',
      html: '&quot;Walker&quot;',
    },
    {
      id: 'referrer',
      body: gen2('referral.referrer_credited', {
        ...user('referrer'),
        referral: { id: 'f1', referrerId: 'x', refereeId: 'y' },
        reward: { id: 'r2', name: 'Bonus', value: 1500 },
      }),
      to: address('referrer'),
      subject: 'Your referral paid off: Bonus (1,500)',
      text: 'you received Bonus (1,500)',
      html: 'Bonus (1,500)',
    },
    {
      id: 'referee',
      body: gen2('referral.referee_credited', {
        ...user('referee'),
        referral: { id: 'f2', referrerId: 'y', refereeId: 'x' },
        reward: { id: 'r3', name: 'Welcome', value: 500 },
      }),
      to: address('referee'),
      subject: 'Welcome! Welcome (500) is yours',
      text: 'your welcome reward Welcome (500)',
      html: 'Welcome (500)',
    },
  ]

  const routes = {
    'reward.earned': { template: 'reward-earned', enabled: true, to: 'user' },
    'reward.delivered': { template: 'reward-delivered', enabled: true, to: 'user' },
    'reward.delivery_failed': { template: 'reward-delivery-failed', enabled: true, to: support },
    'challenge.completed': { template: 'challenge-completed', enabled: true, to: 'user' },
    'achievement.earned': { template: 'achievement-earned', enabled: true, to: 'user' },
    'referral.referrer_credited': { template: 'referral-referrer-credited', enabled: true, to: 'user' },
    'referral.referee_credited': { template: 'referral-referee-credited', enabled: true, to: 'user' },
    'reward.expired': { template: 'reward-earned', enabled: false, to: 'user' },
  }

  return { cases, routes, support, user, reward }
}
