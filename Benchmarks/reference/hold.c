/* The hold benchmark with a plain C binary heap of (time, sequence, payload) entries and GSL exponential draws:
   the same work as `fleetsim bench --only hold`, as the reference the Swift kernel is compared with.
   Build and run: make bench-reference */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct { double time; uint64_t sequence; int32_t payload; } entry;

static entry *heap;
static size_t count;
static uint64_t next_sequence;

static int precedes(const entry *a, const entry *b) {
    return a->time < b->time || (a->time == b->time && a->sequence < b->sequence);
}

static void push(double time, int32_t payload) {
    entry moving = {time, next_sequence++, payload};
    size_t child = count++;
    while (child > 0) {
        size_t parent = (child - 1) / 2;
        if (!precedes(&moving, &heap[parent])) break;
        heap[child] = heap[parent];
        child = parent;
    }
    heap[child] = moving;
}

static entry pop(void) {
    entry first = heap[0];
    entry moving = heap[--count];
    size_t hole = 0;
    for (;;) {
        size_t child = 2 * hole + 1;
        if (child >= count) break;
        if (child + 1 < count && precedes(&heap[child + 1], &heap[child])) child++;
        if (!precedes(&heap[child], &moving)) break;
        heap[hole] = heap[child];
        hole = child;
    }
    heap[hole] = moving;
    return first;
}

int main(int argc, char **argv) {
    long pending = 1000, operations = argc > 1 ? atol(argv[1]) : 20000000;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    heap = malloc(sizeof(entry) * (pending + 1));
    for (long i = 0; i < pending; i++) push(gsl_ran_exponential(rng, 1), (int32_t)i);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    double checksum = 0;
    for (long i = 0; i < operations; i++) {
        entry e = pop();
        checksum += e.time;
        push(e.time + gsl_ran_exponential(rng, 1), e.payload);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf("hold (C reference) %ld events  %.3f s  %.2f M events/s  (checksum %ld)\n", operations, seconds,
           operations / seconds / 1e6, (long)checksum % 1000);
    gsl_rng_free(rng);
    free(heap);
    return 0;
}
