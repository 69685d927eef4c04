/*
 * Page templates (service/page.c): style sheets shortened without changing
 * what they mean, and text outside them left alone.
 */
#include "../../service/page.h"
#include "check.h"

#include <stdio.h>
#include <string.h>

static void test_minify_styles(void)
{
    static const struct {
        const char *page, *want;
    } cases[] = {
        /* a space before ':' stays: in a selector it is a combinator */
        {"<style>a { b : c ; }</style>", "<style>a{b :c;}</style>"},
        {"<style>\n  a {\n    b: c;\n  }\n</style>", "<style>a{b:c;}</style>"},
        {"<style>/* why */ a { b: c; } /* more */</style>", "<style>a{b:c;}</style>"},
        {"<style>a::before { content: \"  x ; y  \"; }</style>",
         "<style>a::before{content:\"  x ; y  \";}</style>"},
        {"<style>a::before { content: ' /* not a comment */ '; }</style>",
         "<style>a::before{content:' /* not a comment */ ';}</style>"},
        {"<style>.card :hover, dl div:has(dd:empty) { x: 1 }</style>",
         "<style>.card :hover,dl div:has(dd:empty){x:1}</style>"},
        {"<style>ul > li { margin: 0 auto }</style>", "<style>ul >li{margin:0 auto}</style>"},
        {"<p>  two  spaces  </p><style> a { } </style><p> kept </p>",
         "<p>  two  spaces  </p><style>a{}</style><p> kept </p>"},
        {"<style>a{b:c}</style>x<style> d { e: f } </style>",
         "<style>a{b:c}</style>x<style>d{e:f}</style>"},
        {"no style at all", "no style at all"},
        {"<style>a { b: c", "<style>a { b: c"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char page[256];
        snprintf(page, sizeof(page), "%s", cases[i].page);
        page_minify_styles(page);
        CHECK_STR(page, cases[i].want, "styles of '%s'", cases[i].page);
    }
}

void test_page(void)
{
    test_minify_styles();
}
