/* emit_dot.c: `relc --emit dot`, a Graphviz entity-relationship diagram of
 * the schema.  Each model is a table of its fields; each relation is one
 * edge from the declaring model to its target, labelled with the field
 * name, the kind, on_delete, the through model and its two ForeignKeys,
 * and the reverse accessor (or how the reverse is hidden).  Like the C emitter it reads a checked unit and never
 * rejects input; the output is deterministic. */
#include "emit.h"
#include "unit.h"

#include <string.h>

/* DOT's keywords, which its grammar takes case-insensitively (a model
 * called Node or EDGE is no ID unless quoted). */
static const char *const dot_keywords[] = { "node", "edge", "graph", "digraph", "subgraph", "strict" };

static bool ascii_caseeq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        if (x != *b)
            return false;
    }
    return *a == *b;
}

/* Whether s may stand bare as a DOT ID: letters, digits and '_', not
 * starting with a digit, and no keyword. */
static bool dot_bare_id(const char *s)
{
    size_t i;
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (i = 1; s[i]; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')
              || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    for (i = 0; i < sizeof dot_keywords / sizeof dot_keywords[0]; i++)
        if (ascii_caseeq(s, dot_keywords[i]))
            return false;
    return true;
}

/* Escaped text goes out in runs, not a character at a time: fewer calls,
 * and a run that starts a line is never a single character (which the
 * printer would leave unindented). */
typedef struct Run {
    Printer *p;
    size_t n;
    char buf[128];
} Run;

static void run_put(Run *r, const char *s)
{
    size_t k = strlen(s);
    if (r->n + k > sizeof r->buf) {
        pr_raw(r->p, r->buf, r->n);
        r->n = 0;
    }
    memcpy(r->buf + r->n, s, k);
    r->n += k;
}

/* s inside a DOT string (between quotes too when quote is set): quotes and
 * backslashes escaped, line breaks as spaces (a hidden related_name may
 * hold any text).  In a label Graphviz reads \\ back as one backslash; in
 * an ID the text only has to be the same at every use, and it is. */
static void dot_string(Printer *p, const char *s, bool quote)
{
    Run r;
    char one[2] = { 0, 0 };
    r.p = p;
    r.n = 0;
    if (quote)
        run_put(&r, "\"");
    for (; *s; s++) {
        one[0] = *s;
        run_put(&r, *s == '"' ? "\\\"" : *s == '\\' ? "\\\\"
                    : *s == '\n' || *s == '\r' ? " " : one);
    }
    if (quote)
        run_put(&r, "\"");
    pr_raw(p, r.buf, r.n);
}

static void dot_text(Printer *p, const char *s)
{
    dot_string(p, s, false);
}

/* A DOT ID (node, port): bare when DOT's grammar allows it, so the
 * diagrams stay readable, else quoted (keywords, anything else). */
static void dot_id(Printer *p, const char *s)
{
    if (dot_bare_id(s))
        pr(p, "%s", s);
    else
        dot_string(p, s, true);
}

/* s inside an HTML-like label, or inside one of its attribute values. */
static void html_text(Printer *p, const char *s)
{
    Run r;
    char one[2] = { 0, 0 };
    r.p = p;
    r.n = 0;
    for (; *s; s++) {
        one[0] = *s;
        run_put(&r, *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
                    : *s == '"' ? "&quot;" : *s == '\n' || *s == '\r' ? " " : one);
    }
    pr_raw(p, r.buf, r.n);
}

/* Text inside a C comment: no '*' followed by '/' that would end it. */
static void comment_text(Printer *p, const char *s)
{
    for (; *s; s++) {
        pr_raw(p, s, 1);
        if (*s == '*' && s[1] == '/')
            pr(p, " ");
    }
}

/* What a field's row says after its name (HTML-like text). */
static void field_type(Printer *p, const Field *f)
{
    if (!f->is_relation) {
        html_text(p, field_kind_name(f->kind));
        if (f->max_length)
            pr(p, "(max_length = %lu)", (unsigned long)f->max_length);
        if (f->unique)
            pr(p, " <i>unique</i>");
        return;
    }
    if (f->kind == FK_GENERIC_FK) {
        size_t j;
        for (j = 0; j < f->nparts; j++) {
            pr(p, j ? " | " : "generic: ");
            html_text(p, f->parts[j]->target->name);
        }
    } else {
        html_text(p, f->target_is_self ? "self" : f->target->name);
    }
    if (f->through_src) {
        pr(p, " through ");
        html_text(p, f->through->name);
    }
    if (f->null)
        pr(p, " (null)");
    if (f->unique && f->kind == FK_FOREIGN_KEY)
        pr(p, " <i>unique</i>");
}

/* One row per unique_together group: "unique (a, b)". */
static void together_rows(Printer *p, const Model *m)
{
    size_t i, j;
    for (i = 0; i < m->nuniques; i++) {
        const Unique *u = &m->uniques[i];
        if (!u->together)
            continue;
        pr(p, "<tr><td align=\"left\"><i>unique (");
        for (j = 0; j < u->n; j++) {
            if (j)
                pr(p, ", ");
            html_text(p, u->fields[j]->name);
        }
        pr(p, ")</i></td></tr>\n");
    }
}

static void model_node(Printer *p, const Model *m)
{
    const Field *f;
    dot_id(p, m->name);
    pr(p, " [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"4\">\n");
    p->indent++;
    pr(p, "<tr><td bgcolor=\"#dde6f0\"><b>");
    html_text(p, m->name);
    pr(p, "</b></td></tr>\n");
    for (f = m->fields; f; f = f->next) {
        pr(p, "<tr><td align=\"left\" port=\"");
        html_text(p, f->name);
        pr(p, "\">");
        html_text(p, f->name);
        pr(p, ": ");
        field_type(p, f);
        pr(p, "</td></tr>\n");
    }
    together_rows(p, m);
    p->indent--;
    pr(p, "</table>>];\n");
}

/* The reverse side, as the edge label's last line says it. */
static void reverse_text(Printer *p, const Field *f)
{
    if (f->symmetrical)
        pr(p, "symmetrical: no reverse");
    else if (f->head && f->hidden)   /* kept all the same: deletes cascade */
        pr(p, "no GenericRelation: reverse unnamed");
    else if (f->hidden) {
        pr(p, "reverse hidden (related_name '");
        dot_text(p, f->related_name ? f->related_name : "+");
        pr(p, "')");
    }
    else {
        pr(p, "reverse: ");
        dot_text(p, f->target->name);
        pr(p, ".");
        dot_text(p, f->accessor);
    }
}

static void relation_edge(Printer *p, const Field *f)
{
    const char *kind = f->kind == FK_FOREIGN_KEY ? "ForeignKey"
                       : f->kind == FK_ONE_TO_ONE ? "OneToOneField"
                       : f->kind == FK_GENERIC_FK ? "GenericForeignKey" : "ManyToManyField";
    /* Crow's feet: many books to one author, one to one, many to many.
     * A generic relation is a ForeignKey to each model it lists. */
    const char *ends = f->kind == FK_FOREIGN_KEY || f->kind == FK_GENERIC_FK ? "arrowtail=crow, arrowhead=tee"
                       : f->kind == FK_ONE_TO_ONE ? "arrowtail=tee, arrowhead=tee"
                       : "arrowtail=crow, arrowhead=crow";

    dot_id(p, f->model->name);
    pr(p, ":");
    dot_id(p, f->name);
    pr(p, " -> ");
    dot_id(p, f->target->name);
    pr(p, " [dir=both, %s, label=\"", ends);
    dot_text(p, f->name);
    pr(p, "\\n%s", kind);
    if (f->on_delete != OD_NONE)
        pr(p, ", %s", on_delete_name(f->on_delete));
    if (f->through_src) {
        pr(p, "\\nthrough ");
        dot_text(p, f->through->name);
        pr(p, " (");
        dot_text(p, f->through_src->name);
        pr(p, ", ");
        dot_text(p, f->through_dst->name);
        pr(p, ")");
    }
    if (f->to_field) {
        pr(p, ", to_field ");
        dot_text(p, f->to_field->name);
    }
    pr(p, "\\n");
    reverse_text(p, f);
    if (f->kind == FK_GENERIC_FK)   /* dotted: one of the models it lists */
        pr(p, "\", style=dotted];\n");
    else
        pr(p, "\"%s];\n", f->hidden || f->symmetrical ? ", style=dashed" : "");
}

bool emit_dot(const RelcUnit *u, Printer *p)
{
    const Schema *s = u->schema;
    const char *stem = relc_unit_output_stem(u);
    size_t i;

    pr(p, "/* ");
    comment_text(p, stem);
    pr(p, ".dot: generated by relc %s; do not edit.\n", RELC_VERSION);
    pr(p, " * Render it with Graphviz: dot -Tsvg ");
    comment_text(p, stem);
    pr(p, ".dot -o ");
    comment_text(p, stem);
    pr(p, ".svg */\n");
    /* The graph's name is always quoted, as it always was. */
    pr(p, "digraph ");
    dot_string(p, s->name, true);
    pr(p, " {\n");
    p->indent++;
    pr(p, "graph [rankdir=LR, fontname=\"Helvetica\", nodesep=0.5, ranksep=1.2];\n");
    pr(p, "node [shape=plaintext, fontname=\"Helvetica\", fontsize=11];\n");
    pr(p, "edge [fontname=\"Helvetica\", fontsize=9];\n\n");
    for (i = 0; i < s->nmodels; i++)
        model_node(p, s->model_array[i]);
    pr(p, "\n");
    for (i = 0; i < s->nmodels; i++) {
        const Field *f;
        for (f = s->model_array[i]->fields; f; f = f->next) {
            size_t j;
            if (f->kind == FK_GENERIC_FK)
                for (j = 0; j < f->nparts; j++)
                    relation_edge(p, f->parts[j]);
            else if (f->is_relation)
                relation_edge(p, f);
        }
    }
    p->indent--;
    pr(p, "}\n");
    return !p->oom;
}
