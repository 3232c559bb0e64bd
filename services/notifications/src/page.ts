/**
 * `GET /`: a page that lists a user's notifications and shows new ones as they arrive.
 * Open it as `/?user=<id>#token=<token>`: a fragment is never sent to a server, so the token
 * reaches no access log (`?token=` is still read, for old links). The page removes the token
 * from the address bar at once and exchanges it for an HttpOnly cookie (POST .../session);
 * its fetches and its EventSource send that cookie, so no later URL carries the token.
 * Text goes in through textContent only (never HTML).
 */
export const pageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Notifications</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
  li { list-style: none; border: 1px solid #ddd; border-radius: 6px; padding: .6rem .8rem; margin: .5rem 0; }
  li.unread { border-color: #36c; }
  li strong { display: block; }
  #status { color: #666; font-size: .9rem; }
</style>
</head>
<body>
<h1>Notifications</h1>
<p id="status">connecting…</p>
<ul id="list"></ul>
<script type="module">
const params = new URLSearchParams(location.search)
const user = params.get('user') ?? ''
const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? params.get('token') ?? ''
history.replaceState(null, '', location.pathname + '?' + new URLSearchParams({ user }))
const status = document.getElementById('status')
const list = document.getElementById('list')
const shown = new Set()
const base = '/v1/users/' + encodeURIComponent(user) + '/notifications'

function show(n, atTop) {
  if (shown.has(n.id)) return
  shown.add(n.id)
  const item = document.createElement('li')
  item.className = n.readAt ? 'read' : 'unread'
  item.dataset.id = n.id
  item.dataset.webhookId = n.webhookId
  const title = document.createElement('strong')
  title.textContent = n.title
  const body = document.createElement('span')
  body.textContent = n.body
  item.append(title, body)
  item.addEventListener('click', async () => {
    const r = await fetch(base + '/' + n.id + '/read', { method: 'POST' })
    if (r.ok) item.className = 'read'
  })
  if (atTop) list.prepend(item)
  else list.append(item)
}

// Without a token in the URL (a reload), the cookie from an earlier exchange is used.
const session = token ? await fetch(base + '/session', { method: 'POST', headers: { authorization: 'Bearer ' + token } }) : undefined
const response = session && !session.ok ? session : await fetch(base + '?limit=50')
if (!response.ok) {
  status.textContent = 'cannot load notifications (' + response.status + ')'
} else {
  const { items } = await response.json()
  for (const n of items) show(n, false)
  const newest = items[0]?.id
  // EventSource cannot send an Authorization header; it sends the session cookie.
  const source = new EventSource(base + '/stream' + (newest ? '?' + new URLSearchParams({ lastEventId: newest }) : ''))
  source.addEventListener('open', () => { status.textContent = 'live' })
  source.addEventListener('error', () => { status.textContent = 'reconnecting…' })
  source.addEventListener('notification', (e) => show(JSON.parse(e.data), true))
}
</script>
</body>
</html>
`
