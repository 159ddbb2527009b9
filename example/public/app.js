// The demo call page: plain browser JavaScript, no build step.
//
// Log in as a demo user, see your conversations, press "Call": the page asks
// the server for an Agora token (POST /api/call/token), starts the call over
// Socket.IO (call:start) and shows the channel (the conversation id) and what
// is inside the token (decoded by the server: GET /api/call/inspect). The
// others see an incoming-call banner; accepting fetches their own token for
// the same channel. With real Agora credentials and agora-rtc-sdk-ng on the
// server, everyone in the call joins the channel with audio and video. With
// throwaway credentials the server simulates Agora: the page tells it when it
// "joins" and leaves the channel (POST /api/call/media) and the server posts
// the channel events Agora would send to its own webhook. Each call ends up as
// a call message in its conversation ("Video call · 0:42", "Missed call").
'use strict';

(function () {
  const $ = id => document.getElementById(id)
  const state = {
    config: null,
    users: new Map(), // id -> name
    me: null, // { id, name }
    conversations: new Map(), // id -> { id, name, type, participants }
    socket: null,
    call: null, // { callId, conversationId, role: 'caller'|'callee', media, phase: 'ringing'|'active'|'over', joined: Set }
    incoming: null, // incoming-call payload while the banner shows
    starting: false, // between a click on Call and the server's answer to call:start
    agora: null, // { client, tracks, joined }
    sim: null, // { channelName } while this page is "in" a simulated Agora channel
    simQueue: Promise.resolve() // this page's simulated joins and leaves, one after the other
  }

  // ---- small helpers ----------------------------------------------------------

  const nameOf = id => state.users.get(id) || id
  const namesOf = ids => ids.map(nameOf).join(', ')
  // In the events log: "You" for this user.
  const who = id => (state.me && id === state.me.id ? 'You' : nameOf(id))
  const inCall = () => Boolean((state.call && state.call.phase !== 'over') || state.incoming || state.starting)
  const conversationName = id => {
    const c = state.conversations.get(id)
    if (!c) return `conversation ${id}`
    return c.type === 'direct' ? `your direct chat with ${c.name}` : `"${c.name}"`
  }
  // AccessToken2 RTC privilege keys
  const PRIVILEGES = { 1: 'joinChannel', 2: 'publishAudio', 3: 'publishVideo', 4: 'publishData' }

  function log(text) {
    const li = document.createElement('li')
    li.textContent = `${new Date().toLocaleTimeString()}  ${text}`
    $('log').prepend(li)
  }

  function notice(text, kind = 'info') {
    const el = $('notice')
    if (!text) {
      el.hidden = true
      el.textContent = ''
      el.className = ''
      return
    }
    el.hidden = false
    el.textContent = text
    el.className = kind
    el.dataset.kind = kind
  }

  async function api(method, url, body) {
    const headers = { Authorization: `Bearer ${state.me.id}` }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    let data = null
    try {
      data = await res.json()
    } catch (_) {
      // not JSON
    }
    return { ok: res.ok, status: res.status, data }
  }

  function emitAck(event, payload) {
    return new Promise(resolve => {
      state.socket.timeout(5000).emit(event, payload, (err, ack) => {
        resolve(err ? { ok: false, error: { code: 'TIMEOUT', message: 'The server did not answer' } } : ack)
      })
    })
  }

  // ---- login --------------------------------------------------------------------

  async function boot() {
    const [config, users] = await Promise.all([
      fetch('/api/config').then(r => r.json()),
      fetch('/api/users').then(r => r.json())
    ])
    state.config = config
    const select = $('user-select')
    for (const u of users.users) {
      state.users.set(u.id, u.name)
      const option = document.createElement('option')
      option.value = u.id
      option.textContent = u.name
      select.append(option)
    }
    const wanted = new URLSearchParams(location.search).get('user')
    const preset = users.users.find(u => u.name.toLowerCase() === String(wanted).toLowerCase())
    if (preset) select.value = preset.id
    $('login-form').addEventListener('submit', e => {
      e.preventDefault()
      login(select.value).catch(err => notice(`Could not log in: ${err.message}`, 'error'))
    })
  }

  async function login(userId) {
    state.me = { id: userId, name: nameOf(userId) }
    const mine = await api('GET', '/api/conversations')
    if (!mine.ok) throw new Error(mine.data && mine.data.error ? mine.data.error.message : `HTTP ${mine.status}`)
    state.conversations = new Map(mine.data.conversations.map(c => [c.id, c]))
    renderConversations()
    $('whoami').textContent = `Logged in as ${state.me.name}`
    $('login').hidden = true
    $('app').hidden = false
    connect()
  }

  function logout() {
    endCall('You logged out')
    if (state.socket) state.socket.disconnect()
    state.socket = null
    state.me = null
    hideBanner()
    notice('')
    $('whoami').textContent = ''
    $('app').hidden = true
    $('login').hidden = false
  }

  function renderConversations() {
    const list = $('conversations')
    list.textContent = ''
    for (const c of state.conversations.values()) {
      const li = document.createElement('li')
      li.dataset.conversationId = c.id
      const label = document.createElement('div')
      const title = document.createElement('strong')
      title.textContent = c.name
      const meta = document.createElement('div')
      meta.className = 'muted'
      meta.textContent = `${c.type} · ${c.participants.map(p => p.name).join(', ')} · `
      const code = document.createElement('code')
      code.textContent = c.id
      meta.append(code)
      label.append(title, meta)
      const actions = document.createElement('div')
      actions.className = 'actions'
      for (const media of ['video', 'audio']) {
        const b = document.createElement('button')
        b.textContent = media === 'video' ? 'Call' : 'Audio call'
        b.dataset.testid = media === 'video' ? 'call' : 'audio-call'
        b.setAttribute('data-testid', b.dataset.testid)
        b.addEventListener('click', () => startCall(c.id, media))
        actions.append(b)
      }
      const messages = document.createElement('ul')
      messages.className = 'messages'
      messages.setAttribute('data-testid', 'messages')
      label.append(messages)
      li.append(label, actions)
      list.append(li)
      renderMessages(c.id)
    }
    renderCallButtons()
  }

  /** The call messages of one conversation (the server writes them from onCallEnded). */
  function renderMessages(conversationId) {
    const c = state.conversations.get(conversationId)
    const ul = document.querySelector(`li[data-conversation-id="${conversationId}"] ul.messages`)
    if (!c || !ul) return
    ul.textContent = ''
    for (const m of (c.messages || []).slice(-3)) {
      const li = document.createElement('li')
      li.setAttribute('data-testid', 'call-message')
      li.dataset.outcome = m.outcome
      const text = document.createElement('span')
      text.className = 'text'
      text.textContent = m.text
      const when = document.createElement('span')
      when.className = 'muted'
      when.textContent = ` · ${new Date(m.at).toLocaleTimeString()}`
      li.append(text, when)
      ul.append(li)
    }
  }

  /** No new call while in one (or while one rings here): the buttons say so instead of an error afterwards. */
  function renderCallButtons() {
    const busy = inCall()
    for (const b of document.querySelectorAll('#conversations button, #call-by-id button')) {
      b.disabled = busy
      b.title = busy ? 'You are in a call' : ''
    }
  }

  // ---- signalling -----------------------------------------------------------------

  function connect() {
    // served by socket.io itself at /socket.io/socket.io.js
    const socket = window.io({ auth: { userId: state.me.id }, transports: ['websocket', 'polling'] })
    state.socket = socket
    socket.on('connect', () => {
      document.body.dataset.connected = 'true'
      log('Connected to call signalling')
    })
    socket.on('connect_error', err => notice(`Signalling: ${err.message}`, 'error'))
    socket.on('disconnect', reason => {
      document.body.dataset.connected = 'false'
      log(`Disconnected from call signalling (${reason})`)
      if (state.call && state.call.phase !== 'over') endCall('Connection to the server lost: the call is over')
      hideBanner()
    })

    socket.on('conversation:message', d => {
      const c = state.conversations.get(d.conversationId)
      if (!c) return
      c.messages = [...(c.messages || []).filter(m => m.id !== d.message.id), d.message]
      renderMessages(d.conversationId)
      log(`Call message in ${conversationName(d.conversationId)}: ${d.message.text}`)
    })

    socket.on('call:media', d => {
      // one's own join and leave are logged by this page when it does them (the
      // server tells the call's members, so not after a call is over)
      if (d.userId === state.me.id) return
      log(`${nameOf(d.userId)} ${d.state === 'joined' ? 'joined' : 'left'} the Agora channel`)
    })

    socket.on('incoming-call', d => {
      log(`Incoming ${d.media} call from ${nameOf(d.from)} in ${conversationName(d.conversationId)}`)
      state.incoming = d
      notice('') // an older notice ("Missed call ...") is not about this call
      $('incoming-title').textContent = `${nameOf(d.from)} is calling you (${d.media})`
      $('incoming-detail').textContent = `In ${conversationName(d.conversationId)} · channel ${d.conversationId}`
      $('incoming').hidden = false
      $('incoming').dataset.callId = d.callId
      renderCallButtons()
    })

    socket.on('call:accepted', d => {
      log(`${who(d.by)} accepted${d.by === state.me.id ? ' on another device' : ''}`)
      if (d.by === state.me.id) {
        // accepted on another device of mine
        if (isIncoming(d.callId)) {
          hideBanner()
          notice('You answered this call on another device')
        }
        return
      }
      if (!isCurrent(d.callId)) return
      state.call.phase = 'active'
      state.call.joined.add(d.by)
      setStatus(`In call with ${namesOf([...state.call.joined])}`)
      renderButtons()
    })

    socket.on('call:declined', d => {
      log(`${who(d.by)} declined${d.by === state.me.id ? ' on another device' : ''}`)
      if (d.by === state.me.id) {
        if (isIncoming(d.callId)) hideBanner()
        return
      }
      if (isCurrent(d.callId)) setStatus(`${nameOf(d.by)} declined`)
    })

    socket.on('call:busy', d => {
      log(`Busy: ${namesOf(d.userIds)}`)
      // in the call panel only (the notice bar is for what happens outside a call)
      if (isCurrent(d.callId)) setStatus(`${namesOf(d.userIds)} ${d.userIds.length > 1 ? 'are' : 'is'} busy in another call`)
    })

    socket.on('call:left', d => {
      log(`${who(d.by)} left the call`)
      if (!isCurrent(d.callId)) return
      state.call.joined.delete(d.by)
      setStatus(`${nameOf(d.by)} left; the call goes on`)
    })

    socket.on('call:cancelled', d => {
      log(d.by ? `${who(d.by)} cancelled the call` : 'The call was cancelled')
      if (isIncoming(d.callId)) {
        const from = state.incoming.from
        hideBanner()
        notice(`Missed call from ${nameOf(from)} (cancelled)`)
      }
      if (isCurrent(d.callId)) endCall(`Call over: ${nameOf(d.by)} hung up before you joined`)
    })

    socket.on('call:missed', d => {
      // to those who missed it: { callId, conversationId }; to those in the call: with the userIds who missed it
      if (!d.userIds) {
        log('You did not answer in time')
        if (isIncoming(d.callId)) {
          const from = state.incoming.from
          hideBanner()
          notice(`Missed call from ${nameOf(from)}`)
        }
        return
      }
      log(`Not answered in time by ${namesOf(d.userIds)}`)
      if (isCurrent(d.callId)) setStatus(`No answer from ${namesOf(d.userIds)}`)
    })

    socket.on('call:ended', d => {
      log(`Call ended (${d.reason}${d.by ? `, by ${who(d.by)}` : ''})`)
      if (!isCurrent(d.callId)) return
      const byName = d.by ? nameOf(d.by) : ''
      const text = {
        hangup: `Call ended: ${byName} hung up`,
        declined: `${byName} declined the call`,
        missed: 'No answer: the call was missed',
        busy: 'Busy: nobody could take the call',
        cancelled: `Call ended: ${byName} cancelled`,
        disconnect: `Call ended: ${byName} lost the connection`,
        'channel-destroyed': 'Call ended: everyone left the Agora channel'
      }[d.reason] || `Call ended (${d.reason})`
      endCall(text)
    })
  }

  const isCurrent = callId => Boolean(state.call && state.call.callId === callId && state.call.phase !== 'over')
  const isIncoming = callId => Boolean(state.incoming && state.incoming.callId === callId)

  function hideBanner() {
    state.incoming = null
    $('incoming').hidden = true
    delete $('incoming').dataset.callId
    renderCallButtons()
  }

  function refusal(res) {
    const code = res && res.error ? res.error.code : 'ERROR'
    if (code === 'FORBIDDEN') return ['Not allowed: you are not a participant of this conversation.', 'refused']
    if (code === 'ALREADY_IN_CALL') return ['You are already in a call.', 'error']
    if (code === 'NO_ONE_TO_CALL') return ['Nobody else is in this conversation.', 'error']
    if (code === 'INVALID_CHANNEL_NAME' || code === 'INVALID_PAYLOAD') return ['That is not a valid conversation id.', 'error']
    return [`Could not start the call: ${res && res.error ? res.error.message : 'unknown error'} (${code})`, 'error']
  }

  // ---- calling ------------------------------------------------------------------------

  async function startCall(conversationId, media = 'video') {
    conversationId = String(conversationId).trim()
    if (inCall()) return // the buttons are off; a second click (or Enter) while one starts does nothing
    notice('')
    if (!conversationId) return notice('Type a conversation id.', 'error')
    // the buttons go off at once, not only when the server has answered
    state.starting = true
    renderCallButtons()
    const done = () => {
      state.starting = false
      renderCallButtons()
    }
    // 1. a token for this channel: the server checks membership first
    let t
    try {
      t = await api('POST', '/api/call/token', { channelName: conversationId })
    } catch (err) {
      done()
      return notice(`Could not start the call: ${err.message}`, 'error')
    }
    if (!t.ok) {
      done()
      const [text, kind] = refusal(t.data)
      log(`Token refused: ${t.status} ${t.data && t.data.error ? t.data.error.code : ''}`)
      return notice(text, kind)
    }
    // 2. ring the others. The call is set up in the acknowledgement callback
    // itself, so that events right behind it (busy, ended) find it.
    state.socket.timeout(5000).emit('call:start', { conversationId, media }, (err, ack) => {
      state.starting = false
      if (err || !ack || !ack.ok) {
        renderCallButtons()
        const [text, kind] = refusal(err ? { error: { code: 'TIMEOUT', message: 'the server did not answer' } } : ack)
        log(`Call refused: ${ack && ack.error ? ack.error.code : 'no answer'}`)
        return notice(text, kind)
      }
      log(`You started a ${media} call in ${conversationName(conversationId)}`)
      openCall({ callId: ack.callId, conversationId, role: 'caller', media })
      showToken(t.data)
    })
  }

  function accept() {
    const d = state.incoming
    if (!d) return
    hideBanner()
    state.socket.timeout(5000).emit('call:accept', { callId: d.callId }, async (err, ack) => {
      if (err || !ack || !ack.ok) {
        return notice(`Could not accept: ${ack && ack.error ? ack.error.message : 'no answer'}`, 'error')
      }
      notice('')
      log(`You accepted the call from ${nameOf(d.from)}`)
      openCall({ callId: d.callId, conversationId: d.conversationId, role: 'callee', media: d.media, from: d.from })
      // my own token for the same channel
      const t = await api('POST', '/api/call/token', { channelName: d.conversationId })
      if (!t.ok) {
        const [text, kind] = refusal(t.data)
        notice(text, kind)
        hangUp('call:end')
        return
      }
      if (state.call && state.call.callId === d.callId) showToken(t.data)
    })
  }

  async function decline() {
    const d = state.incoming
    if (!d) return
    hideBanner()
    const ack = await emitAck('call:decline', { callId: d.callId })
    log(ack && ack.ok ? `You declined the call from ${nameOf(d.from)}` : 'Decline failed')
  }

  function openCall(call) {
    stopMedia()
    const joined = new Set(call.from ? [call.from] : []) // a callee is in the call with the caller
    state.call = { ...call, phase: call.role === 'caller' ? 'ringing' : 'active', joined, token: null }
    const panel = $('call')
    panel.hidden = false
    panel.dataset.callId = call.callId
    const c = state.conversations.get(call.conversationId)
    const name = c ? c.name : call.conversationId
    const kind = call.media === 'video' ? 'Video' : 'Audio'
    // A direct chat is named after the other person: the caller's name once is enough.
    $('call-title').textContent = call.role === 'caller'
      ? `${kind} call · ${name}`
      : c && c.type === 'direct' ? `${kind} call from ${nameOf(call.from)}` : `${kind} call from ${nameOf(call.from)} · ${name}`
    setStatus(call.role === 'caller' ? 'Ringing…' : `In call with ${namesOf([...joined])}`)
    $('call-channel').textContent = ''
    $('call-id').textContent = call.callId
    $('call-token').textContent = 'fetching…'
    $('token-info').tBodies[0].textContent = ''
    $('media-status').textContent = ''
    $('channel-status').hidden = true
    $('videos').hidden = true
    renderButtons()
    renderCallButtons()
  }

  /** The token response ({ token, channelName, expiresAt, ... }) for the current call. */
  function showToken(token) {
    const call = state.call
    call.token = token
    $('call-channel').textContent = token.channelName
    $('call-token').textContent = token.token
    $('call-token').title = `expires at ${new Date(token.expiresAt * 1000).toLocaleString()}`
    showTokenInside(token.token).catch(err => log(`Could not decode the token: ${err.message}`))
    if (call.phase !== 'over') startMedia().catch(err => setMedia(false, `media failed: ${err.message}`))
  }

  function setStatus(text) {
    $('call-status').textContent = text
    if (state.call) $('call').dataset.phase = state.call.phase
  }


  function renderButtons() {
    const c = state.call
    const live = c && c.phase !== 'over'
    $('cancel-btn').hidden = !(live && c.role === 'caller' && c.phase === 'ringing')
    $('hangup-btn').hidden = !(live && !(c.role === 'caller' && c.phase === 'ringing'))
    $('close-btn').hidden = Boolean(live) || !c
  }

  function endCall(text) {
    const c = state.call
    if (!c || c.phase === 'over') return
    c.phase = 'over'
    setStatus(text) // said once, in the call panel (not in the notice bar too)
    renderButtons()
    renderCallButtons()
    stopMedia()
  }

  async function hangUp(event) {
    const c = state.call
    if (!c || c.phase === 'over') return
    const text = event === 'call:cancel' ? 'You cancelled the call' : 'You hung up'
    log(text)
    endCall(text)
    const ack = await emitAck(event, { callId: c.callId })
    if (!ack || !ack.ok) log(`${event}: ${ack && ack.error ? ack.error.code : 'no answer'}`)
  }

  function closeCall() {
    state.call = null
    $('call').hidden = true
    delete $('call').dataset.callId
    $('token-info').tBodies[0].textContent = ''
  }

  // ---- the token, decoded by the server -----------------------------------------------

  async function showTokenInside(token) {
    const res = await api('GET', `/api/call/inspect?token=${encodeURIComponent(token)}`)
    if (!res.ok) throw new Error(res.data && res.data.error ? res.data.error.message : `HTTP ${res.status}`)
    const { token: t, valid, reason } = res.data
    const rtc = (t.services || []).find(s => s.name === 'rtc' || s.type === 1) || {}
    const rows = [
      ['version', t.version, 'token-version'],
      ['app id', t.appId, 'token-app-id'],
      ['channel', rtc.channelName, 'token-channel'],
      ['account', rtc.account, 'token-account'],
      ['privileges', Object.entries(rtc.privileges || {}).map(([k, v]) => `${PRIVILEGES[k] || k} ${v ? `${v} s` : '(no expiry)'}`).join(', '), 'token-privileges'],
      ['issued', new Date(t.issueTs * 1000).toLocaleString(), 'token-issued'],
      ['expires', new Date(t.expiresAt * 1000).toLocaleString(), 'token-expires'],
      ['signature', valid ? 'valid (signed by this server)' : `not valid (${reason})`, 'token-signature']
    ]
    const body = $('token-info').tBodies[0]
    body.textContent = ''
    for (const [label, value, testid] of rows) {
      const tr = document.createElement('tr')
      const th = document.createElement('th')
      th.textContent = label
      const td = document.createElement('td')
      td.textContent = value === undefined ? '' : String(value)
      td.setAttribute('data-testid', testid)
      tr.append(th, td)
      body.append(tr)
    }
  }

  // ---- media with agora-rtc-sdk-ng (optional) -------------------------------------------

  function setMedia(on, text) {
    $('videos').hidden = !on
    const el = $('media-status')
    el.dataset.media = on ? 'on' : 'off'
    el.textContent = on ? `Media: ${text}` : `Media is off: ${text}. Everything else works.`
  }

  function loadScript(src) {
    if (window.AgoraRTC) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const s = document.createElement('script')
      s.src = src
      s.onload = () => resolve()
      s.onerror = () => reject(new Error(`could not load ${src}`))
      document.head.append(s)
    })
  }

  function withTimeout(promise, ms, what) {
    let timer
    return Promise.race([
      promise,
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms) })
    ]).finally(() => clearTimeout(timer))
  }

  async function startMedia() {
    const media = state.config.media
    const call = state.call
    if (!media.enabled) {
      setMedia(false, media.reason)
      if (state.config.channelEvents === 'simulated') await simulate('join', call.token.channelName)
      return
    }
    setMedia(true, 'connecting to Agora…')
    try {
      await loadScript(media.sdkUrl)
    } catch (err) {
      return setMedia(false, `the Agora SDK did not load (${err.message})`)
    }
    if (call !== state.call || call.phase === 'over') return
    const AgoraRTC = window.AgoraRTC
    AgoraRTC.setLogLevel(3)
    const client = AgoraRTC.createClient({ mode: 'rtc', codec: 'vp8' })
    const agora = { client, tracks: [] }
    state.agora = agora
    client.on('user-published', async (user, mediaType) => {
      await client.subscribe(user, mediaType)
      if (mediaType === 'video') user.videoTrack.play(remoteBox(user.uid))
      if (mediaType === 'audio') user.audioTrack.play()
    })
    client.on('user-left', user => {
      const box = document.getElementById(`remote-${user.uid}`)
      if (box) box.remove()
    })
    try {
      // the token was built for the user id as the Agora user account
      await withTimeout(client.join(state.config.appId, call.token.channelName, call.token.token, state.me.id),
        media.joinTimeoutMs || 10000, 'joining')
    } catch (err) {
      state.agora = null
      client.leave().catch(() => {})
      return setMedia(false, `Agora is unreachable or refused the token (${err.message})`)
    }
    if (state.agora !== agora) {
      client.leave().catch(() => {})
      return
    }
    agora.joined = true
    log('You joined the Agora channel')
    try {
      agora.tracks = call.media === 'video'
        ? await AgoraRTC.createMicrophoneAndCameraTracks()
        : [await AgoraRTC.createMicrophoneAudioTrack()]
      const video = agora.tracks.find(t => t.trackMediaType === 'video')
      if (video) video.play('local-video')
      await client.publish(agora.tracks)
      setMedia(true, `joined channel ${call.token.channelName} with ${call.media}`)
    } catch (err) {
      setMedia(true, `joined channel ${call.token.channelName}, receiving only (no camera or microphone: ${err.message})`)
    }
  }

  function remoteBox(uid) {
    let box = document.getElementById(`remote-${uid}`)
    if (!box) {
      box = document.createElement('div')
      box.className = 'video'
      box.id = `remote-${uid}`
      const label = document.createElement('span')
      label.textContent = nameOf(String(uid))
      box.append(label)
      $('remote-videos').append(box)
    }
    return box
  }

  /**
   * The simulated Agora: the server posts to its own webhook what Agora would send for this join or leave.
   * A leave goes only once the join before it was answered (a busy call ends while its join is on the way).
   */
  function simulate(action, channelName) {
    if (action === 'join') state.sim = { channelName }
    const run = state.simQueue.then(() => simulateNow(action, channelName))
    state.simQueue = run.catch(() => {})
    return run
  }

  async function simulateNow(action, channelName) {
    const res = await api('POST', '/api/call/media', { channelName, action })
    if (!res.ok) return log(`Simulated Agora ${action} failed: ${res.status}`)
    log(action === 'join' ? 'You joined the Agora channel' : 'You left the Agora channel')
    const el = $('channel-status')
    el.hidden = false
    el.textContent = action === 'join'
      ? 'Simulated Agora: you are in the channel (the server sent the channel events Agora would send).'
      : 'Simulated Agora: you left the channel.'
  }

  function stopMedia() {
    if (state.sim) {
      const { channelName } = state.sim
      state.sim = null
      simulate('leave', channelName).catch(err => log(`Simulated Agora leave failed: ${err.message}`))
    }
    const agora = state.agora
    state.agora = null
    if (!agora) return
    for (const t of agora.tracks) t.close()
    agora.client.leave().catch(() => {})
    if (agora.joined) log('You left the Agora channel')
    $('remote-videos').textContent = ''
  }

  // ---- wiring ------------------------------------------------------------------------------

  $('accept-btn').addEventListener('click', () => accept())
  $('decline-btn').addEventListener('click', () => decline())
  $('cancel-btn').addEventListener('click', () => hangUp('call:cancel'))
  $('hangup-btn').addEventListener('click', () => hangUp('call:end'))
  $('close-btn').addEventListener('click', () => closeCall())
  $('logout-btn').addEventListener('click', () => logout())
  $('call-by-id').addEventListener('submit', e => {
    e.preventDefault()
    startCall($('conversation-id').value, 'video')
  })

  boot().catch(err => notice(`The demo server did not answer: ${err.message}`, 'error'))
})()
