import type pg from 'pg'
import { describe, expectTypeOf, it } from 'vitest'
import type { ConsumerDefinition, Handler, HandlerContext } from './consumer-types.ts'

// Checked by the compiler (pnpm typecheck); the assertions below only restate it.
describe('handler contexts typed by effect', () => {
  it("a handler of effect 'postgres' always has its transaction", () => {
    expectTypeOf<HandlerContext<'postgres'>['tx']>().toEqualTypeOf<pg.PoolClient>()
    expectTypeOf<HandlerContext<'external'>['unfinishedClaim']>().toEqualTypeOf<boolean>()
    expectTypeOf<HandlerContext<'none'>['tx']>().toEqualTypeOf<undefined>()
  })

  it('a definition of one effect is a definition the runtime takes, and must say that effect', () => {
    expectTypeOf<ConsumerDefinition<string, 'postgres'>>().toExtend<ConsumerDefinition<string>>()
    expectTypeOf<ConsumerDefinition<string, 'postgres'>['effect']>().toEqualTypeOf<'postgres'>()
    // A handler written for any effect may serve one, not the other way round.
    expectTypeOf<Handler<string>>().toExtend<Handler<string, 'postgres'>>()
    expectTypeOf<Handler<string, 'postgres'>>().not.toExtend<Handler<string>>()
  })
})
