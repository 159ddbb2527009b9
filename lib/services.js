'use strict'
// The service table and the "006" privilege names, read from the core (the
// binding's `services` and `privileges006`, made from ACT_SERVICES in
// src/core/include/act_token007.h and ACT_TOKEN006_PRIVILEGES in
// act_token006.h). Every JavaScript view of them is derived here: a new
// service type is one line in the C header.
const binding = require('./binding')

// "1:joinChannel 2:publishAudioStream" -> { 1: 'joinChannel', 2: 'publishAudioStream' }
function pairs(text) {
  const out = {}
  for (const item of text.split(' ').filter(Boolean)) {
    const at = item.indexOf(':')
    out[Number(item.slice(0, at))] = item.slice(at + 1)
  }
  return Object.freeze(out)
}

// [{ type, id, name, fieldKind, privileges: { key: name } }] in type order
const SERVICES = Object.freeze(binding.services.map(([type, id, name, fieldKind, privileges]) =>
  Object.freeze({ type, id, name, fieldKind, privileges: pairs(privileges) })))
const BY_TYPE = new Map(SERVICES.map((s) => [s.type, s]))

// { RTC: 1, RTM: 2, ... }
const ServiceType = Object.freeze(Object.fromEntries(SERVICES.map((s) => [s.id, s.type])))

const FIELD_KIND = binding.fieldKinds
// A service type's field kind, undefined for a type the core does not know.
const kindOf = (type) => (BY_TYPE.has(type) ? BY_TYPE.get(type).fieldKind : undefined)
const nameOf = (type) => (BY_TYPE.has(type) ? BY_TYPE.get(type).name : undefined)
// { key: name } of a service type's privileges ({} for a type not known).
const privilegeNames = (type) => (BY_TYPE.has(type) ? BY_TYPE.get(type).privileges : {})
// "006" privileges: { 1: 'joinChannel', ..., 1000: 'rtmLogin' }
const PRIVILEGES_006 = pairs(binding.privileges006)

module.exports = { SERVICES, ServiceType, FIELD_KIND, kindOf, nameOf, privilegeNames, PRIVILEGES_006 }
