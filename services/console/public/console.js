// The console's page: plain DOM, no framework, no build step. Text goes in through
// textContent only (never HTML), so nothing a webhook carries can run here.

const $ = (selector) => document.querySelector(selector)
const status = $('#status')

/** An element with attributes (`dataset` for data-*, `on` for listeners) and children (text or elements). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'dataset') Object.assign(node.dataset, value)
    else if (name === 'on') for (const [event, listener] of Object.entries(value)) node.addEventListener(event, listener)
    else if (value !== undefined && value !== null) node.setAttribute(name, value)
  }
  for (const child of children.flat()) node.append(child instanceof Node ? child : String(child ?? ''))
  return node
}

async function api(path, options = {}) {
  const headers = options.body ? { 'content-type': 'application/json' } : {}
  const response = await fetch(path, { ...options, headers: { ...headers, ...options.headers } })
  if (response.status === 401 && path !== '/api/session') showLogin('session ended: log in again')
  const body = response.status === 204 ? null : await response.json()
  if (!response.ok) throw new Error(`${body?.code ?? response.status}: ${body?.message ?? response.statusText}`)
  return body
}

const time = (ms) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '')
const isoOf = (local) => (local ? new Date(local).toISOString() : undefined)

function webhookLink(id) {
  if (!id) return ''
  return el('a', { class: 'webhook', dataset: { open: id }, on: { click: () => openStory(id) } }, id)
}

function recordRow(r) {
  return el(
    'tr',
    { dataset: { kind: r.kind, webhookId: r.webhookId ?? '', topic: r.topic } },
    el('td', {}, time(r.timestamp)),
    el('td', {}, r.kind),
    el('td', {}, r.event ?? ''),
    el('td', {}, r.source ?? ''),
    el('td', { class: 'mono' }, webhookLink(r.webhookId)),
    el('td', {}, r.outcome),
    el('td', { class: 'mono' }, `${r.topic}:${r.partition}:${r.offset}`),
  )
}

function table(headings, rows) {
  return el(
    'table',
    {},
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        headings.map((h) => el('th', {}, h)),
      ),
    ),
    el('tbody', {}, rows),
  )
}

function objectsTable(objects) {
  if (objects.length === 0) return el('p', { class: 'hint' }, 'none')
  const keys = Object.keys(objects[0])
  return table(
    keys,
    objects.map((o) =>
      el(
        'tr',
        {},
        keys.map((k) => el('td', {}, o[k] === null || o[k] === undefined ? '' : String(o[k]))),
      ),
    ),
  )
}

// --- tabs ---------------------------------------------------------------------------
const loaders = { tail: startTail, search: () => undefined, groups: loadGroups, dlq: () => undefined, replay: () => undefined }
function showTab(name) {
  for (const section of document.querySelectorAll('.tab')) section.hidden = section.id !== `tab-${name}`
  for (const button of document.querySelectorAll('nav [data-tab]')) button.classList.toggle('active', button.dataset.tab === name)
  loaders[name]()
}
for (const button of document.querySelectorAll('nav [data-tab]')) button.addEventListener('click', () => showTab(button.dataset.tab))

// --- live tail ----------------------------------------------------------------------
let source
function startTail() {
  if (source) return
  source = new EventSource('/api/tail')
  source.addEventListener('open', () => (status.textContent = 'live'))
  source.addEventListener('error', () => (status.textContent = 'reconnecting…'))
  source.addEventListener('record', (e) => {
    const body = $('#tail')
    body.prepend(recordRow(JSON.parse(e.data)))
    while (body.children.length > 500) body.lastChild.remove()
  })
}

// --- search -------------------------------------------------------------------------
$('#search-form').addEventListener('submit', async (e) => {
  e.preventDefault()
  const form = new FormData(e.target)
  const query = new URLSearchParams()
  for (const name of ['webhookId', 'userId', 'event']) if (form.get(name)) query.set(name, form.get(name))
  for (const name of ['from', 'until']) if (form.get(name)) query.set(name, isoOf(form.get(name)))
  $('#search-note').textContent = 'searching…'
  try {
    const result = await api(`/api/search?${query}`)
    $('#search-results').replaceChildren(...result.results.map(recordRow))
    $('#search-note').textContent =
      `${result.results.length} found; ${result.read} records read in ${result.topics.length} topics` +
      (result.truncated ? ' (cut short at the scan limit: narrow the time range)' : '')
  } catch (err) {
    $('#search-note').textContent = err.message
  }
})

// --- a webhook's story --------------------------------------------------------------
async function openStory(id) {
  const panel = $('#story')
  panel.hidden = false
  panel.replaceChildren(el('h2', {}, `Webhook ${id}`), el('p', { class: 'hint' }, 'reading its records…'))
  panel.scrollIntoView()
  try {
    const story = await api(`/api/webhooks/${encodeURIComponent(id)}`)
    panel.replaceChildren(...renderStory(story))
  } catch (err) {
    panel.replaceChildren(el('h2', {}, `Webhook ${id}`), el('p', { class: 'bad' }, err.message))
  }
}

function renderStory(s) {
  const parts = [
    el('h2', { dataset: { storyWebhookId: s.webhookId } }, `Webhook ${s.webhookId}`),
    el('p', { class: 'hint' }, `from ${s.from} until ${s.until ?? 'now'}: ${s.read} records read${s.truncated ? ' (cut short)' : ''}`),
    el('h3', {}, 'Kafka records'),
    table(['time', 'kind', 'event', 'source', 'webhook id', 'outcome', 'topic:partition:offset'], s.records.map(recordRow)),
    el('h3', {}, 'Consumer groups'),
    objectsTable(s.positions.map((p) => ({ ...p, past: p.past ? 'handled (committed past it)' : 'not yet' }))),
    el('h3', {}, 'Outcomes'),
  ]
  for (const o of s.outcomes) {
    const section = el('section', { dataset: { service: o.service } }, el('h4', {}, o.service))
    if (o.unavailable) section.append(el('p', { class: 'hint' }, o.unavailable))
    else
      section.append(
        el('h5', {}, 'ledger'),
        objectsTable(o.ledger),
        ...(o.service === 'analytics' ? [] : [el('h5', {}, 'rows'), objectsTable(o.rows)]),
      )
    parts.push(section)
  }
  if (s.received) {
    const { value, headers } = s.received
    const { body, ...envelope } = value
    parts.push(
      el('h3', {}, 'Envelope'),
      el('pre', { id: 'story-envelope' }, JSON.stringify({ ...envelope, recordHeaders: headers }, null, 2)),
    )
    parts.push(el('h3', {}, 'Body, as sent'), el('pre', { id: 'story-body' }, prettyBody(body)))
  }
  return parts
}

function prettyBody(body) {
  try {
    return JSON.stringify(JSON.parse(body), null, 2)
  } catch {
    return String(body)
  }
}

// --- groups -------------------------------------------------------------------------
async function loadGroups() {
  const box = $('#groups')
  try {
    const view = await api('/api/groups')
    box.replaceChildren(
      ...view.notes.map((n) => el('p', { class: 'hint' }, n)),
      ...view.metrics.filter((m) => m.error).map((m) => el('p', { class: 'bad' }, `${m.url}: ${m.error}`)),
      ...view.groups.map(renderGroup),
    )
  } catch (err) {
    box.replaceChildren(el('p', { class: 'bad' }, err.message))
  }
}
$('#groups-refresh').addEventListener('click', loadGroups)

function renderGroup(g) {
  return el(
    'div',
    { class: 'group', dataset: { group: g.group } },
    el('h3', {}, `${g.group} — ${g.state}, ${g.members.length} member${g.members.length === 1 ? '' : 's'}`),
    g.dlqRecords === null ? '' : el('p', {}, `DLQ: ${g.dlqRecords} record${g.dlqRecords === 1 ? '' : 's'}`),
    g.paused.length === 0
      ? ''
      : el('p', { class: 'bad' }, `paused: ${g.paused.map((p) => `${p.topic}:${p.partition} (${p.reason})`).join(', ')}`),
    g.members.length === 0
      ? ''
      : objectsTable(g.members.map((m) => ({ client: m.clientId, host: m.host, assignment: JSON.stringify(m.assignment) }))),
    el(
      'div',
      { class: 'partitions' },
      objectsTable(
        g.partitions.map((p) => ({
          topic: p.topic,
          partition: p.partition,
          committed: p.committed ?? 'none',
          end: p.high,
          'lag (messages)': p.lag ?? '—',
          'lag (seconds)': p.lagSeconds ?? '—',
        })),
      ),
    ),
  )
}

// --- DLQ ----------------------------------------------------------------------------
async function listDlq() {
  const group = $('#dlq-group').value
  $('#dlq-note').textContent = 'reading…'
  try {
    const listing = await api(`/api/groups/${encodeURIComponent(group)}/dlq`)
    $('#dlq-note').textContent =
      `${listing.topic}: ${listing.total} record${listing.total === 1 ? '' : 's'}, ${listing.redriven} already redriven`
    $('#dlq').replaceChildren(
      ...listing.records.map((r) =>
        el(
          'tr',
          { dataset: { key: r.key ?? '', redriven: String(r.redriven) } },
          el('td', { class: 'mono' }, `${r.partition}:${r.offset}`),
          el('td', { class: 'mono' }, webhookLink(r.key)),
          el('td', {}, r.summary.event ?? ''),
          el('td', {}, r.errorCode ?? '?'),
          el('td', {}, r.attempts ?? '?'),
          el('td', { class: 'mono' }, r.origin ?? '?'),
          el('td', {}, r.redriven ? 'yes' : 'no'),
          el('td', {}, r.errorMessage ?? ''),
          el('td', {}, el('button', { on: { click: () => inspect(group, r.partition, r.offset) } }, 'Inspect')),
        ),
      ),
    )
  } catch (err) {
    $('#dlq-note').textContent = err.message
  }
}
$('#dlq-form').addEventListener('submit', (e) => {
  e.preventDefault()
  void listDlq()
})

async function inspect(group, partition, offset) {
  const box = $('#dlq-record')
  box.hidden = false
  box.dataset.record = ''
  try {
    box.textContent = JSON.stringify(await api(`/api/groups/${encodeURIComponent(group)}/dlq/${partition}/${offset}`), null, 2)
  } catch (err) {
    box.textContent = err.message
  }
  box.dataset.record = `${partition}:${offset}`
}

$('#redrive-form').addEventListener('submit', async (e) => {
  e.preventDefault()
  const dryRun = e.submitter?.value !== 'run'
  const group = $('#dlq-group').value
  const form = new FormData(e.target)
  if (!dryRun && !confirm(`Redrive the dead letters of ${group}?`)) return
  const body = { dryRun }
  for (const name of ['errorCode', 'key']) if (form.get(name)) body[name] = form.get(name)
  for (const name of ['rate', 'max']) if (form.get(name)) body[name] = Number(form.get(name))
  const box = $('#redrive-result')
  box.hidden = false
  box.textContent = dryRun ? 'planning…' : 'redriving…'
  try {
    const result = await api(`/api/groups/${encodeURIComponent(group)}/dlq/redrive`, { method: 'POST', body: JSON.stringify(body) })
    box.textContent = dryRun
      ? `dry run: would redrive ${result.count} record(s) from ${result.topic} to ${result.target}; nothing sent\n` +
        result.sample.map((r) => `  ${r.partition}:${r.offset}  key ${r.key ?? '(none)'}  ${r.errorCode ?? '?'}`).join('\n')
      : `redrove ${result.redriven} record(s) to ${result.target} (${result.stopped}); audit: ${JSON.stringify(result.audit)}`
    box.dataset.outcome = dryRun ? 'planned' : result.stopped
    if (!dryRun) void listDlq()
  } catch (err) {
    box.textContent = err.message
    box.dataset.outcome = 'failed'
  }
})

// --- replay -------------------------------------------------------------------------
$('#replay-form').addEventListener('submit', async (e) => {
  e.preventDefault()
  const dryRun = e.submitter?.value !== 'run'
  const form = new FormData(e.target)
  const group = form.get('group')
  if (!dryRun && !confirm(`Move the offsets of ${group}?`)) return
  const box = $('#replay-result')
  box.hidden = false
  try {
    const result = await api(`/api/groups/${encodeURIComponent(group)}/replay`, {
      method: 'POST',
      body: JSON.stringify({ from: form.get('from'), dryRun }),
    })
    const lines = result.rows.map(
      (r) => `  ${r.topic}:${r.partition}  committed ${r.committed ?? 'none'} → ${r.target}  (${r.records} to reprocess)`,
    )
    const note = dryRun && result.active ? [`note: replay would refuse now: ${result.active}`] : []
    box.textContent = [dryRun ? 'dry run: no offsets changed' : `reset ${result.rows.length} partition(s)`, ...lines, ...note].join('\n')
  } catch (err) {
    box.textContent = err.message
  }
})

// --- session ------------------------------------------------------------------------
function showLogin(message) {
  $('#login').hidden = false
  $('nav').hidden = true
  for (const section of document.querySelectorAll('.tab, #story')) section.hidden = true
  source?.close()
  source = undefined
  status.textContent = message
}

$('#login').addEventListener('submit', async (e) => {
  e.preventDefault()
  const token = $('#token').value
  $('#token').value = ''
  const response = await fetch('/api/session', { method: 'POST', headers: { authorization: `Bearer ${token}` } })
  if (!response.ok) return showLogin('that is not the console token')
  await start()
})

$('#logout').addEventListener('click', async () => {
  await fetch('/api/session', { method: 'DELETE' })
  showLogin('logged out')
})

async function start() {
  try {
    await api('/api/session')
  } catch {
    return showLogin('log in with the console token')
  }
  $('#login').hidden = true
  $('nav').hidden = false
  const { groups } = await api('/api/groups')
  const names = groups.filter((g) => g.kind === 'main').map((g) => g.group)
  for (const select of [$('#dlq-group'), $('#replay-group')]) select.replaceChildren(...names.map((n) => el('option', { value: n }, n)))
  showTab('tail')
  const id = new URLSearchParams(location.hash.slice(1)).get('webhook')
  if (id) void openStory(id)
}

void start()
