/* agora-call-token's C core: everything a caller needs. Plain C11, no Node. */
#ifndef ACT_H
#define ACT_H

#include "ctx.h"
#include "encoding.h"
#include "act_limits.h"
#include "status.h"
#include "token006.h"
#include "token007.h"
#include "types.h"

#endif
