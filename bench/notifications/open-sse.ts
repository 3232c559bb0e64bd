import { request, type ClientRequest } from 'node:http'

export type SseConnection = { status: number; close: () => void }

/**
 * One SSE connection over plain node:http (lighter than fetch when thousands are open). Each
 * complete event's `data` line is handed to `onData`.
 */
export async function openSse(url: string, token: string, onData?: (data: string) => void): Promise<SseConnection> {
  return await new Promise((resolve, reject) => {
    const req: ClientRequest = request(url, { agent: false, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } })
    req.on('error', reject)
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume()
        resolve({ status: res.statusCode ?? 0, close: () => req.destroy() })
        return
      }
      res.setEncoding('utf8')
      let buffer = ''
      res.on('data', (chunk: string) => {
        if (!onData) return
        buffer += chunk
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const line = block.split('\n').find((l) => l.startsWith('data: '))
          if (line) onData(line.slice(6))
        }
      })
      res.on('error', () => undefined)
      resolve({ status: 200, close: () => req.destroy() })
    })
    req.end()
  })
}
