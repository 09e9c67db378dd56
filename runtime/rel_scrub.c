/* rel_scrub.c: what a deleted object reads as (SPEC 6).
 *
 * A deleted object's memory stays the store's until its slot is reused,
 * and the generated getters read members without testing the tag (a test
 * in every getter made the traversals half again as slow).  So the
 * delete leaves nothing stale to read: rel_retire zeroes every member and
 * points every string at "" (a getter then answers as for an empty
 * object: NULL, "", 0, an empty view), and the pool's free list is linked
 * through a 32-bit word that no getter reads, chosen here once per model
 * from the descriptor.
 */
#include "rel_impl.h"

#include <string.h>

/* The bytes of a member of type t. */
static size_t type_size(uint8_t t)
{
    switch (t) {
    case REL_BOOL: return sizeof(bool);
    case REL_INT8: case REL_UINT8: return 1;
    case REL_INT16: case REL_UINT16: return 2;
    case REL_INT32: case REL_UINT32: case REL_FLOAT: return 4;
    case REL_INT64: case REL_UINT64: case REL_DOUBLE: return 8;
    default: return sizeof(void *);   /* a string */
    }
}

/* Whether [a, a + n) and the word [w, w + 4) meet. */
static bool meets(size_t a, size_t n, size_t w) { return a < w + 4 && w < a + n; }

/* Whether the word at w of a list (REL_FOREIGN_KEY) or a set at `at` is
 * what its view reads: items and count. */
static bool set_read(bool list, size_t at, size_t w)
{
    if (list)
        return meets(at + offsetof(rel_list, items), sizeof(void *), w)
            || meets(at + offsetof(rel_list, count), sizeof(uint32_t), w);
    return meets(at + offsetof(rel_vec, items), sizeof(void *), w)
        || meets(at + offsetof(rel_vec, count), sizeof(uint32_t), w);
}

/* Whether some generated getter of model k reads the word at w: the tag,
 * a scalar, a forward pointer, a one-to-one's reverse pointer, a view's
 * items or count. */
static bool word_read(const rel_schema *s, uint32_t k, size_t w)
{
    const rel_model *m = &s->models[k];
    uint32_t i;
    if (meets(0, sizeof(uint32_t), w))
        return true;
    for (i = 0; i < m->nfields; i++)
        if (meets(m->fields[i].offset, type_size(m->fields[i].type), w))
            return true;
    for (i = 0; i < m->nrelations; i++) {
        const rel_relation *r = &s->relations[m->relations[i]];
        if (r->type == REL_MANY_TO_MANY ? set_read(false, r->fwd, w) : meets(r->fwd, sizeof(void *), w))
            return true;
    }
    for (i = 0; i < m->nincoming; i++) {
        const rel_relation *r = &s->relations[m->incoming[i]];
        if (r->symmetrical)
            continue;   /* its one set is the forward member, above */
        if (r->type == REL_ONE_TO_ONE ? meets(r->rev, sizeof(void *), w) : set_read(r->type == REL_FOREIGN_KEY, r->rev, w))
            return true;
    }
    return false;
}

uint32_t rel_link_offset(const rel_schema *s, uint32_t k)
{
    const rel_model *m = &s->models[k];
    size_t cand[4], n = 0, i, end = (m->size + 3) / 4 * 4;
    uint32_t j;
    /* Candidates, cheapest to test first: the tag's neighbour (in the
     * cache line a delete writes anyway), the first ForeignKey's position,
     * the capacity of the first set it declares or list or set it keeps
     * for another model, and the slot's tail. */
    cand[n++] = 4;
    for (j = 0; j < m->nrelations && n == 1; j++) {
        const rel_relation *r = &s->relations[m->relations[j]];
        if (r->type == REL_FOREIGN_KEY)
            cand[n++] = r->pos;
        else if (r->type == REL_MANY_TO_MANY)
            cand[n++] = r->fwd + offsetof(rel_vec, cap);
    }
    for (j = 0; j < m->nincoming; j++) {
        const rel_relation *r = &s->relations[m->incoming[j]];
        if (r->type == REL_FOREIGN_KEY || (r->type == REL_MANY_TO_MANY && !r->symmetrical)) {
            cand[n++] = r->rev + (r->type == REL_FOREIGN_KEY ? offsetof(rel_list, cap) : offsetof(rel_vec, cap));
            break;
        }
    }
    cand[n++] = end;   /* in the slot's padding, or 8 bytes more */
    for (i = 0; i < n; i++)
        if (cand[i] % 4 == 0 && (cand[i] >= m->size || !word_read(s, k, cand[i])))
            return (uint32_t)cand[i];
    return (uint32_t)cand[n - 1];
}

void rel_scrub_strings(const rel_store *db, uint32_t k, void *o)
{
    const rel_model *m = &db->schema->models[k];
    uint32_t j;
    for (j = 0; j < m->nfields; j++)
        if (m->fields[j].type == REL_STRING)
            REL_AT(o, m->fields[j].offset, const char *) = rel_empty_string;
}

/* rel_retire_leaves' loop over items[j..count), after the first slot
 * (tail): each live one killed (rel_kill_slot, without its test of the
 * size when `small`, size being at most 24 bytes: the caller makes one
 * copy of the loop for each case) and chained after the last.  Returns
 * the last; *skipped counts the others. */
REL_ALWAYS_INLINE char *chain(void *const *items, uint32_t j, uint32_t count, char *tail, size_t size, size_t link,
                              bool small, uint32_t *skipped)
{
    for (; j < count; j++) {
        char *x = (char *)items[j];
        uint32_t tag = REL_TAG(x);
        if (tag & (REL_MARK | REL_DEAD)) {
            ++*skipped;
            continue;
        }
        rel_kill_slot(x, (tag & REL_ID_MAX) | REL_DEAD, small ? 16 : size);
        if (small)
            memset(x + size - 8, 0, 8);   /* the rest of a 24-byte slot */
        REL_AT(tail, link, uint32_t) = rel_link_to(x);
        tail = x;
    }
    return tail;
}

void rel_retire_leaves(rel_store *db, uint32_t k, void *const *items, uint32_t count)
{
    rel_model_state *ms = &db->models[k];
    rel_pool *p = &ms->pool;
    size_t size = p->size, link = p->link;
    uint32_t j, skipped = 0;
    char *head, *tail;
#ifdef REL_ASAN
    for (j = 0; j < count; j++)   /* each slot poisoned as it goes */
        if (!(REL_TAG(items[j]) & (REL_MARK | REL_DEAD)))
            rel_retire(db, k, items[j]);
    return;
#endif
    /* rel_retire without its string test (a leaf owns none), the slots
     * chained here (the first one found before the loop, which then
     * always has a tail) and handed to the pool at once. */
    for (j = 0; j < count && (REL_TAG(items[j]) & (REL_MARK | REL_DEAD)); j++)
        skipped++;
    if (j == count)
        return;
    head = (char *)items[j];
    rel_kill_slot(head, (REL_TAG(head) & REL_ID_MAX) | REL_DEAD, size);
    if (size <= 24)
        tail = chain(items, j + 1, count, head, size, link, true, &skipped);
    else
        tail = chain(items, j + 1, count, head, size, link, false, &skipped);
    if (p->free_tail)
        rel_link_set(p, p->free_tail, head);
    else
        p->free_head = head;
    p->free_tail = tail;
    ms->count -= count - skipped;
}
