/* Conversation membership: is a user id among a conversation's participants?
 * Ids are ObjectIds (12 bytes, or their 24-hex text in either case) or plain
 * strings. Two ids are the same user when they are the same ObjectId or the
 * same string. */
#ifndef ACT_MEMBERSHIP_H
#define ACT_MEMBERSHIP_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define ACT_OID_LEN 12

typedef enum { ACT_ID_NONE = 0, ACT_ID_OID, ACT_ID_TEXT } act_id_kind;

typedef struct {
  act_id_kind kind;
  const uint8_t *p; /* OID: 12 bytes; TEXT: the string's bytes */
  size_t n;
} act_id;

/* An id from text: 24 hexadecimal characters become an ObjectId (decoded into
 * oid_buf, which must outlive *out), anything else stays text. */
void act_id_from_text(const char *s, size_t n, uint8_t oid_buf[ACT_OID_LEN], act_id *out);

/* An id from 12 raw ObjectId bytes. */
void act_id_from_oid(const uint8_t *bytes, act_id *out);

/* Same kind and same bytes; an empty id equals nothing. */
int act_id_equal(const act_id *a, const act_id *b);

/* Supplies participant i: returns 1 with *out set, 0 when it has no usable id
 * (it never matches), or -1 to stop the walk (act_find_participant returns -2). */
typedef int (*act_id_source)(void *user, size_t i, act_id *out, uint8_t oid_buf[ACT_OID_LEN]);

/* Walks n participants, asking src for each, and returns the index of the first
 * equal to needle, -1 when none is, or -2 when src stopped the walk. A NONE
 * needle matches nothing (and src is not called). */
long act_find_participant(const act_id *needle, size_t n, act_id_source src, void *user);

#endif
