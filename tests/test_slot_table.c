/* The slot table (blocks/slot_table.h): slots come back zeroed, the most recently freed is
 * reused first, indices stay stable while the table grows past its first allocation, and a
 * clear forgets everything. */
#include "slot_table.h"

#include <criterion/criterion.h>

typedef struct item {
    uint64_t a;
    uint32_t b;
} item;

Test(slot_table, reuses_the_last_freed_slot_zeroed) {
    slot_table t;
    slot_table_init(&t, sizeof(item));
    uint32_t x = slot_table_take(&t), y = slot_table_take(&t), z = slot_table_take(&t);
    cr_expect_eq(x, 0);
    cr_expect_eq(y, 1);
    cr_expect_eq(z, 2);
    ((item *)slot_table_at(&t, x))->a = 7;
    ((item *)slot_table_at(&t, y))->b = 9;
    slot_table_put(&t, x);
    slot_table_put(&t, y);
    cr_expect_eq(slot_table_take(&t), y, "last freed first");
    cr_expect_eq(((item *)slot_table_at(&t, y))->b, 0, "taken slots are zeroed");
    cr_expect_eq(slot_table_take(&t), x);
    cr_expect_eq(((item *)slot_table_at(&t, x))->a, 0);
    cr_expect_eq(slot_table_take(&t), 3, "then the next unused one");
    slot_table_free(&t);
}

Test(slot_table, grows_keeping_contents_and_clears) {
    slot_table t;
    slot_table_init(&t, sizeof(item));
    enum { N = 1000 };
    for (uint32_t i = 0; i < N; i++) {
        cr_assert_eq(slot_table_take(&t), i);
        ((item *)slot_table_at(&t, i))->a = 3 * (uint64_t)i + 1;
    }
    for (uint32_t i = 0; i < N; i++)
        cr_expect_eq(((item *)slot_table_at(&t, i))->a, 3 * (uint64_t)i + 1, "slot %u", i);
    cr_expect_geq(t.cap, N);
    slot_table_clear(&t);
    cr_expect_eq(t.n, 0);
    cr_expect_eq(slot_table_take(&t), 0);
    cr_expect_eq(((item *)slot_table_at(&t, 0))->a, 0, "a slot taken after a clear is zeroed");
    slot_table_free(&t);
    cr_expect_null(t.items);
}
