// Type-checked by `npx tsc -p test/types`: 'agora-call-token/webhooks' used the way an app would.
import { createWebhookRouter, verifyNotification, MemoryDedupeStore, RedisDedupeStore, ChannelEventType, implementation,
  limits } from '../../webhooks'
import type { NotificationEvent, DedupeStore } from '../../webhooks'

const secret = 'ncs-secret'
const r = verifyNotification('{}', { 'agora-signature-v2': 'ab' }, secret)
if (r.valid) {
  const e: NotificationEvent = r.event
  const uid: number | null = e.uid
  console.log(e.type === 'broadcaster-join', uid, e.tsMs, r.version)
} else {
  const reason: 'missing-signature' | 'signature' | 'too-large' | 'not-json' | 'not-object' = r.reason
  console.log(reason)
}
verifyNotification(new Uint8Array(2), new Map([['Agora-Signature', 'x']]), Buffer.from(secret))

const store: DedupeStore = new MemoryDedupeStore({ ttlMs: 60000 })
const router = createWebhookRouter({
  secret,
  dedupe: store,
  limit: 65536,
  async onEvent(event, { req, version }) {
    console.log(event.channelName, event.account, req.headers['content-type'], version)
  },
  onError(err) { console.error(err) },
})
createWebhookRouter({ secret, onEvent() {}, dedupe: new RedisDedupeStore({ client: {}, prefix: 'x:' }) })
console.log(typeof router, ChannelEventType[101], implementation, limits.maxBodyBytes)
