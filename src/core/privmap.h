/* Internal: privilege maps: u16(count) then u16(key) u32(value) in ascending key order. */
#ifndef ACT_PRIVMAP_H
#define ACT_PRIVMAP_H

#include "pack.h"
#include "include/act_types.h"

/* Copies n privileges into out (room for ACT_MAX_PRIVS) sorted by key.
 * ACT_ERR_TOO_MANY past ACT_MAX_PRIVS, ACT_ERR_DUPLICATE when a key repeats. */
act_status act_privs_sort(const act_priv *in, size_t n, act_priv *out);

/* Writes a privilege map already sorted by act_privs_sort. */
void act_put_privmap(act_writer *w, const act_priv *sorted, size_t n);

/* Reads a privilege map into out (room for ACT_MAX_PRIVS). */
act_status act_get_privmap(act_reader *r, act_priv *out, size_t *n);

#endif
