/* rel_m2m.c: the out-of-line halves of the many-to-many inline helpers in
 * rel.h (rel_m2m_add), kept out of them so that what every generated add
 * inlines is mostly the path that succeeds. */
#include "rel_impl.h"

/* rel_m2m_add tests both objects with one branch: which of them failed,
 * and how, is found here. */
REL_COLD rel_status rel_fail_pair(uint32_t r, void *m, void *t, bool m_is_self, const char *who)
{
    if (!rel_alive(m) || !rel_alive(t))
        return rel_fail_link(r, m, t, m_is_self, who);
    return rel_fail_other_store(r, m, t, m_is_self, who);
}
