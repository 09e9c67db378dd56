/* parse.y: the grammar of a .rel schema (SPEC section 1).
 *
 * A pure parser over the reentrant scanner in scan.l.  Actions only build
 * AST nodes (ast.c); every meaning is decided later, in check.c.  Errors
 * recover at the end of the field (';') or of the model ('}'), so one run
 * reports them all.
 */
%require "3.6"
%define api.pure full
%define api.prefix {relc_yy}
%define api.location.type {Loc}
%define parse.error custom
%define parse.lac full
%locations
%expect 0

%code requires {
#include "syntax.h"
#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif
}

%code provides {
/* The names flex's bison bridge expects. */
#ifndef YYSTYPE
#define YYSTYPE RELC_YYSTYPE
#endif
#ifndef YYLTYPE
#define YYLTYPE RELC_YYLTYPE
#endif
int relc_yylex(RELC_YYSTYPE *yylval, Loc *yylloc, yyscan_t scanner);
}

%code {
#include <stdio.h>
#include <string.h>

#define B (&pc->builder)
static void relc_yyerror(Loc *loc, yyscan_t scanner, ParseCtx *pc, const char *msg);
}

%param {yyscan_t scanner}
%parse-param {ParseCtx *pc}

%union {
    Tok tok;
    Value val;
    Field *field;
    Arg *arg;
    ModelBody body;
}

%token END 0 "end of file"
%token <tok> IDENT "name" SCHEMA "'schema'" MODEL "'model'"
%token <val> STRING "string" INT "integer" FLOAT "number"

%nterm <tok> name
%nterm <val> value
%nterm <body> members
%nterm <field> field
%nterm <arg> args opt_args arg option

%%

/* file: [ 'schema' name ';' ] model* */
file
    : opt_schema models
    ;

opt_schema
    : %empty
    | SCHEMA name ';'          { ast_set_schema_name(B, $2.text, @2); }
    | SCHEMA error ';'
    ;

models
    : %empty
    | models model
    | models error '}'         { yyerrok; }
    ;

/* model: 'model' name '{' ( field | option )* '}' ; a broken member list
 * still yields the model, so references to it do not cascade into "unknown
 * model" errors. */
model
    : MODEL name '{' members '}'          { ast_model(B, $2.text, @2, $1.doc, $4); }
    | MODEL name '{' members error '}'    { ast_model(B, $2.text, @2, $1.doc, $4); yyerrok; }
    ;

members
    : %empty                   { $$.fields = NULL; $$.options = NULL; }
    | members field            { $$ = $1; $$.fields = ast_field_push($1.fields, $2); }
    | members option           { $$ = $1; $$.options = ast_arg_push($1.options, $2); }
    | members error ';'        { $$ = $1; yyerrok; }
    ;

/* field: name ':' type [ '(' args ')' ] ';' */
field
    : name ':' IDENT ';'
        { $$ = ast_field(B, $1.text, @1, $1.doc, $3.text, @3, NULL); }
    | name ':' IDENT '(' opt_args ')' ';'
        { $$ = ast_field(B, $1.text, @1, $1.doc, $3.text, @3, $5); }
    ;

/* option: name '=' value ';' : a model-level option, Django's Meta
 * (unique_together = ("a", "b");). */
option
    : name '=' value ';'       { $$ = ast_arg(B, $1.text, @1, &$3, @$); }
    ;

/* The keywords are names too where a name is expected: a field may be
 * called `model`. */
name
    : IDENT
    | SCHEMA
    | MODEL
    ;

opt_args
    : %empty                   { $$ = NULL; }
    | args
    | args ','
    ;

/* Pushed in reverse; ast_field and the call value put them back in order. */
args
    : arg                      { $$ = ast_arg_push(NULL, $1); }
    | args ',' arg             { $$ = ast_arg_push($1, $3); }
    ;

/* arg: value | name '=' value ; the first positional one is a target. */
arg
    : value                    { $$ = ast_arg(B, NULL, @1, &$1, @$); }
    | name '=' value           { $$ = ast_arg(B, $1.text, @1, &$3, @$); }
    ;

/* A name as a value: a target or an action.  The keywords are names here
 * too, so that a model called `model` can be a bare target. */
value
    : STRING
    | INT
    | FLOAT
    | name
        {
            memset(&$$, 0, sizeof $$);
            $$.kind = VAL_IDENT; $$.loc = @1; $$.text = $1.text; $$.len = $1.len;
        }
    | IDENT '(' opt_args ')'
        {
            memset(&$$, 0, sizeof $$);
            $$.kind = VAL_CALL; $$.loc = @$; $$.text = $1.text; $$.len = $1.len;
            $$.args = ast_args_in_order($3);
        }
    /* A list: ("group", "person") as through_fields, or a list of them as
     * unique_together; Python's tuples and lists are both written. */
    | '(' opt_args ')'
        {
            memset(&$$, 0, sizeof $$);
            $$.kind = VAL_LIST; $$.loc = @$;
            $$.args = ast_args_in_order($2);
        }
    | '[' opt_args ']'
        {
            memset(&$$, 0, sizeof $$);
            $$.kind = VAL_LIST; $$.loc = @$;
            $$.args = ast_args_in_order($2);
        }
    ;

%%

/* "unexpected 'x', expected ';' or '('": the token as written, and what
 * would have been accepted there. */
static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, ParseCtx *pc)
{
    enum { MAX_EXPECTED = 6 };
    yysymbol_kind_t expected[MAX_EXPECTED];
    yysymbol_kind_t la = yypcontext_token(ctx);
    const Loc *loc = yypcontext_location(ctx);
    char msg[256];
    size_t len = 0;
    int n = yypcontext_expected_tokens(ctx, expected, MAX_EXPECTED);
    int i;
    (void)scanner;

    if (pc->too_deep)
        return 0;               /* the scanner said why it stopped */
    if (la == YYSYMBOL_YYEOF)
        len += (size_t)snprintf(msg, sizeof msg, "unexpected end of file");
    else if (la == YYSYMBOL_IDENT || la == YYSYMBOL_INT || la == YYSYMBOL_FLOAT)
        len += (size_t)snprintf(msg, sizeof msg, "unexpected %s '%s'",
                                yysymbol_name(la), pc->last_text);
    else
        len += (size_t)snprintf(msg, sizeof msg, "unexpected %s", yysymbol_name(la));
    for (i = 0; i < n && len < sizeof msg; i++)
        len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s",
                                i == 0 ? ", expected " : i == n - 1 ? " or " : ", ",
                                yysymbol_name(expected[i]));
    pc->syntax_errors++;
    diag_error(pc->diags, *loc, "E100", "%s", msg);
    return 0;
}

static void relc_yyerror(Loc *loc, yyscan_t scanner, ParseCtx *pc, const char *msg)
{
    (void)scanner;
    pc->syntax_errors++;
    diag_error(pc->diags, *loc, "E100", "%s", msg);   /* "memory exhausted" */
}
