/*
 * test_evloop.c: the default event loop: handles, timers, removal from
 * inside callbacks, wakeup from other threads.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "evloop.h"
#include "testutil.h"
#include "util.h"

static int fired, freed, handle_events;

static void on_timer(int timer, void *opaque)
{
    fired++;
    if (fired == 3)
        virtkit_event_remove_timeout(timer);
}

static void on_free(void *opaque)
{
    freed++;
}

static void on_read(int watch, int fd, int events, void *opaque)
{
    char c;
    handle_events |= events;
    if (read(fd, &c, 1) == 1 && c == 'q')
        virtkit_event_remove_handle(watch);
}

static void test_timer_repeats_and_removes(void **state)
{
    fired = freed = 0;
    int t = virtkit_event_add_timeout(1, on_timer, NULL, on_free);
    assert_true(t > 0);
    int64_t start = vk_now_ms();
    while (freed == 0 && vk_now_ms() - start < 2000)
        VKT_OK(virtkit_event_run_default_impl());
    assert_int_equal(fired, 3);
    assert_int_equal(freed, 1);
    assert_int_equal(virtkit_event_remove_timeout(t), -1);
}

static void test_handle_read_and_self_remove(void **state)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    freed = handle_events = 0;
    int w = virtkit_event_add_handle(p[0], VIRTKIT_EVENT_HANDLE_READABLE, on_read, NULL, on_free);
    assert_true(w > 0);
    assert_int_equal(write(p[1], "aq", 2), 2);
    int64_t start = vk_now_ms();
    while (freed == 0 && vk_now_ms() - start < 2000)
        VKT_OK(virtkit_event_run_default_impl());
    assert_true(handle_events & VIRTKIT_EVENT_HANDLE_READABLE);
    assert_int_equal(freed, 1);
    close(p[0]);
    close(p[1]);
}

static void *add_later(void *arg)
{
    usleep(50000);
    virtkit_event_add_timeout(0, on_timer, NULL, on_free);
    return NULL;
}

static void test_wakeup_from_thread(void **state)
{
    /* A blocked loop (no timers) must notice a timer added elsewhere. */
    fired = freed = 0;
    pthread_t t;
    pthread_create(&t, NULL, add_later, NULL);
    int64_t start = vk_now_ms();
    while (freed == 0 && vk_now_ms() - start < 3000)
        VKT_OK(virtkit_event_run_default_impl());
    pthread_join(t, NULL);
    assert_int_equal(fired, 3);
    assert_true(vk_now_ms() - start < 2000);
}

static void on_tick(int timer, void *opaque)
{
}

static void test_disabled_timer(void **state)
{
    fired = 0;
    int t = virtkit_event_add_timeout(-1, on_timer, NULL, NULL);
    int t2 = virtkit_event_add_timeout(20, on_timer, NULL, NULL);
    virtkit_event_remove_timeout(t2);
    int64_t start = vk_now_ms();
    int k = virtkit_event_add_timeout(50, on_timer, NULL, NULL);
    virtkit_event_update_timeout(k, -1);
    /* a ticking timer keeps the loop from sleeping forever */
    int tick = virtkit_event_add_timeout(10, on_tick, NULL, NULL);
    while (vk_now_ms() - start < 150)
        VKT_OK(virtkit_event_run_default_impl());
    assert_int_equal(fired, 0);
    virtkit_event_remove_timeout(t);
    virtkit_event_remove_timeout(k);
    virtkit_event_remove_timeout(tick);
}

static int setup(void **state)
{
    return virtkit_event_register_default_impl();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_repeats_and_removes),
        cmocka_unit_test(test_handle_read_and_self_remove),
        cmocka_unit_test(test_wakeup_from_thread),
        cmocka_unit_test(test_disabled_timer),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
