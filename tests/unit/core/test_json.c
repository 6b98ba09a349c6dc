/* The summary.json reader: top-level values, array elements, and the
 * members of one top-level object (not those of other objects, nor the
 * top-level keys after it); the string writer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "itpsim/json.h"

static const char text[] =
    "{\n  \"seed\": 18446744073709551615,\n"
    "  \"sets\": [\"a=1\", \"b=\\\"x,y\\\"\"],\n"
    "  \"provenance\": {\"version\": \"1.2\", \"command\": \"itpsim run \\\"<a&b>\\\"\", "
    "\"threads\": 4, \"inner\": {\"date\": \"no\"}},\n"
    "  \"other\": {\"date\": \"wrong\"},\n"
    "  \"date\": \"top\"\n}\n";

static void test_top_level(void **state)
{
    (void)state;
    char v[64];
    assert_int_equal(itp_json_get(text, "seed", -1, v, sizeof v), 1);
    assert_string_equal(v, "18446744073709551615");
    assert_int_equal(itp_json_get(text, "sets", 1, v, sizeof v), 1);
    assert_string_equal(v, "b=\"x,y\"");
    assert_int_equal(itp_json_get(text, "sets", 2, v, sizeof v), 0);
    assert_int_equal(itp_json_get(text, "version", -1, v, sizeof v), 0); /* nested only */
    assert_int_equal(itp_json_get(text, "date", -1, v, sizeof v), 1);
    assert_string_equal(v, "top");
}

static void test_member(void **state)
{
    (void)state;
    char v[64];
    assert_int_equal(itp_json_get_member(text, "provenance", "version", v, sizeof v), 1);
    assert_string_equal(v, "1.2");
    assert_int_equal(itp_json_get_member(text, "provenance", "command", v, sizeof v), 1);
    assert_string_equal(v, "itpsim run \"<a&b>\"");
    assert_int_equal(itp_json_get_member(text, "provenance", "threads", v, sizeof v), 1);
    assert_string_equal(v, "4");
    /* neither a nested object's key nor one of another object or the top level */
    assert_int_equal(itp_json_get_member(text, "provenance", "date", v, sizeof v), 0);
    assert_int_equal(itp_json_get_member(text, "other", "date", v, sizeof v), 1);
    assert_string_equal(v, "wrong");
    assert_int_equal(itp_json_get_member(text, "seed", "version", v, sizeof v), 0);
    assert_int_equal(itp_json_get_member(text, "missing", "version", v, sizeof v), 0);
}

/* The writer: quotes and backslashes escaped, a control character as
 * \u00XX; and what it writes reads back as the text written. */
static void test_put_str(void **state)
{
    (void)state;
    char buf[256] = "", v[64];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    fputs("{\"s\": ", f);
    itp_json_put_str(f, "a\"b\\c\td");
    fputs("}", f);
    fclose(f);
    assert_string_equal(buf, "{\"s\": \"a\\\"b\\\\c\\u0009d\"}");
    assert_int_equal(itp_json_get(buf, "s", -1, v, sizeof v), 1);
    assert_int_equal(strncmp(v, "a\"b\\c", 5), 0);
    /* an array of them, read back element by element; none is [] */
    static const char *const sets[] = {"x=1", "y=\"z\""};
    f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    fputs("{\"a\": ", f);
    itp_json_put_strs(f, sets, 2);
    fputs(", \"b\": ", f);
    itp_json_put_strs(f, NULL, 0);
    fputs("}", f);
    fclose(f);
    assert_string_equal(buf, "{\"a\": [\"x=1\", \"y=\\\"z\\\"\"], \"b\": []}");
    assert_int_equal(itp_json_get(buf, "a", 1, v, sizeof v), 1);
    assert_string_equal(v, "y=\"z\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_top_level),
        cmocka_unit_test(test_member),
        cmocka_unit_test(test_put_str),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
