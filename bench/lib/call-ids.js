'use strict'
// The user and conversation ids of the call rows, shared by the harness and the
// server child: lowercase 24-hex strings (what a Mongo app's ids look like as text).
const hex24 = (prefix, i) => prefix + i.toString(16).padStart(24 - prefix.length, '0')

// pair i: caller, callee and their 2-member conversation
const pairCaller = (i) => hex24('a0', 2 * i)
const pairCallee = (i) => hex24('a0', 2 * i + 1)
const pairConversation = (i) => hex24('c0', i)

// a group of n members: member i, the conversation id
const groupMember = (n, i) => hex24(`b${n.toString(16)}f`, i)
const groupConversation = (n) => hex24('d0', n)
// the caller sits in the middle of the list; the connected members are spread
// over the list, the last of them at its end (rung last by an in-order ring)
const groupCallerIndex = (n) => n >> 1
function groupConnectedIndexes(n, count) {
  const out = []
  for (let k = 1; k <= count; k++) {
    const i = Math.round((k * (n - 1)) / count)
    out.push(i === groupCallerIndex(n) ? i - 1 : i)
  }
  return out
}

module.exports = { pairCaller, pairCallee, pairConversation, groupMember, groupConversation, groupCallerIndex,
  groupConnectedIndexes }
