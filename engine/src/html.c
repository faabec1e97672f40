/* html.c - HTML to text with libxml2; see html.h. */
#include "html.h"

#include <libxml/HTMLparser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* Separates words: at most one space or line break in a row. */
static void sep(dlp_textbuf_t *o, char c)
{
    if (o->n == 0)
        return;
    char last = o->p[o->n - 1];
    if (last == '\n' || (last == ' ' && c == ' '))
        return;
    if (last == ' ' && c == '\n')
        o->p[o->n - 1] = '\n';
    else
        dlp_textbuf_put(o, &c, 1);
}

static int skipped(const char *name)
{
    return !strcasecmp(name, "script") || !strcasecmp(name, "style") || !strcasecmp(name, "head") ||
           !strcasecmp(name, "noscript") || !strcasecmp(name, "template");
}

static int is_block(const char *name)
{
    static const char *const blocks[] = {"p",       "div", "br",         "tr",    "li", "h1",
                                         "h2",      "h3",  "h4",         "h5",    "h6", "table",
                                         "ul",      "ol",  "blockquote", "pre",   "hr", "section",
                                         "article", "td",  "th",         "title", NULL};
    for (size_t i = 0; blocks[i]; i++)
        if (!strcasecmp(name, blocks[i]))
            return 1;
    return 0;
}

/* Text of the tree in document order, iteratively (deep nesting is no threat). */
static void render(dlp_textbuf_t *o, xmlNode *root)
{
    xmlNode *n = root;
    while (n && !o->oom) {
        int descend = 0;
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            const char *t = (const char *)n->content;
            while (t && *t) {
                size_t run = strcspn(t, " \t\r\n"); /* a word, copied whole */
                dlp_textbuf_put(o, t, run);
                t += run;
                if (*t) {
                    sep(o, ' ');
                    t += strspn(t, " \t\r\n");
                }
            }
        } else if (n->type == XML_ELEMENT_NODE && !skipped((const char *)n->name)) {
            if (is_block((const char *)n->name))
                sep(o, '\n');
            else if (!strcasecmp((const char *)n->name, "td"))
                sep(o, ' ');
            descend = n->children != NULL;
        }
        if (descend) {
            n = n->children;
            continue;
        }
        while (n && n != root && !n->next) {
            n = n->parent;
            if (n && n->type == XML_ELEMENT_NODE && is_block((const char *)n->name))
                sep(o, '\n');
        }
        if (!n || n == root)
            break;
        n = n->next;
    }
}

char *dlp_html_to_text(const uint8_t *html, size_t len, size_t *out_len)
{
    dlp_textbuf_t o = {0};
    if (len > INT32_MAX)
        len = INT32_MAX;
    htmlDocPtr doc = htmlReadMemory((const char *)html, (int)len, NULL, "UTF-8",
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                        HTML_PARSE_NONET | HTML_PARSE_COMPACT);
    if (doc) {
        xmlNode *root = xmlDocGetRootElement(doc);
        if (root)
            render(&o, root);
        xmlFreeDoc(doc);
    }
    return dlp_textbuf_finish(&o, out_len);
}
