/* test_iter_debug.c: rel_foreach built with -DREL_DEBUG (SPEC 6: changing a
 * collection while a view of it is being iterated is detected and
 * reported in a debug build, instead of reading freed memory).
 *
 * Built with -DREL_DEBUG on tests/safety/safety.rel (and as C++, by
 * run_checks.sh).  Each case runs in a forked child whose standard error
 * is read back: a loop that changes the collection it walks must abort
 * (SIGABRT) saying "FILE:LINE: a collection changed while rel_foreach
 * walked it" with the loop's own line; the same loops without the change,
 * and loops that change another collection or only the members' fields,
 * must finish quietly. */
#include "safety.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef REL_DEBUG
#error "test_iter_debug.c is built with -DREL_DEBUG"
#endif

static safety_store *db;
static Node *root, *other;
static Tag *tag;
/* Says, on standard error, that the rel_foreach on the next line must be
 * reported: "expect FILE:LINE". */
#define NEXT_LOOP_ABORTS() fprintf(stderr, "expect %s:%d\n", __FILE__, __LINE__ + 1)

/* root: five children, each with tags; other: a child of its own; tag: on
 * every child of root. */
static void populate(void)
{
    int i;
    db = safety_store_new();
    root = Node_new(db);
    other = Node_new(db);
    tag = Tag_new(db);
    if (!db || !root || !other || !tag || !Node_children_create(other))
        exit(2);
    for (i = 0; i < 5; i++) {
        Node *c = Node_children_create(root);
        if (!c || Node_tags_add(c, tag) != REL_OK || !Node_tags_create(c))
            exit(2);
    }
}

/* The cases.  Each returns normally when the loop finished. */

static void walk_unchanged(void)
{
    size_t n = 0;
    rel_foreach(Node, c, Node_children(root)) {
        n += Node_tags_count(c);
        if (Node_set_title(c, "seen") != REL_OK)   /* a member's field: no collection changes */
            exit(2);
    }
    rel_foreach(Node, m, Tag_nodes(tag))
        n += Node_id(m) != 0;
    if (n != 15)
        exit(2);
}

static void walk_changing_another(void)
{
    rel_foreach(Node, c, Node_children(root)) {
        if (!Node_children_create(other) || !Node_tags_create(c))   /* other's children, c's tags */
            exit(2);
    }
}

static void walk_copy_then_delete(void)
{
    Node *copy[16];
    size_t n = 0, i;
    rel_foreach(Node, c, Node_children(root))
        copy[n++] = c;
    for (i = 0; i < n; i++)
        if (Node_delete(copy[i]) != REL_OK)
            exit(2);
    if (Node_children_count(root) != 0)
        exit(2);
}

static void add_to_set_walked(void)
{
    Node *c = Node_children(root).items[0];
    NEXT_LOOP_ABORTS();
    rel_foreach(Tag, t, Node_tags(c)) {
        if (!Node_tags_create(c))
            exit(2);
        (void)t;
    }
}

static void add_to_set_last_step(void)
{
    /* The change in the last step is caught too, before the loop ends. */
    Node *c = Node_children(root).items[0];
    size_t i = 0;
    NEXT_LOOP_ABORTS();
    rel_foreach(Tag, t, Node_tags(c)) {
        if (++i == Node_tags_count(c) && Node_tags_add(c, Tag_new(db)) != REL_OK)
            exit(2);
        (void)t;
    }
}

static void remove_from_set_walked(void)
{
    NEXT_LOOP_ABORTS();
    rel_foreach(Node, m, Tag_nodes(tag)) {
        if (Tag_nodes_remove(tag, m) != REL_OK)
            exit(2);
    }
}

static void delete_member_walked(void)
{
    NEXT_LOOP_ABORTS();
    rel_foreach(Node, c, Node_children(root)) {
        if (Node_delete(c) != REL_OK)
            exit(2);
    }
}

static void create_in_list_walked(void)
{
    NEXT_LOOP_ABORTS();
    rel_foreach(Node, c, Node_children(root)) {
        if (!Node_children_create(root))
            exit(2);
        (void)c;
    }
}

static void move_member_away(void)
{
    NEXT_LOOP_ABORTS();
    rel_foreach(Node, c, Node_children(root)) {
        if (Node_set_parent(c, other) != REL_OK)
            exit(2);
    }
}

static const struct test_case {
    const char *name;
    void (*run)(void);
    bool aborts;
} cases[] = {
    { "walk, change nothing", walk_unchanged, false },
    { "walk, change another collection", walk_changing_another, false },
    { "copy the view, then delete", walk_copy_then_delete, false },
    { "add to the set walked", add_to_set_walked, true },
    { "add to the set walked, in the last step", add_to_set_last_step, true },
    { "remove from the set walked", remove_from_set_walked, true },
    { "delete the member walked", delete_member_walked, true },
    { "create into the list walked", create_in_list_walked, true },
    { "move the member to another parent", move_member_away, true },
};

int main(void)
{
    size_t i;
    int failed = 0;

    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct test_case *tc = &cases[i];
        int fds[2], status;
        char err[4096], want[256];
        size_t len = 0;
        ssize_t got;
        pid_t pid;
        bool ok;

        if (pipe(fds) != 0)
            return 2;
        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid < 0)
            return 2;
        if (pid == 0) {
            close(fds[0]);
            dup2(fds[1], 2);
            alarm(20);
            populate();
            tc->run();
            fprintf(stderr, "finished\n");
            safety_store_free(db);
            _exit(0);
        }
        close(fds[1]);
        while (len < sizeof err - 1 && (got = read(fds[0], err + len, sizeof err - 1 - len)) > 0)
            len += (size_t)got;
        err[len] = '\0';
        close(fds[0]);
        if (waitpid(pid, &status, 0) != pid)
            return 2;
        if (tc->aborts) {
            /* Killed by abort(), with the message naming the loop's line:
             * "expect FILE:LINE\nFILE:LINE: a collection changed ...\n". */
            const char *at = strncmp(err, "expect ", 7) == 0 ? err + 7 : NULL;
            size_t n = at ? strcspn(at, "\n") : 0;
            snprintf(want, sizeof want, "\n%.*s: a collection changed while rel_foreach walked it\n", (int)n, at ? at : "");
            ok = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT && at && strstr(err, want) != NULL;
        } else {
            ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && strcmp(err, "finished\n") == 0;
        }
        if (!ok) {
            failed++;
            printf("FAIL: %s: %s; its standard error:\n%s\n", tc->name,
                   WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "exited", err);
        }
    }
    printf("REL_DEBUG iteration: %zu cases, %d failed\n", sizeof cases / sizeof *cases, failed);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
